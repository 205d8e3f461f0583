import { keyOf, naturalKeyOf } from '../api/client';
import { CREATION_ORDER, kindByName, type KindName } from '../kinds';
import { applyMarker, type FullOwner, isLegacyMarker, type Owner, ownerOf, PACKAGE_HASH_LENGTH, specHash, stripMarker } from '../kinds/ownership';
import type { FieldSpec, JsonObject, JsonValue, KindSpec } from '../kinds/types';
import { fieldOf } from '../kinds/validate';
import { canonicalJson, type DesiredObject, type DesiredSet, isLookup, isRef } from './desired';
import { blockingReferences, describeBlocking } from './blocking-references';
import { claimKey, clearingRemoved, comparable, decideFields, describeClaimed, type Restoration, restorations } from './field-claims';
import { emptyLedger, findLedger, isLedgerObject, type Ledger, ledgerName, liveOwner, otherLedgers } from './ledger';
import { doubleClaims, ledgerNameTaken, missingLedger } from './record-checks';
import { type LiveState, liveName, referenceUri, uriOfLive } from './live';
import { omittable } from './node-schema';

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

/**
 * Why an action is in the plan: `pending`, the stack's code asks for it (a new object, a changed field, a removed
 * construct); `drift`, someone changed Pexip by hand since the stack last applied that very declaration (the spec
 * hash in the marker or ledger matches, yet the object differs, is gone, or has a duplicate).
 */
export type Cause = 'pending' | 'drift';

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
  /**
   * The marker lacks the current spec hash (written by an earlier version): rewritten when reconcile writes anyway,
   * but not a change by itself, so plans and drift stay clean.
   */
  readonly markerStale?: boolean;
  /** The spec hash the marker or ledger recorded at the last write (undefined: written by an earlier version). */
  readonly recordedSpecHash?: string;
  readonly cause?: Cause;
};

export type ConflictAction = Base & { readonly type: 'conflict'; readonly object: DesiredObject; readonly reason: string; readonly key?: string; readonly cause?: Cause };

export type Action =
  | (Base & { readonly type: 'create'; readonly object: DesiredObject; readonly cause?: Cause })
  | MatchedAction
  | (Base & { readonly type: 'replace'; readonly object: DesiredObject; readonly key: string; readonly live: JsonObject; readonly reason: string; readonly cause?: Cause })
  | (Base & { readonly type: 'prune'; readonly key: string; readonly live: JsonObject; readonly cause?: Cause; readonly duplicate?: boolean })
  | RestoreAction
  | ConflictAction;

/** Fields of an object the stack does not own, set by a declaration it no longer has: given back. */
export type RestoreAction = Base & { readonly type: 'restore'; readonly key: string; readonly live: JsonObject; readonly restorations: readonly Restoration[]; readonly cause?: Cause };

export interface Plan {
  readonly stack: string;
  readonly environment: string;
  readonly actions: readonly Action[];
  /** `{"$lookup"}` references resolved against live Pexip (by `lookupKey`), for apply. */
  readonly lookups: ReadonlyMap<string, string | undefined>;
  /** The stack's ledger as it is in Pexip (`key` undefined: none yet). */
  readonly ledger: { readonly key?: string; readonly current: Ledger };
}

export type Summary = Record<Action['type'], number>;

export function summarise(plan: Plan): Summary {
  const summary: Summary = { create: 0, update: 0, replace: 0, prune: 0, restore: 0, unchanged: 0, conflict: 0 };
  for (const action of plan.actions) summary[action.type]++;
  return summary;
}

/**
 * Entries of the stack's ledger that a run wrote before its creates and never completed (it was killed): the next
 * reconcile records or removes them, so they make the stack out of sync.
 */
export function pendingEntries(plan: Plan): string[] {
  return Object.entries(plan.ledger.current.objects).filter(([, e]) => e.key === undefined).map(([id]) => id);
}

/** True when applying the plan would change something (or cannot be done), the ledger's pending entries included. */
export function hasChanges(plan: Plan): boolean {
  return plan.actions.some((a) => a.type !== 'unchanged') || pendingEntries(plan).length > 0;
}

/** The marker-relevant facts of a declared object. */
export function ownerFor(set: Pick<DesiredSet, 'stack'>, object: DesiredObject, secretsVersion = object.secrets ? object.secretsVersion : undefined): FullOwner {
  return {
    stack: set.stack,
    logicalId: object.id,
    ...(secretsVersion ? { secretsVersion } : {}),
    ...(object.package ? { packageHash: object.package.sha256.slice(0, PACKAGE_HASH_LENGTH) } : {}),
    specHash: declaredHash(object),
  };
}

/** The hash of the spec as the user declared it (before any fitting to the node). */
function declaredHash(object: DesiredObject): string {
  return object.declaredSpecHash ?? specHash(object.spec);
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
  // A marker where an earlier version put it goes back to the field's default unless the stack declares the field.
  const legacy = kind.ownership.legacy;
  if (legacy && live && object.spec[legacy.field] === undefined && isLegacyMarker(kind, legacy.field, live[legacy.field])) {
    body[legacy.field] = structuredClone(kind.fields[legacy.field].default ?? '');
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
  if (spec?.canonicalChoice && typeof desired === 'string' && typeof live === 'string') {
    const meaning = spec.canonicalChoice(desired);
    if (meaning !== undefined && meaning === spec.canonicalChoice(live)) return true;
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
    if (spec?.secret || spec?.type === 'file' || spec?.readOnly || spec?.unmanaged) continue;
    // A field the node does not return at all is one its version lacks: at our default, nothing to do (node-schema.ts).
    if (!Object.prototype.hasOwnProperty.call(live, field) && omittable(spec, value)) continue;
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
  const found = findLedger(live, set.stack);
  const ledger = found?.ledger ?? emptyLedger(set.stack);
  const ledgers = [ledger, ...otherLedgers(live, set.stack)];

  for (const kind of CREATION_ORDER) {
    const declared = set.objects.filter((o) => o.kind === kind.name);
    if (kind.management) {
      for (const object of declared) matched.set(object.id, matchClaim(kind, object, live.get(kind.name as KindName) ?? []));
      // Created last, so the prunes of the kinds it points at are known by now.
      const pruned = new Map(actions.filter((a) => a.type === 'prune').map((a) => [uriOfLive(kindByName(a.kind), (a as { live: JsonObject }).live), `${kindByName(a.kind).title} "${a.name}"`]));
      actions.push(...restoreActions(kind, declared, live.get(kind.name as KindName) ?? [], ledger).map((r) => ({ ...r, restorations: clearingRemoved(r.restorations, pruned) })));
      continue;
    }
    const candidates: Candidate[] = (live.get(kind.name as KindName) ?? [])
      .filter((object) => !isLedgerObject(kind, object))
      .map((object) => ({
        object,
        owner: ownerOf(kind, object, { stack: set.stack, logicalIds: declared.map((d) => d.id) }) ?? liveOwner(kind, object, set.stack, ledgers),
        claimed: false,
      }));
    for (const object of declared) {
      const action = matchObject(set, kind, object, candidates, referenced, found === undefined);
      matched.set(object.id, action);
      if (action.type !== 'create' && action.type !== 'conflict' && action.type !== 'replace') uris.set(object.id, uriOfLive(kind, action.live));
    }
    // Objects this stack owns that it no longer declares (licences are never pruned: see the licence carrier).
    for (const c of candidates) {
      if (!c.claimed && c.owner?.stack === set.stack && kind.ownership.style !== 'terraform-state') {
        // A second object under a declared logical id is a duplicate (a create that committed twice, or two
        // unlocked runs at once): drift. An object of a construct no longer declared is a pending removal.
        const duplicate = c.owner.logicalId !== undefined && declared.some((d) => d.id === c.owner!.logicalId);
        actions.push({ type: 'prune', kind: kind.name as KindName, id: c.owner.logicalId, name: liveName(kind, c.object), key: keyOf(kind, c.object), live: c.object, cause: duplicate ? 'drift' : 'pending', ...(duplicate ? { duplicate } : {}) });
      }
    }
  }

  // Second pass: field diffs need the URIs of every matched object (references between them).
  const finished: Action[] = [];
  for (const object of set.objects) {
    const action = matched.get(object.id)!;
    const claims = kindByName(object.kind).management !== undefined;
    finished.push(action.type === 'update' || action.type === 'unchanged' ? (claims ? withClaimDiff(set, object, action, uris, lookups, ledgers) : withDiff(set, object, action, uris, lookups, live)) : action);
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
  const caused = finished.map((action) => withCause(action, ledger));
  const records = [ledgerNameTaken(live, set.stack), missingLedger(live, set.stack, found !== undefined), ...doubleClaims(live, ledger, ledgers.slice(1))].filter((c): c is ConflictAction => c !== undefined);
  const checked = [...records, ...blockRemovals([...caused, ...actions], live, set.stack, ledgers)];
  return { stack: set.stack, environment: set.environment, actions: checked, lookups, ledger: { key: found?.key, current: ledger } };
}

/**
 * Prunes that an object this stack does not own still uses become conflicts: Pexip refuses the delete, so finding
 * it now stops the run before its first write, naming what blocks. The stack's own objects and the location fields
 * it gives back in the same run do not block: their references change first.
 */
function blockRemovals(actions: Action[], live: LiveState, stack: string, ledgers: readonly Ledger[]): Action[] {
  const prunes = actions.filter((a): a is Extract<Action, { type: 'prune' | 'replace' }> => a.type === 'prune' || a.type === 'replace');
  if (prunes.length === 0) return actions;
  const restored = new Map(actions.filter((a): a is RestoreAction => a.type === 'restore').map((a) => [a.key, a]));
  const others = new Map<KindName, JsonObject[]>();
  for (const [name, objects] of live) {
    const kind = kindByName(name);
    others.set(
      name,
      objects
        .filter((o) => kind.management !== undefined || liveOwner(kind, o, stack, ledgers)?.stack !== stack)
        .map((o) => {
          const r = kind.management ? restored.get(keyOf(kind, o)) : undefined;
          return r ? { ...o, ...Object.fromEntries(r.restorations.filter((x) => x.to !== undefined).map((x) => [x.field, x.to!])) } : o;
        }),
    );
  }
  const removing = new Map(prunes.map((p) => [uriOfLive(kindByName(p.kind), p.live), `${kindByName(p.kind).title} "${p.name}"`]));
  const blocking = blockingReferences(others, removing);
  return actions.map((action) => {
    if (action.type !== 'prune' && action.type !== 'replace') return action;
    const target = removing.get(uriOfLive(kindByName(action.kind), action.live));
    const users = blocking.filter((b) => b.target === target);
    if (users.length === 0) return action;
    const object: DesiredObject = action.type === 'replace' ? action.object : { kind: action.kind, id: action.id ?? action.name, spec: {} };
    return { type: 'conflict', kind: action.kind, id: action.id, name: action.name, object, key: action.key, reason: `cannot be removed: objects this stack does not own still use it (Pexip refuses to delete an object in use):\n${describeBlocking(users)}\n  Re-point or remove them in Pexip first.` };
  });
}

/** A declaration of fields on an existing object: the object found by its natural key, or a conflict. */
function matchClaim(kind: KindSpec, object: DesiredObject, live: readonly JsonObject[]): Action {
  const name = String(object.spec[kind.naturalKey]);
  const base = { kind: object.kind, id: object.id, name };
  const found = live.find((o) => naturalKeyOf(kind, o) === name);
  if (!found) {
    const names = live.map((o) => `"${liveName(kind, o)}"`).join(', ');
    return { ...base, type: 'conflict', object, reason: `no ${kind.title} named "${name}" exists in Pexip (a stack sets fields on existing ${kind.title}s, never creates one); ${kind.title}s: ${names || 'none'}.` };
  }
  return { ...base, type: 'update', object, key: keyOf(kind, found), live: found, changes: [], sendSecrets: false, uploadPackage: false };
}

/** Field records of this stack whose declaration is gone: give the fields back. */
function restoreActions(kind: KindSpec, declared: readonly DesiredObject[], live: readonly JsonObject[], ledger: Ledger): RestoreAction[] {
  const actions: RestoreAction[] = [];
  for (const object of live) {
    const record = ledger.fields[claimKey(kind, object)];
    if (!record) continue;
    const claim = declared.find((d) => d.spec[kind.naturalKey] === object[kind.naturalKey]);
    const dropped = Object.keys(record.fields).filter((field) => claim?.spec[field] === undefined);
    if (dropped.length === 0) continue;
    actions.push({ type: 'restore', kind: kind.name as KindName, name: liveName(kind, object), key: keyOf(kind, object), live: object, restorations: restorations(object, record, dropped), cause: 'pending' });
  }
  return actions;
}

/** Field diff of a claim: what to set, what is drift, and the values someone else set (conflicts unless taken over). */
function withClaimDiff(set: DesiredSet, object: DesiredObject, action: MatchedAction, uris: ReadonlyMap<string, string>, lookups: ReadonlyMap<string, string | undefined>, ledgers: readonly Ledger[]): Action {
  const kind = kindByName(object.kind);
  const [own, ...others] = ledgers;
  const body = desiredBody(set, object, uris, lookups, action.live);
  const decisions = decideFields(kind, action.live, body, own.fields[claimKey(kind, action.live)], others);
  const where = describeClaimed(kind, action.live);
  const blocked = decisions.flatMap((d) => {
    if (d.decision === 'other-stack') return [`${where}, field ${d.field}: managed by stack "${d.stack}"; two stacks cannot manage one field.`];
    if (d.decision === 'foreign' && !object.takeOver) {
      return [`${where}, field ${d.field}: holds ${JSON.stringify(comparable(d.live))}, which this stack did not set. Set takeOver: true to replace it (removal then restores it), or leave the field out.`];
    }
    return [];
  });
  if (blocked.length > 0) return { type: 'conflict', kind: object.kind, id: object.id, name: action.name, object, key: action.key, reason: blocked.join(' ') };
  const changing = decisions.filter((d) => d.decision === 'set' || d.decision === 'foreign');
  // A cleared field reads back absent on a real node: it was null.
  const changes = changing.map((d) => ({ field: d.field, from: referenceUri(action.live[d.field]) ?? action.live[d.field] ?? null, to: body[d.field] }));
  const drift = changing.some((d) => d.decision === 'set' && d.cause === 'drift');
  return { ...action, type: changes.length > 0 ? 'update' : 'unchanged', changes, cause: drift ? 'drift' : 'pending', ...(changing.some((d) => d.decision === 'foreign') ? { takeover: 'adopt' as const } : {}) };
}

/** Pending or drift: see `Cause`. Replacements and adoptions are always the code's doing. */
function withCause(action: Action, ledger: Ledger): Action {
  switch (action.type) {
    case 'create':
      return { ...action, cause: ledger.objects[action.id!]?.key !== undefined ? 'drift' : 'pending' };
    case 'conflict':
      return { ...action, cause: ledger.objects[action.id!]?.key !== undefined ? 'drift' : 'pending' };
    case 'update': {
      if (kindByName(action.kind).management) return action;
      const recorded = action.recordedSpecHash;
      const handEdit = action.takeover === undefined && !action.uploadPackage && (recorded === undefined || recorded === declaredHash(action.object));
      return { ...action, cause: handEdit && action.changes.length > 0 ? 'drift' : 'pending' };
    }
    default:
      return action;
  }
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

function matchObject(set: DesiredSet, kind: KindSpec, object: DesiredObject, candidates: Candidate[], referenced: ReadonlySet<string>, noLedger: boolean): Action {
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
    if (!byKey) {
      const clash = uniqueClash(kind, object, candidates);
      return clash ? { ...base, type: 'conflict', object, reason: clash } : { ...base, type: 'create', object };
    }
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
        reason: `${kind.naturalKey} "${key}" already exists in Pexip and is not owned by this stack. Adopt it (pexip-cdktf adopt, or adopt: true on the construct) or choose another ${kind.naturalKey}.${
          kind.ownership.style === 'ledger' && noLedger ? ` (A ${kind.title} is recorded in the stack's ledger, policy profile "${ledgerName(set.stack)}", which is missing: if this is the stack's own, adopt it.)` : ''
        }`,
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
    ...(hit.owner?.specHash !== undefined ? { recordedSpecHash: hit.owner.specHash } : {}),
  };
}

/**
 * A create that Pexip would refuse because another object already holds one of its unique values other than the
 * natural key (a telehealth profile's uuid): found before any write, with the way out.
 */
function uniqueClash(kind: KindSpec, object: DesiredObject, candidates: readonly Candidate[]): string | undefined {
  for (const [field, spec] of Object.entries(kind.fields)) {
    const value = object.spec[field];
    if (!spec.unique || field === kind.naturalKey || typeof value !== 'string') continue;
    const holder = candidates.find((c) => c.object[field] === value);
    if (!holder) continue;
    const owner = holder.owner ? ` (stack "${holder.owner.stack}")` : '';
    const hint = kind.name === 'telehealth_profile' && field === 'uuid'
      ? ' The default uuid derives from the stack name and construct path only, so two apps with the same ones get the same uuid: give this profile its own (profileUuid; pexip-cdktf init generates one per environment).'
      : '';
    return `${field} ${value} is already the ${field} of ${kind.title} "${naturalKeyOf(kind, holder.object) ?? keyOf(kind, holder.object)}"${owner}; Pexip keeps it unique.${hint}`;
  }
  return undefined;
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
  // A marker that differs only in its recorded hashes is refreshed when the object is written anyway; by itself it
  // is no change, so an upgrade from an earlier marker format leaves plans clean.
  const markerField = kind.ownership.style === 'description-suffix' ? kind.ownership.field : undefined;
  const markerOnly = (c: FieldChange) => c.field === markerField && typeof c.from === 'string' && typeof c.to === 'string' && stripMarker(c.from) === stripMarker(c.to);
  const real = changes.filter((c) => !markerOnly(c));
  const changed = real.length > 0 || action.sendSecrets || action.uploadPackage || action.takeover !== undefined;
  const markerStale = real.length !== changes.length;
  return { ...action, type: changed ? 'update' : 'unchanged', changes: real, ...(markerStale ? { markerStale } : {}) };
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
