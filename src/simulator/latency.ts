import { SimulatorInputError } from './errors';

/**
 * Time the management API takes, as a real node across a real network would (all zero by default). It never applies
 * to the `/_simulator/` controls.
 */
export interface LatencyOptions {
  /** Fixed delay before answering a read (GET, and anything else that is not a write), in ms. */
  readonly readMs?: number;
  /**
   * Fixed delay on POST, PUT, PATCH and DELETE, in ms, taken after the body is read and before the change commits,
   * like a slow database commit: a client that gives up waiting may still see the write land later.
   */
  readonly writeMs?: number;
  /** Up to this many more ms, uniformly at random, on every request. */
  readonly jitterMs?: number;
}

export const MAX_LATENCY_MS = 60_000;
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Throws SimulatorInputError naming the first option that is not a number of ms from 0 to 60000. */
export function checkLatency(latency: LatencyOptions): void {
  for (const name of ['readMs', 'writeMs', 'jitterMs'] as const) {
    const value = latency[name];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_LATENCY_MS)) {
      throw new SimulatorInputError(`latency.${name} must be a number of milliseconds from 0 to ${MAX_LATENCY_MS} (got ${String(value)}).`);
    }
  }
}

/** The delay for one request with this method. */
export function latencyFor(method: string, latency: LatencyOptions, random: () => number = Math.random): number {
  const base = (WRITES.has(method) ? latency.writeMs : latency.readMs) ?? 0;
  const jitter = latency.jitterMs ?? 0;
  return base + (jitter > 0 ? random() * jitter : 0);
}

/** Waits without holding anything: concurrent requests wait concurrently. */
export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
