import { printable } from '../util/printable';
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
  /**
   * A warning no log level silences: insecure modes (PEXIP_INSECURE_SKIP_TLS_VERIFY, PEXIP_ALLOW_HTTP). Someone who
   * turned the log down to `error` for a quiet pipeline has not agreed to stop hearing that TLS is off. Printed as
   * `warning: …`, redacted, and each distinct message once per logger however often it is raised.
   */
  alert(message: string): void;
}

/** A logger writing redacted lines to a stream (stderr by default). */
export function streamLogger(level: LogLevel = 'info', write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (l: LogLevel, prefix: string) => (message: string) => {
    if (LOG_LEVELS.indexOf(l) <= threshold) write(`${prefix}${printable(redactor.redact(message))}\n`);
  };
  return { error: at('error', 'error: '), warn: at('warn', 'warning: '), info: at('info', ''), debug: at('debug', 'debug: '), alert: alertOnce(write) };
}

/** The `alert` channel: outside the level filter, deduplicated so a run prints each alert exactly once. */
function alertOnce(write: (line: string) => void): (message: string) => void {
  const printed = new Set<string>();
  return (message) => {
    if (printed.has(message)) return;
    printed.add(message);
    write(`warning: ${printable(redactor.redact(message))}\n`);
  };
}

export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const value = env.PEXIP_CDKTF_LOG?.toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(value ?? '') ? (value as LogLevel) : 'info';
}

/**
 * The library default: drops every message except alerts, which still go to stderr. A program that embeds the client
 * without a logger must not switch TLS verification off silently (design.md, "Conventions").
 */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {}, alert: alertOnce((line) => process.stderr.write(line)) };
