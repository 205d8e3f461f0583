import type { Logger } from '../api/log';
import type { StopToken } from '../engine/pool';
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
  /** Set on SIGINT/SIGTERM for `stoppable` commands: stop after the requests in flight. */
  readonly stop: StopToken;
  /** Resolves when the command should stop (SIGINT/SIGTERM), for long-running commands. */
  readonly stopped: Promise<void>;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly options: readonly OptionSpec[];
  readonly positionals: readonly PositionalSpec[];
  /**
   * Handles SIGINT/SIGTERM itself (stops cleanly, exit 130/143). Otherwise a signal ends the process at once, as
   * it should for read-only and short commands.
   */
  readonly stoppable?: boolean;
  /** Returns the exit code. */
  run(context: CommandContext): Promise<number>;
}
