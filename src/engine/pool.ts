import { PexipCdktfError } from '../api/errors';

/**
 * Bounded parallel work for the engine: independent requests of one step (the list reads of all kinds, the creates
 * and updates of one creation step, the deletes of one removal step) run at most `limit` at a time, as a real
 * Management Node across a WAN needs, while the dependency order between steps stays serial. The first failure, or a stop (SIGINT/SIGTERM),
 * starts no new work; work in flight finishes; then every failure is reported.
 */

/** Asked to stop (Ctrl-C, SIGTERM): no new work starts; what is in flight finishes. */
export class StopToken {
  private signal?: string;
  private readonly waiters: (() => void)[] = [];

  get stopped(): boolean {
    return this.signal !== undefined;
  }

  /** The signal that stopped the run, e.g. `SIGINT`. */
  get reason(): string | undefined {
    return this.signal;
  }

  stop(reason: string): void {
    if (this.signal !== undefined) return;
    this.signal = reason;
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves once stopped (for long-running commands such as the simulator). */
  whenStopped(): Promise<void> {
    return this.stopped ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** The run stopped on a signal after the requests in flight; a rerun converges. Exit 130 (SIGINT) or 143 (SIGTERM). */
export class InterruptedError extends PexipCdktfError {
  override readonly exitCode: number;

  constructor(signal: string, done: string) {
    super(`stopped by ${signal} after the requests in flight; ${done}. Nothing is half-written: run it again to converge.`);
    this.exitCode = signal === 'SIGTERM' ? 143 : 130;
  }
}

/** Several requests of one step failed; each is listed. */
export class MultipleFailuresError extends PexipCdktfError {
  constructor(readonly failures: readonly Error[]) {
    super(`${failures.length} requests failed:\n${failures.map((f) => `  ${f.message}`).join('\n')}`, failures[0] instanceof PexipCdktfError ? failures[0] : {});
  }
}

export interface PoolOptions {
  /** At most this many tasks at once (1 means one after another). */
  readonly limit: number;
  readonly stop?: StopToken;
  /** Called once when the first task fails, before the tasks in flight finish (e.g. to stop retries elsewhere). */
  readonly onFirstFailure?: () => void;
}

/**
 * Runs `task` for every item, at most `limit` at once, results in item order. Throws the failure (or a
 * MultipleFailuresError) once nothing is in flight; a stop without failures returns the results so far as undefined
 * holes and leaves it to the caller to check `stop`.
 */
export async function runPool<T, R>(items: readonly T[], options: PoolOptions, task: (item: T) => Promise<R>): Promise<(R | undefined)[]> {
  const results: (R | undefined)[] = new Array(items.length);
  const failures: Error[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && failures.length === 0 && !options.stop?.stopped) {
      const index = next++;
      try {
        results[index] = await task(items[index]);
      } catch (error) {
        if (failures.length === 0) options.onFirstFailure?.();
        failures.push(error as Error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.limit, items.length)) }, worker));
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new MultipleFailuresError(failures);
  return results;
}
