import { KINDS, type KindName } from '../kinds';
import type { JsonObject, KindSpec } from '../kinds/types';
import { type LiveState, liveName, referenceUri, uriOfLive } from './live';

/** An object the stack does not remove that still refers to one it would remove. */
export interface BlockingReference {
  readonly kind: KindSpec;
  readonly object: JsonObject;
  readonly field: string;
  /** The title and name of the object referred to. */
  readonly target: string;
}

/**
 * Objects outside `removing` whose reference fields point at an object in it. Pexip refuses to delete an object
 * still referenced, so finding these before the first delete turns a half-done removal into a clear refusal.
 */
export function blockingReferences(live: LiveState, removing: ReadonlyMap<string, string>, kinds: readonly KindSpec[] = KINDS): BlockingReference[] {
  const found: BlockingReference[] = [];
  for (const kind of kinds) {
    const fields = Object.entries(kind.fields).filter(([, f]) => (f.type === 'reference' || f.type === 'referenceList') && !f.readOnly);
    for (const object of live.get(kind.name as KindName) ?? []) {
      if (removing.has(uriOfLive(kind, object))) continue;
      for (const [field] of fields) {
        const value = object[field];
        for (const item of Array.isArray(value) ? value : [value]) {
          const uri = referenceUri(item);
          const target = uri === null ? undefined : removing.get(uri);
          if (target !== undefined) found.push({ kind, object, field, target });
        }
      }
    }
  }
  return found;
}

/** One line per blocking reference, for messages. */
export function describeBlocking(blocking: readonly BlockingReference[]): string {
  return blocking.map((b) => `  ${b.kind.title} "${liveName(b.kind, b.object)}" (field ${b.field}) uses ${b.target}`).join('\n');
}
