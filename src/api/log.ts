import { redactor } from './redact';

/** Log levels, quietest first. `PEXIP_CDKTF_LOG` picks one; the default is `info`. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where diagnostics go. Human progress and diagnostics go to stderr, so stdout can carry `--json` output. */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

/** A logger writing redacted lines to a stream (stderr by default). */
export function streamLogger(level: LogLevel = 'info', write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (l: LogLevel, prefix: string) => (message: string) => {
    if (LOG_LEVELS.indexOf(l) <= threshold) write(`${prefix}${redactor.redact(message)}\n`);
  };
  return { error: at('error', 'error: '), warn: at('warn', 'warning: '), info: at('info', ''), debug: at('debug', 'debug: ') };
}

export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const value = env.PEXIP_CDKTF_LOG?.toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(value ?? '') ? (value as LogLevel) : 'info';
}

/** A logger that drops everything (library default). */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
