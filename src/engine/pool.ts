import { PexipCdktfError } from '../api/errors';

/**
 * Bounded parallel work for the engine: independent requests (the list reads of all kinds, the creates and updates of
 * a deploy, the deletes of one removal step) run at most `limit` at a time, as a real Management Node across a WAN
 * needs. A request that needs others done first (a rule its profile) waits for them without holding a place, so the
 * order objects refer to each other in costs no more rounds than it must. The first failure, or a stop
 * (SIGINT/SIGTERM), starts no new work; work in flight finishes; then every failure is reported.
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
  /**
   * Indices of the items that must be done before item `index` starts; each lower than `index` (items come in an
   * order that respects their dependencies, so nothing waits on work that cannot start).
   */
  readonly after?: (index: number) => readonly number[];
}

/**
 * Runs `task` for every item, at most `limit` at once, results in item order. Throws the failure (or a
 * MultipleFailuresError) once nothing is in flight; a stop without failures returns the results so far as undefined
 * holes and leaves it to the caller to check `stop`.
 */
export async function runPool<T, R>(items: readonly T[], options: PoolOptions, task: (item: T) => Promise<R>): Promise<(R | undefined)[]> {
  const results: (R | undefined)[] = new Array(items.length);
  const failures: Error[] = [];
  const started = new Array<boolean>(items.length).fill(false);
  const done = new Array<boolean>(items.length).fill(false);
  const after = items.map((_, i) => {
    const deps = options.after?.(i) ?? [];
    if (deps.some((d) => d >= i)) throw new PexipCdktfError(`internal ordering error: item ${i} would wait for a later item`);
    return deps;
  });
  let waiting: (() => void)[] = [];
  let inFlight = 0;
  const wakeAll = () => {
    for (const wake of waiting.splice(0)) wake();
  };
  // The first item not started whose dependencies are done; -1 when none is ready yet.
  const nextReady = () => started.findIndex((s, i) => !s && after[i].every((d) => done[d]));
  const worker = async (): Promise<void> => {
    while (failures.length === 0 && !options.stop?.stopped) {
      const index = nextReady();
      if (index < 0) {
        // Nothing ready: done if nothing is in flight either (all started, or the rest wait on failed work).
        if (inFlight === 0) return;
        await new Promise<void>((resolve) => waiting.push(resolve));
        continue;
      }
      started[index] = true;
      inFlight++;
      try {
        results[index] = await task(items[index]);
        done[index] = true;
      } catch (error) {
        if (failures.length === 0) options.onFirstFailure?.();
        failures.push(error as Error);
      } finally {
        inFlight--;
        wakeAll();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.limit, items.length)) }, worker));
  waiting = [];
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new MultipleFailuresError(failures);
  return results;
}
