import { keyOf, naturalKeyOf } from '../api/client';
import { CREATION_ORDER, kindByName, type KindName } from '../kinds';
import { applyMarker, type FullOwner, type Owner, ownerOf, PACKAGE_HASH_LENGTH, stripMarker } from '../kinds/ownership';
import type { FieldSpec, JsonObject, JsonValue, KindSpec } from '../kinds/types';
import { fieldOf } from '../kinds/validate';
import { canonicalJson, type DesiredObject, type DesiredSet, isLookup, isRef } from './desired';
import { type LiveState, liveName, referenceUri, uriOfLive } from './live';

/**
 * Plan: compare the desired set with live Pexip, without writing. Objects are matched by ownership marker first,
 * then by natural key; fields the stack does not declare are not managed and not compared; secrets are write-only.
 */

/** A value not known until an earlier action has run (the URI of an object still to be created). */
export const KNOWN_AFTER_APPLY = '(known after apply)';
/** How a secret shows in a plan. */
export const SENSITIVE = '(sensitive)';

export interface FieldChange {
  readonly field: string;
  readonly from: JsonValue | undefined;
  readonly to: JsonValue;
}

interface Base {
  readonly kind: KindName;
  /** Logical id (undefined for prunes of objects whose logical id cannot be read back). */
  readonly id?: string;
  /** Natural key, for people. */
  readonly name: string;
}

/** An object that exists and is ours (or is being adopted): updated in place, or left as it is. */
export type MatchedAction = Base & {
  readonly type: 'update' | 'unchanged';
  readonly object: DesiredObject;
  readonly key: string;
  readonly live: JsonObject;
  readonly changes: readonly FieldChange[];
  /** Secrets are sent: on adoption, or because `secretsVersion` differs from the marker's. */
  readonly sendSecrets: boolean;
  /** The package is uploaded again (theme package changed). */
  readonly uploadPackage: boolean;
  /** Why this is an update beyond field changes: adopting an unowned object, or taking over a stale logical id. */
  readonly takeover?: 'adopt' | 'rekey';
};

export type ConflictAction = Base & { readonly type: 'conflict'; readonly object: DesiredObject; readonly reason: string; readonly key?: string };

export type Action =
  | (Base & { readonly type: 'create'; readonly object: DesiredObject })
  | MatchedAction
  | (Base & { readonly type: 'replace'; readonly object: DesiredObject; readonly key: string; readonly live: JsonObject; readonly reason: string })
  | (Base & { readonly type: 'prune'; readonly key: string; readonly live: JsonObject })
  | ConflictAction;

export interface Plan {
  readonly stack: string;
  readonly environment: string;
  readonly actions: readonly Action[];
  /** `{"$lookup"}` references resolved against live Pexip (by `lookupKey`), for apply. */
  readonly lookups: ReadonlyMap<string, string | undefined>;
}

export type Summary = Record<Action['type'], number>;

export function summarise(plan: Plan): Summary {
  const summary: Summary = { create: 0, update: 0, replace: 0, prune: 0, unchanged: 0, conflict: 0 };
  for (const action of plan.actions) summary[action.type]++;
  return summary;
}

/** True when applying the plan would change something (or cannot be done). */
export function hasChanges(plan: Plan): boolean {
  return plan.actions.some((a) => a.type !== 'unchanged');
}

/** The marker-relevant facts of a declared object. */
export function ownerFor(set: Pick<DesiredSet, 'stack'>, object: DesiredObject, secretsVersion = object.secrets ? object.secretsVersion : undefined): FullOwner {
  return {
    stack: set.stack,
    logicalId: object.id,
    ...(secretsVersion ? { secretsVersion } : {}),
    ...(object.package ? { packageHash: object.package.sha256.slice(0, PACKAGE_HASH_LENGTH) } : {}),
  };
}

/**
 * The body the object should have in Pexip: its spec with references resolved to URIs (or KNOWN_AFTER_APPLY),
 * and the ownership marker applied. Secrets and the package are not part of it. A description the stack does not
 * declare is not managed: the marker is added to the live one.
 */
export function desiredBody(set: Pick<DesiredSet, 'stack'>, object: DesiredObject, uris: ReadonlyMap<string, string>, lookups: ReadonlyMap<string, string | undefined>, live?: JsonObject): JsonObject {
  const kind = kindByName(object.kind);
  const body: JsonObject = {};
  const markerField = kind.ownership.field;
  if (kind.ownership.style === 'description-suffix' && markerField && object.spec[markerField] === undefined && typeof live?.[markerField] === 'string') {
    body[markerField] = stripMarker(live[markerField] as string);
  }
  for (const [field, value] of Object.entries(object.spec)) {
    if (isRef(value)) body[field] = uris.get(value.$ref) ?? KNOWN_AFTER_APPLY;
    else if (isLookup(value)) body[field] = lookups.get(lookupKey(object, field)) ?? KNOWN_AFTER_APPLY;
    else body[field] = value;
  }
  return applyMarker(kind, body, ownerFor(set, object));
}

export function lookupKey(object: DesiredObject, field: string): string {
  return `${object.id}.${field}`;
}

/** Equality as Pexip means it: nested references equal their URI, "" equals null, codec lists ignore order. */
export function sameValue(spec: FieldSpec | undefined, desired: JsonValue, live: JsonValue | undefined): boolean {
  if (spec?.type === 'reference') return referenceUri(desired) === referenceUri(live);
  if (spec?.type === 'referenceList') {
    const norm = (v: JsonValue | undefined) => (Array.isArray(v) ? v.map((x) => referenceUri(x)).sort() : []);
    return canonicalJson(norm(desired)) === canonicalJson(norm(live));
  }
  if (spec?.type === 'valueList') {
    const norm = (v: JsonValue | undefined) => (Array.isArray(v) ? v.map((x) => canonicalJson(x)).sort() : []);
    return canonicalJson(norm(desired)) === canonicalJson(norm(live));
  }
  if ((desired === null || desired === '') && (live === null || live === '' || live === undefined)) return true;
  return canonicalJson(desired) === canonicalJson(live ?? null);
}

/** Live value as shown in a plan: references as URIs. */
function shown(spec: FieldSpec | undefined, value: JsonValue | undefined): JsonValue | undefined {
  return spec?.type === 'reference' ? referenceUri(value) : value;
}

/** Field-by-field differences between a desired body and a live object (declared fields only). */
export function diffFields(kind: KindSpec, body: JsonObject, live: JsonObject): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [field, value] of Object.entries(body)) {
    const spec = fieldOf(kind, field);
    if (spec?.secret || spec?.type === 'file' || spec?.readOnly) continue;
    if (!sameValue(spec, value, live[field])) changes.push({ field, from: shown(spec, live[field]), to: value });
  }
  return changes;
}

interface Candidate {
  readonly object: JsonObject;
  readonly owner: Owner | undefined;
  claimed: boolean;
}

/** Builds the plan. Pure: no I/O. */
export function plan(set: DesiredSet, live: LiveState): Plan {
  const actions: Action[] = [];
  const uris = new Map<string, string>();
  const lookups = resolveLookups(set, live);
  const matched = new Map<string, Action>();
  const referenced = referencedUris(live);

  for (const kind of CREATION_ORDER) {
    const declared = set.objects.filter((o) => o.kind === kind.name);
    const candidates: Candidate[] = (live.get(kind.name as KindName) ?? []).map((object) => ({
      object,
      owner: ownerOf(kind, object, { stack: set.stack, logicalIds: declared.map((d) => d.id) }),
      claimed: false,
    }));
    for (const object of declared) {
      const action = matchObject(set, kind, object, candidates, referenced);
      matched.set(object.id, action);
      if (action.type !== 'create' && action.type !== 'conflict' && action.type !== 'replace') uris.set(object.id, uriOfLive(kind, action.live));
    }
    // Objects this stack owns that it no longer declares (licences are never pruned: see the licence carrier).
    for (const c of candidates) {
      if (!c.claimed && c.owner?.stack === set.stack && kind.ownership.style !== 'terraform-state') {
        actions.push({ type: 'prune', kind: kind.name as KindName, id: c.owner.logicalId, name: liveName(kind, c.object), key: keyOf(kind, c.object), live: c.object });
      }
    }
  }

  // Second pass: field diffs need the URIs of every matched object (references between them).
  const finished: Action[] = [];
  for (const object of set.objects) {
    const action = matched.get(object.id)!;
    finished.push(action.type === 'update' || action.type === 'unchanged' ? withDiff(set, object, action, uris, lookups, live) : action);
  }
  for (const object of set.objects) {
    for (const [field, value] of Object.entries(object.spec)) {
      if (isLookup(value) && lookups.get(lookupKey(object, field)) === undefined) {
        const i = finished.findIndex((a) => a.id === object.id);
        finished[i] = { type: 'conflict', kind: object.kind, id: object.id, name: finished[i].name, object, reason: `field ${field}: no ${kindByName(kindByName(object.kind).fields[field].references!).title} matches ${JSON.stringify(value.$lookup)}.` };
      }
    }
  }
  const order = new Map(CREATION_ORDER.map((k, i) => [k.name, i]));
  finished.sort((a, b) => order.get(a.kind)! - order.get(b.kind)!);
  return { stack: set.stack, environment: set.environment, actions: [...finished, ...actions], lookups };
}

/** URIs that some live object refers to (through any reference field of our kinds). */
function referencedUris(live: LiveState): Set<string> {
  const uris = new Set<string>();
  for (const kind of CREATION_ORDER) {
    const fields = Object.entries(kind.fields).filter(([, f]) => f.type === 'reference' || f.type === 'referenceList');
    for (const object of live.get(kind.name as KindName) ?? []) {
      for (const [field] of fields) {
        const value = object[field];
        for (const item of Array.isArray(value) ? value : [value]) {
          const uri = referenceUri(item);
          if (uri) uris.add(uri);
        }
      }
    }
  }
  return uris;
}

function matchObject(set: DesiredSet, kind: KindSpec, object: DesiredObject, candidates: Candidate[], referenced: ReadonlySet<string>): Action {
  const name = (naturalKeyOf(kind, object.spec) ?? object.id) as string;
  const base = { kind: object.kind, id: object.id, name };
  const desiredPackage = object.package?.sha256.slice(0, PACKAGE_HASH_LENGTH);
  // 1. Marker. After an interrupted replacement, or a create that committed twice, two objects may carry it: keep
  //    the one with the current package, then the one other objects use; the others are pruned.
  const byMarker = candidates.filter((c) => !c.claimed && c.owner?.stack === set.stack && c.owner.logicalId === object.id);
  const rank = (c: Candidate) => 2 * Number(c.owner?.packageHash === desiredPackage) + Number(referenced.has(uriOfLive(kind, c.object)));
  byMarker.sort((a, b) => rank(b) - rank(a));
  let hit = byMarker[0];
  let takeover: 'adopt' | 'rekey' | undefined;
  if (!hit) {
    // 2. Natural key.
    const key = naturalKeyOf(kind, object.spec);
    const byKey = candidates.find((c) => !c.claimed && key !== undefined && naturalKeyOf(kind, c.object) === key);
    if (!byKey) return { ...base, type: 'create', object };
    if (kind.ownership.style === 'terraform-state') {
      hit = byKey;
    } else if (byKey.owner?.stack === set.stack) {
      hit = byKey;
      takeover = 'rekey';
    } else if (byKey.owner) {
      byKey.claimed = true;
      return { ...base, type: 'conflict', object, key: keyOf(kind, byKey.object), reason: `${kind.naturalKey} "${key}" belongs to stack "${byKey.owner.stack}"; a stack never takes another stack's objects.` };
    } else if (object.adopt) {
      hit = byKey;
      takeover = 'adopt';
    } else {
      byKey.claimed = true;
      return {
        ...base,
        type: 'conflict',
        object,
        key: keyOf(kind, byKey.object),
        reason: `${kind.naturalKey} "${key}" already exists in Pexip and is not owned by this stack. Adopt it (pexip-cdktf adopt, or adopt: true on the construct) or choose another ${kind.naturalKey}.`,
      };
    }
  }
  hit.claimed = true;
  const key = keyOf(kind, hit.object);
  const replaceReason = replacementReason(kind, object, hit, desiredPackage, takeover);
  if (replaceReason) return { ...base, type: 'replace', object, key, live: hit.object, reason: replaceReason };
  return {
    ...base,
    type: 'update',
    object,
    key,
    live: hit.object,
    changes: [],
    sendSecrets: Boolean(object.secrets) && (takeover === 'adopt' || hit.owner?.secretsVersion !== object.secretsVersion),
    uploadPackage: kind.upload?.updateMultipart === true && hit.owner?.packageHash !== desiredPackage,
    ...(takeover ? { takeover } : {}),
  };
}

/** Why a matched object must be replaced rather than updated: a create-only field or an un-patchable package changed. */
function replacementReason(kind: KindSpec, object: DesiredObject, hit: Candidate, desiredPackage: string | undefined, takeover: 'adopt' | 'rekey' | undefined): string | undefined {
  if (kind.upload && !kind.upload.updateMultipart && hit.owner?.packageHash !== desiredPackage) {
    return takeover === 'adopt' ? 'an adopted package cannot be compared, so the declared one is uploaded' : 'the package changed';
  }
  const field = Object.keys(kind.fields).find((f) => kind.fields[f].createOnly && object.spec[f] !== undefined && !sameValue(kind.fields[f], object.spec[f], hit.object[f]));
  return field ? `${field} cannot change in place` : undefined;
}

function withDiff(set: DesiredSet, object: DesiredObject, action: MatchedAction, uris: ReadonlyMap<string, string>, lookups: ReadonlyMap<string, string | undefined>, live: LiveState): Action {
  const kind = kindByName(object.kind);
  const body = desiredBody(set, object, uris, lookups, action.live);
  const changes = diffFields(kind, body, action.live);
  if (kind.name === 'telehealth_profile' && changes.some((c) => c.field === 'uuid') && !object.allowUuidChange) {
    return {
      type: 'conflict',
      kind: object.kind,
      id: object.id,
      name: action.name,
      object,
      key: action.key,
      reason: `changing the profile uuid from ${String(action.live.uuid)} to ${String(body.uuid)} breaks Epic's launch and redirect URLs; set allowUuidChange if you really mean it, then update Epic's records.`,
    };
  }
  const renamed = changes.find((c) => c.field === kind.naturalKey);
  if (renamed) {
    const taken = (live.get(object.kind) ?? []).find((o) => o !== action.live && naturalKeyOf(kind, o) === naturalKeyOf(kind, body));
    if (taken) {
      return { type: 'conflict', kind: object.kind, id: object.id, name: action.name, object, key: action.key, reason: `cannot rename to "${String(renamed.to)}": another ${kind.title} already has that ${kind.naturalKey}.` };
    }
  }
  const changed = changes.length > 0 || action.sendSecrets || action.uploadPackage || action.takeover !== undefined;
  return { ...action, type: changed ? 'update' : 'unchanged', changes };
}

/** Resolves `{"$lookup": ...}` references against live objects of the target kind. */
function resolveLookups(set: DesiredSet, live: LiveState): Map<string, string | undefined> {
  const found = new Map<string, string | undefined>();
  for (const object of set.objects) {
    const kind = kindByName(object.kind);
    for (const [field, value] of Object.entries(object.spec)) {
      if (!isLookup(value)) continue;
      const target = kindByName(kind.fields[field].references!);
      const match = (live.get(target.name as KindName) ?? []).find((o) => Object.entries(value.$lookup).every(([k, v]) => canonicalJson(o[k] ?? null) === canonicalJson(v)));
      found.set(lookupKey(object, field), match ? uriOfLive(target, match) : undefined);
    }
  }
  return found;
}
