import { keyOf } from '../api/client';
import type { KindName } from '../kinds';
import type { JsonObject, JsonValue, KindSpec } from '../kinds/types';
import { canonicalJson } from '../util/canonical-json';
import type { DesiredObject } from './desired';
import type { FieldRecord, Ledger } from './ledger';
import { liveName, referenceUri } from './live';

/**
 * Field claims: a stack's hold on single fields of objects it does not own (a system location's policy profile or
 * web proxy), in the spirit of Kubernetes server-side apply's managed fields. The stack sets only what it declares;
 * a value someone else set is a conflict unless the declaration says `takeOver`; the ledger records what the stack
 * set and what was there before; removal restores that, unless someone changed the field since (then it is left,
 * and said so). These are the pure decisions; the plan and the removal act on them.
 */

/** The ledger key of an object whose fields are claimed. */
export function claimKey(kind: KindSpec, object: Readonly<JsonObject>): string {
  return `${kind.name}/${keyOf(kind, object)}`;
}

/** A field value as compared: references by URI, "" and null alike. */
export function comparable(value: JsonValue | undefined): string {
  const uri = referenceUri(value);
  if (uri !== null) return uri;
  return value === undefined || value === null || value === '' ? 'null' : canonicalJson(value);
}

export type FieldDecision =
  /** Recorded by this stack and as it left it, or not yet recorded but already the declared value. */
  | { readonly field: string; readonly decision: 'in-sync' }
  /** To be written: the declaration changed (pending), someone changed it since (drift), or it is empty. */
  | { readonly field: string; readonly decision: 'set'; readonly cause: 'pending' | 'drift' }
  /** Holds a value this stack did not set: taken over only with `takeOver`. */
  | { readonly field: string; readonly decision: 'foreign'; readonly live: JsonValue | undefined }
  /** Another stack manages this field of this object. */
  | { readonly field: string; readonly decision: 'other-stack'; readonly stack: string };

/**
 * What to do with each claimed field of a live object: `desired` holds the values to set (URIs, or
 * KNOWN_AFTER_APPLY for objects not created yet), `record` this stack's ledger record of the object.
 */
export function decideFields(
  kind: KindSpec,
  live: Readonly<JsonObject>,
  desired: Readonly<JsonObject>,
  record: Ledger['fields'][string] | undefined,
  others: readonly Ledger[],
): FieldDecision[] {
  const key = claimKey(kind, live);
  return Object.keys(desired)
    .filter((field) => field !== kind.naturalKey)
    .map((field): FieldDecision => {
      const other = others.find((l) => l.fields[key]?.fields[field] !== undefined);
      if (other) return { field, decision: 'other-stack', stack: other.stack };
      const now = comparable(live[field]);
      const wanted = comparable(desired[field]);
      const mine = record?.fields[field];
      if (now === wanted) return { field, decision: 'in-sync' };
      if (mine) return { field, decision: 'set', cause: comparable(mine.value) === wanted && now !== comparable(mine.value) ? 'drift' : 'pending' };
      return now === 'null' ? { field, decision: 'set', cause: 'pending' } : { field, decision: 'foreign', live: live[field] };
    });
}

/** What removing a claim does to one field: restore the value from before, or leave a value changed since. */
export interface Restoration {
  readonly field: string;
  readonly from: JsonValue | undefined;
  /** Set: the value from before the stack first set the field. Absent: left as it is. */
  readonly to?: JsonValue;
  /** Why a field is left: someone set it to something else after this stack did. */
  readonly left?: string;
  /** Why `to` is not the recorded value: that object is removed in the same run. */
  readonly note?: string;
}

/**
 * Restorations whose value from before is an object removed in the same run (an adopted proxy that was already
 * assigned, say) cannot restore it: the field is cleared instead, or the delete would be refused.
 */
export function clearingRemoved(list: readonly Restoration[], removing: ReadonlyMap<string, string>): Restoration[] {
  return list.map((r) => {
    const target = r.to === undefined ? undefined : removing.get(comparable(r.to));
    return target === undefined ? r : { ...r, to: null, note: `the value from before, ${target}, is removed too` };
  });
}

/** The restorations of the recorded fields of one live object (all of them, or only `fields`). */
export function restorations(live: Readonly<JsonObject>, record: Ledger['fields'][string], fields?: readonly string[]): Restoration[] {
  return Object.entries(record.fields)
    .filter(([field]) => !fields || fields.includes(field))
    .map(([field, mine]: [string, FieldRecord]): Restoration => {
      if (comparable(live[field]) === comparable(mine.value)) return { field, from: live[field], to: mine.previous };
      if (comparable(live[field]) === comparable(mine.previous)) return { field, from: live[field], left: 'already back to the value from before' };
      return { field, from: live[field], left: `changed since this stack set it (now ${comparable(live[field])}); not restored, so nobody's later change is lost` };
    });
}

/** A claimed object as named in messages: `system location "Hospital DC"`. */
export function describeClaimed(kind: KindSpec, live: Readonly<JsonObject>): string {
  return `${kind.title} "${liveName(kind, live)}"`;
}

/** The logical ids of declarations that claim fields (for matching ledger records to declarations). */
export function claimsOf(objects: readonly DesiredObject[], kind: KindName): DesiredObject[] {
  return objects.filter((o) => o.kind === kind);
}
