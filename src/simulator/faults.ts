import type { JsonValue } from '../kinds/types';
import { prng } from './appointments';
import { SimulatorInputError } from './errors';

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

const ACTION_TYPES = ['status', 'html', 'raw', 'delay', 'hold', 'reset-before', 'reset-after'];
const SPEC_FIELDS = ['match', 'action', 'times', 'probability'];
const ACTION_EXAMPLE = '{"type": "status", "status": 503}';
const EXAMPLE = `{"action": ${ACTION_EXAMPLE}}`;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optional(value: unknown, check: (v: unknown) => boolean, message: string): void {
  if (value !== undefined && !check(value)) throw new SimulatorInputError(message);
}

const nonNegative = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Checks a fault description (from a test or a control request); throws SimulatorInputError naming what is wrong. */
function validateFault(spec: unknown): void {
  if (!isObject(spec)) throw new SimulatorInputError(`a fault must be a JSON object such as ${EXAMPLE}`);
  const unknown = Object.keys(spec).find((k) => !SPEC_FIELDS.includes(k));
  if (unknown !== undefined) throw new SimulatorInputError(`fault has unknown field "${unknown}" (known: ${SPEC_FIELDS.join(', ')})`);
  const action = spec.action;
  if (!isObject(action)) throw new SimulatorInputError(`fault needs "action", an object such as ${ACTION_EXAMPLE}`);
  if (!ACTION_TYPES.includes(String(action.type))) throw new SimulatorInputError(`fault action.type must be one of ${ACTION_TYPES.join(', ')}`);
  if ((action.type === 'status' || action.type === 'html' || action.type === 'raw') && (typeof action.status !== 'number' || !Number.isInteger(action.status) || action.status < 100 || action.status > 599)) {
    throw new SimulatorInputError('fault action.status must be an HTTP status (100-599)');
  }
  if (action.type === 'raw' && (typeof action.contentType !== 'string' || typeof action.text !== 'string')) {
    throw new SimulatorInputError('fault action.contentType and action.text must be strings for type raw');
  }
  if (action.type === 'status') {
    optional(action.retryAfterSeconds, nonNegative, 'fault action.retryAfterSeconds must be a non-negative number');
    optional(action.headers, (h) => isObject(h) && Object.values(h).every((v) => typeof v === 'string'), 'fault action.headers must be an object of strings');
  }
  if (action.type === 'delay' && !nonNegative(action.ms)) throw new SimulatorInputError('fault action.ms must be a non-negative number');
  if (action.type === 'hold') optional(action.maxMs, nonNegative, 'fault action.maxMs must be a non-negative number');
  optional(spec.match, isObject, 'fault match must be an object such as {"method": "POST", "path": "/telehealth_profile/"}');
  if (isObject(spec.match)) {
    optional(spec.match.method, (m) => typeof m === 'string', 'fault match.method must be a string such as "POST"');
    optional(spec.match.path, (p) => typeof p === 'string', 'fault match.path must be a string (a part of the path)');
  }
  optional(spec.times, (t) => Number.isInteger(t) && (t as number) >= 1, 'fault times must be a positive integer');
  optional(spec.probability, (p) => typeof p === 'number' && p > 0 && p <= 1, 'fault probability must be in (0, 1]');
}
