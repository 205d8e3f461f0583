import type { Logger } from '../api/log';
import type { OptionSpec, ParsedArgs, PositionalSpec } from './args';

/** Exit codes of every command (design.md, "Conventions"). */
export const EXIT = { ok: 0, error: 1, changes: 2 } as const;

/** What a command gets to do its work. */
export interface CommandContext {
  readonly args: ParsedArgs;
  readonly json: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** Human progress and diagnostics (stderr, redacted). */
  readonly log: Logger;
  /** Writes to stdout (results, JSON). */
  readonly out: (text: string) => void;
  /** Resolves when the command should stop (SIGINT/SIGTERM), for long-running commands. */
  readonly stopped: Promise<void>;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly options: readonly OptionSpec[];
  readonly positionals: readonly PositionalSpec[];
  /** Returns the exit code. */
  run(context: CommandContext): Promise<number>;
}
