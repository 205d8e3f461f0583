import type { PexipClient } from '../api/client';
import { keyOf, naturalKeyOf } from '../api/client';
import type { KindName } from '../kinds';
import { KINDS } from '../kinds';
import type { JsonObject, JsonValue, KindSpec } from '../kinds/types';
import { isPlainObject } from '../kinds/validate';
import { runPool, type StopToken } from './pool';

/** What Pexip holds now: every object of every kind we manage, from one paginated list per kind. */
export type LiveState = ReadonlyMap<KindName, readonly JsonObject[]>;

/**
 * Lists the given kinds (all by default): the first alone, so wrong credentials or a wrong address fail after one
 * request, then the rest at most `PEXIP_PARALLELISM` at a time.
 */
export async function observe(client: PexipClient, kinds: readonly KindSpec[] = KINDS, stop?: StopToken): Promise<LiveState> {
  const state = new Map<KindName, JsonObject[]>();
  const [first, ...rest] = kinds;
  if (first) state.set(first.name as KindName, await client.list(first));
  await inPool(client, rest, stop, async (kind) => {
    state.set(kind.name as KindName, await client.list(kind));
  });
  return state;
}

/**
 * Runs a step's independent requests with the client's parallelism. When one fails for good the client stops
 * retrying, so the others end quickly and every failure is reported together.
 */
export async function inPool<T>(client: PexipClient, items: readonly T[], stop: StopToken | undefined, task: (item: T) => Promise<void>, after?: (index: number) => readonly number[]): Promise<void> {
  try {
    await runPool(items, { limit: client.parallelism, stop, onFirstFailure: () => client.haltRetries(), after }, task);
  } finally {
    client.haltRetries(false);
  }
}

/** A reference as a server-relative URI, whatever form Pexip or the user wrote it in (URI, absolute URL, nested object). */
export function referenceUri(value: JsonValue | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') return value.replace(/^https?:\/\/[^/]+/, '');
  if (isPlainObject(value) && typeof value.resource_uri === 'string') return referenceUri(value.resource_uri);
  return null;
}

/** Server-relative URI of a live object. */
export function uriOfLive(kind: KindSpec, object: JsonObject): string {
  return referenceUri(object.resource_uri) ?? `${kind.collectionPath}${encodeURIComponent(keyOf(kind, object))}/`;
}

/** How an object is named in progress lines: its natural key. */
export function liveName(kind: KindSpec, object: JsonObject): string {
  return naturalKeyOf(kind, object) ?? keyOf(kind, object);
}
