import type { JsonValue } from '../kinds/types';
import { prng } from './appointments';

/**
 * Fault injection: what goes wrong with the next matching requests, so tests can show the client and engine
 * survive it. Faults apply to the management API only, never to the simulator's own control endpoints.
 */
export type FaultAction =
  /** Answer with this status (and JSON body) instead of handling the request; nothing is committed. */
  | { readonly type: 'status'; readonly status: number; readonly body?: JsonValue; readonly retryAfterSeconds?: number; readonly headers?: Readonly<Record<string, string>> }
  /** Answer with an HTML error page, as a reverse proxy in front of Pexip would. */
  | { readonly type: 'html'; readonly status: number }
  /** Answer 200 with this raw text and content type (malformed JSON, wrong content type, …). */
  | { readonly type: 'raw'; readonly status: number; readonly contentType: string; readonly text: string }
  /** Wait, then handle the request normally (a timeout on the client side may still leave a commit). */
  | { readonly type: 'delay'; readonly ms: number }
  /** Hold the request until the test releases held requests (or `maxMs` passes), then handle it normally. */
  | { readonly type: 'hold'; readonly maxMs?: number }
  /** Close the connection without handling the request: nothing is committed. */
  | { readonly type: 'reset-before' }
  /** Handle (and commit) the request, then close the connection without answering. */
  | { readonly type: 'reset-after' };

export interface FaultMatch {
  /** HTTP method, e.g. `POST`. */
  readonly method?: string;
  /** Substring of the path, e.g. `/telehealth_profile/`. */
  readonly path?: string;
}

export interface FaultSpec {
  readonly match?: FaultMatch;
  readonly action: FaultAction;
  /** Apply to the next N matching requests (default 1). Ignored when `probability` is set without `times`. */
  readonly times?: number;
  /** Apply to this fraction of matching requests (deterministic sequence), until `times` is used up if given. */
  readonly probability?: number;
}

export interface ActiveFault extends FaultSpec {
  readonly id: number;
  /** How many requests it has hit. */
  hits: number;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];
  private nextId = 1;
  private random = prng(7);

  add(spec: FaultSpec): ActiveFault {
    validateFault(spec);
    const fault: ActiveFault = { ...spec, id: this.nextId++, hits: 0 };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
    this.random = prng(7);
  }

  list(): readonly ActiveFault[] {
    return this.faults;
  }

  /** The fault for this request, if any; counts the hit and retires used-up faults. */
  take(method: string, path: string): FaultAction | undefined {
    for (const fault of this.faults) {
      if (fault.match?.method && fault.match.method.toUpperCase() !== method.toUpperCase()) continue;
      if (fault.match?.path && !path.includes(fault.match.path)) continue;
      if (fault.probability !== undefined && this.random() >= fault.probability) continue;
      fault.hits++;
      const limit = fault.times ?? (fault.probability !== undefined ? Infinity : 1);
      if (fault.hits >= limit) this.faults = this.faults.filter((f) => f !== fault);
      return fault.action;
    }
    return undefined;
  }
}

/** Requests waiting on a `hold` fault, until the test releases them or their own time limit passes. */
export class HoldQueue {
  private waiting: (() => void)[] = [];

  get count(): number {
    return this.waiting.length;
  }

  /** Resolves when released, or after `maxMs`. */
  wait(maxMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting = this.waiting.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, maxMs);
      // A forgotten hold must not keep a test process (or the CLI after Ctrl-C) alive.
      timer.unref();
      this.waiting.push(done);
    });
  }

  releaseAll(): void {
    for (const release of [...this.waiting]) release();
  }
}

function validateFault(spec: FaultSpec): void {
  const action = spec.action as { type?: string; status?: unknown; ms?: unknown };
  const types = ['status', 'html', 'raw', 'delay', 'hold', 'reset-before', 'reset-after'];
  if (!action || !types.includes(String(action.type))) throw new Error(`fault action.type must be one of ${types.join(', ')}`);
  if ((action.type === 'status' || action.type === 'html' || action.type === 'raw') && (typeof action.status !== 'number' || action.status < 100 || action.status > 599)) {
    throw new Error('fault action.status must be an HTTP status (100-599)');
  }
  if (action.type === 'delay' && (typeof action.ms !== 'number' || action.ms < 0)) throw new Error('fault action.ms must be a non-negative number');
  if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) throw new Error('fault times must be a positive integer');
  if (spec.probability !== undefined && !(spec.probability > 0 && spec.probability <= 1)) throw new Error('fault probability must be in (0, 1]');
}
