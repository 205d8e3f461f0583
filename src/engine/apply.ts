import { createHash } from 'node:crypto';
import { basename, isAbsolute, relative } from 'node:path';
import type { PexipClient, UploadFile } from '../api/client';
import { ConfigError, PexipCdktfError } from '../api/errors';
import { CREATION_STEPS, kindByName, REMOVAL_ORDER } from '../kinds';
import { readBoundedFile } from '../util/read-file';
import type { JsonObject, JsonValue, KindSpec } from '../kinds/types';
import { type DesiredObject, type DesiredSet, describeObject, isLookup, isRef, packagePath } from './desired';
import { fieldOf } from '../kinds/validate';
import { claimKey, comparable, type Restoration } from './field-claims';
import { type Ledger, type LedgerEntry, LedgerWriter } from './ledger';
import { InterruptedError, type StopToken } from './pool';
import { inPool, referenceUri, uriOfLive } from './live';
import { type Action, type ConflictAction, desiredBody, diffFields, KNOWN_AFTER_APPLY, type MatchedAction, ownerFor, type Plan, type RestoreAction } from './plan';

/** The plan cannot be applied as it stands: conflicts are listed, nothing was written. */
/** One conflict as `reconcile` and `doctor` print it: the declaration, the name in Pexip, the reason. */
export function describeConflict(c: ConflictAction): string {
  return `${describeObject(c.object)} ("${c.name}"): ${c.reason}`;
}

export class PlanConflictError extends PexipCdktfError {
  constructor(readonly conflicts: readonly ConflictAction[]) {
    super(
      `nothing was changed: ${conflicts.length} conflict${conflicts.length > 1 ? 's' : ''}:\n${conflicts.map((c) => `  ${describeConflict(c)}`).join('\n')}`,
      { kind: kindByName(conflicts[0].kind).title, object: conflicts[0].id },
    );
  }
}

export interface ApplyContext {
  readonly client: PexipClient;
  /** Secret values per logical id, resolved before the first write. */
  readonly secrets: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Package contents per logical id, read and hash-checked before the first write. */
  readonly packages: ReadonlyMap<string, UploadFile>;
  /** One line per object action. */
  readonly progress: (line: string) => void;
  /** Set on SIGINT/SIGTERM: no new request starts, those in flight finish, and the run ends with InterruptedError. */
  readonly stop?: StopToken;
  /** The reconciler's convergence token, recorded in the ledger once the stack has converged (synth-drift.ts). */
  readonly convergedRun?: string;
}

export interface ApplyResult {
  created: number;
  updated: number;
  replaced: number;
  pruned: number;
  unchanged: number;
}

/** Largest theme or branding package read: far above real ones (a few MiB of images and audio). */
const MAX_PACKAGE_BYTES = 256 * 1024 * 1024;

/** Reads every package the set declares and checks it is the file that was synthesized (same SHA-256). */
export function loadPackages(set: DesiredSet, baseDir: string): Map<string, UploadFile> {
  const packages = new Map<string, UploadFile>();
  for (const object of set.objects) {
    if (!object.package) continue;
    const kind = kindByName(object.kind);
    const path = packagePath(baseDir, object.package.path);
    // Packages are copied next to the desired set at synth: a path leading elsewhere is not one the stack made.
    const rel = relative(baseDir, path);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new ConfigError(`${describeObject(object)}, field ${kind.upload?.fileField}: package ${object.package.path} is outside the desired set's directory; run cdktf synth again.`, { kind: kind.title, object: object.id, field: kind.upload?.fileField });
    }
    let content: Buffer;
    try {
      content = readBoundedFile(path, { source: 'package', maxBytes: MAX_PACKAGE_BYTES });
    } catch (error) {
      const code = /\((E[A-Z]+)\)\.$/.exec((error as Error).message)?.[1];
      const why = code ? `cannot read package ${path} (${code}).` : (error as Error).message;
      throw new ConfigError(`${describeObject(object)}, field ${kind.upload?.fileField}: ${why}`, { kind: kind.title, object: object.id, field: kind.upload?.fileField });
    }
    const sha256 = createHash('sha256').update(content).digest('hex');
    if (sha256 !== object.package.sha256) {
      throw new ConfigError(`${describeObject(object)}, field ${kind.upload?.fileField}: package ${path} changed since it was synthesized; run cdktf synth again.`, { kind: kind.title, object: object.id, field: kind.upload?.fileField });
    }
    packages.set(object.id, { fileName: basename(path), content });
  }
  return packages;
}

const SYMBOL: Record<Action['type'], string> = { create: '+', update: '~', replace: '-/+', prune: '-', restore: '<', unchanged: '=', conflict: '!' };

export function actionLine(action: Action, detail: string): string {
  const who = `${kindByName(action.kind).title} "${action.name}"${action.id ? ` (${action.id})` : ''}`;
  return `${SYMBOL[action.type]} ${action.type} ${who}${detail ? `: ${detail}` : ''}`;
}

/**
 * Applies a plan: creates and updates, each once the objects it refers to exist, then
 * prunes and removes replaced objects in the documented removal order, then records the result in the stack's
 * ledger. Each step is safe to repeat: a re-run after any failure converges, because objects are found again by
 * their markers, and objects of kinds without a marker by the ledger's entries (written as pending before the create).
 */
export async function applyPlan(set: DesiredSet, plan: Plan, context: ApplyContext): Promise<ApplyResult> {
  const conflicts = plan.actions.filter((a): a is ConflictAction => a.type === 'conflict');
  if (conflicts.length > 0) throw new PlanConflictError(conflicts);
  const result: ApplyResult = { created: 0, updated: 0, replaced: 0, pruned: 0, unchanged: 0 };
  const uris = new Map<string, string>();
  const keys = new Map<string, string>();
  for (const action of plan.actions) {
    if (action.type === 'update' || action.type === 'unchanged') {
      uris.set(action.id!, uriOfLive(kindByName(action.kind), action.live));
      keys.set(action.id!, action.key);
    }
  }
  const { client } = context;
  const ledger = new LedgerWriter(client, set.stack, plan.ledger.key, plan.ledger.current);
  // Objects without a marker are recorded as pending before they exist, so a run killed mid-create still knows them.
  const pendingLedger = withPendingCreates(plan);
  // A first deploy makes the ledger before anything else: then an object with the stack's marker and no ledger
  // beside it can only mean the ledger was deleted (record-checks.ts), never a run killed early.
  const ledgerFirst = plan.ledger.key === undefined && plan.actions.some((a) => a.type !== 'unchanged');
  const recordPending = () => ledger.write(pendingLedger, context.progress, { create: ledgerFirst });
  // Location fields the run will set are recorded (with what they hold now) before their PATCH, so a run killed right
  // after one still lets removal give the old value back. Restorations done so far are recorded when a run stops or
  // fails; a killed one leaves their records, which removal then treats as a value changed since (left alone).
  const claimsDone = new Set<Action>();
  let claimsRecorded = false;
  const recordClaims = async () => {
    await ledger.write({ ...pendingLedger, fields: fieldRecords(set, plan, uris, plan.ledger.current.fields, isClaimUpdate) }, context.progress);
    claimsRecorded = true;
  };
  try {
    await applySteps(set, plan, context, result, uris, keys, claimsDone, recordPending, recordClaims, ledgerFirst);
    checkStop(context, result);
    const converged = context.convergedRun ?? plan.ledger.current.convergedRun;
    await ledger.write({ ...ledgerAfter(set, plan, keys, uris), ...(converged ? { convergedRun: converged } : {}) }, context.progress);
  } catch (error) {
    if (claimsDone.size > 0 || claimsRecorded) {
      const fields = fieldRecords(set, plan, uris, plan.ledger.current.fields, (a) => claimsDone.has(a) || (claimsRecorded && isClaimUpdate(a)));
      await ledger.write({ ...pendingLedger, fields }, context.progress).catch((e: unknown) => {
        context.progress(`! the location fields set so far could not be recorded in the stack's ledger (${e instanceof Error ? e.message : String(e)}); what they held before is then not known to removal`);
      });
    }
    throw error;
  }
  return result;
}

/** An update that sets fields of an object the stack does not own (a location's policy profile). */
function isClaimUpdate(action: Action): boolean {
  return action.type === 'update' && kindByName(action.kind).management !== undefined;
}

/** A create whose object has no marker: it may start only once the ledger records it as pending. */
function needsPendingEntry(action: Action): boolean {
  return (action.type === 'create' || action.type === 'replace') && kindByName(action.kind).ownership.style === 'ledger';
}

async function applySteps(
  set: DesiredSet,
  plan: Plan,
  context: ApplyContext,
  result: ApplyResult,
  uris: Map<string, string>,
  keys: Map<string, string>,
  claimsDone: Set<Action>,
  recordPending: () => Promise<void>,
  recordClaims: () => Promise<void>,
  ledgerFirst: boolean,
): Promise<void> {
  const { client } = context;
  // One pool for the whole deploy, in creation order: each request waits only for what it needs (the objects it refers
  // to, the licence, and for a create without a marker the ledger's pending entries), not for a whole step. Location
  // fields wait for the ledger to record them, queued just before the first of them.
  const actions = CREATION_STEPS.flatMap((step) => plan.actions.filter((a) => step.some((kind) => kind.name === a.kind)));
  const firstClaim = actions.findIndex(isClaimUpdate);
  const work: Work[] = [{ ledger: 'pending' }, ...actions.map((action) => ({ action }))];
  if (firstClaim >= 0) work.splice(firstClaim + 1, 0, { ledger: 'claims' });
  const after = dependencies(work, ledgerFirst);
  checkStop(context, result);
  await inPool(
    client,
    work,
    context.stop,
    async (item) => {
      if ('ledger' in item) return item.ledger === 'pending' ? recordPending() : recordClaims();
      const { action } = item;
      const kind = kindByName(action.kind);
      if (action.type === 'unchanged') {
        result.unchanged++;
        if (action.markerStale) await refreshMarker(set, action, uris, plan, context);
      }
      if (action.type !== 'create' && action.type !== 'replace' && action.type !== 'update') return;
      const object = action.object;
      const body = desiredBody(set, object, uris, plan.lookups, action.type === 'create' ? undefined : action.live);
      const pending = Object.entries(body).find(([, v]) => v === KNOWN_AFTER_APPLY);
      if (pending) throw new PexipCdktfError(`${describeObject(object)}, field ${pending[0]}: refers to an object that was not created first (internal ordering error).`);
      const secrets = context.secrets.get(object.id) ?? {};
      const file = context.packages.get(object.id);
      if (action.type === 'update') {
        const patch = patchBody(body, diffFields(kind, body, action.live).map((c) => c.field), action.sendSecrets ? secrets : {});
        await client.update(kind, action.key, patch, { ...(action.uploadPackage ? { file } : {}), object: action.name });
        if (kind.management) claimsDone.add(action);
        result.updated++;
        context.progress(actionLine(action, updateDetail(action, action.changes.map((c) => c.field))));
        return;
      }
      const created = await client.create(kind, { ...body, ...secrets }, { file });
      uris.set(object.id, created.uri);
      keys.set(object.id, created.key);
      if (action.type === 'create') result.created++;
      else result.replaced++;
      context.progress(actionLine(action, action.type === 'replace' ? `${action.reason}; new ${kind.detailKey} ${created.key}` : `${kind.detailKey} ${created.key}`));
    },
    after,
  );
  // Removal order between steps; the deletes of one step at once. Fields given back first: Pexip refuses to delete a
  // policy profile or web proxy a location still uses.
  for (const kind of REMOVAL_ORDER) {
    checkStop(context, result);
    const restores = plan.actions.filter((a): a is RestoreAction => a.kind === kind.name && a.type === 'restore');
    await inPool(client, restores, context.stop, async (action) => {
      await restoreFields(client, kind, action.key, action.name, action.restorations, context.progress);
      claimsDone.add(action);
    });
    const deletes = plan.actions.filter((a) => a.kind === kind.name && (a.type === 'prune' || a.type === 'replace'));
    await inPool(client, deletes, context.stop, async (action) => {
      const key = (action as { key: string }).key;
      const outcome = await client.delete(kind, key, { tolerateNotFound: true, object: action.name });
      if (action.type === 'prune') {
        result.pruned++;
        context.progress(actionLine(action, outcome === 'absent' ? 'already gone' : (action as { duplicate?: boolean }).duplicate ? 'duplicate deleted' : 'deleted'));
      } else {
        context.progress(`- delete replaced ${kind.title} "${action.name}" (${kind.detailKey} ${key})${outcome === 'absent' ? ': already gone' : ''}`);
      }
    });
  }
}

/** An item of the deploy's pool: an action, or a write of the ledger (pending entries; location fields about to be set). */
type Work = { readonly action: Action } | { readonly ledger: 'pending' | 'claims' };

/**
 * What each item of the deploy's pool waits for: the objects created in this run that it refers to, the licence
 * (telehealth objects may need it active); a create without a marker, the pending entries; a location field, its
 * record (which waits for the pending write and for the objects the fields will point at, to know their URIs).
 */
function dependencies(items: readonly Work[], ledgerFirst: boolean): (index: number) => number[] {
  const pendingAt = items.findIndex((w) => 'ledger' in w && w.ledger === 'pending');
  const claimsAt = items.findIndex((w) => 'ledger' in w && w.ledger === 'claims');
  const created = new Map<string, number>();
  const licence: number[] = [];
  items.forEach((item, i) => {
    if (!('action' in item) || item.action.type === 'unchanged') return;
    const { action } = item;
    if (action.kind === 'licence') licence.push(i);
    if ((action.type === 'create' || action.type === 'replace') && action.id) created.set(action.id, i);
  });
  // A desired set holds {$ref} only as the value of a reference field (desired.ts), never inside a list.
  const refsOf = (action: Action) => {
    const spec = 'object' in action && action.object ? action.object.spec : {};
    return Object.values(spec).flatMap((value) => (isRef(value) && created.has(value.$ref) ? [created.get(value.$ref)!] : []));
  };
  return (index) => {
    const item = items[index];
    if ('ledger' in item) {
      if (item.ledger === 'pending') return [];
      const claims = items.flatMap((w) => ('action' in w && isClaimUpdate(w.action) ? refsOf(w.action) : []));
      return [pendingAt, ...claims];
    }
    const { action } = item;
    const deps = action.kind === 'licence' ? [] : licence.filter((i) => i < index);
    if (ledgerFirst || needsPendingEntry(action)) deps.push(pendingAt);
    if (isClaimUpdate(action)) deps.push(claimsAt);
    return [...deps, ...refsOf(action)];
  };
}

/** After a SIGINT/SIGTERM, between steps: end the run, saying what was done. */
function checkStop(context: ApplyContext, result: ApplyResult): void {
  if (!context.stop?.stopped) return;
  throw new InterruptedError(context.stop.reason!, `done: ${result.created} created, ${result.updated} updated, ${result.replaced} replaced, ${result.pruned} pruned`);
}

/**
 * Gives claimed fields back: each to the value from before the stack set it, unless someone changed it since (left
 * as it is, and said so). One PATCH for the fields that change.
 */
export async function restoreFields(client: PexipClient, kind: KindSpec, key: string, name: string, restorations: readonly Restoration[], progress: (line: string) => void): Promise<void> {
  const patch: JsonObject = {};
  for (const r of restorations) if (r.to !== undefined && comparable(r.to) !== comparable(r.from)) patch[r.field] = r.to;
  if (Object.keys(patch).length > 0) await client.update(kind, key, patch, { object: name });
  for (const r of restorations) {
    progress(
      r.to !== undefined
        ? `< restore ${kind.title} "${name}", field ${r.field}: ${comparable(r.to)}${comparable(r.to) === comparable(r.from) ? ' (already)' : ''}${r.note ? ` (${r.note})` : ''}`
        : `! leave ${kind.title} "${name}", field ${r.field}: ${r.left}`,
    );
  }
}

/** Rewrites only the marker of an object whose marker an earlier version wrote (no other field changes). */
async function refreshMarker(set: DesiredSet, action: MatchedAction, uris: ReadonlyMap<string, string>, plan: Plan, context: ApplyContext): Promise<void> {
  const kind = kindByName(action.kind);
  const field = kind.ownership.field!;
  const body = desiredBody(set, action.object, uris, plan.lookups, action.live);
  await context.client.update(kind, action.key, { [field]: body[field] }, { object: action.name });
  context.progress(actionLine(action, 'ownership marker refreshed'));
}

/**
 * The ledger as it would be after the plan, with the longest keys and URIs the objects still to be created could get:
 * its size is checked before the first write (a stack too big for the field fails before, not after, its creates).
 */
export function projectedLedger(set: DesiredSet, plan: Plan): Ledger {
  const keys = new Map<string, string>();
  const uris = new Map<string, string>();
  for (const action of plan.actions) {
    if (action.id === undefined || action.type === 'prune' || action.type === 'restore') continue;
    const kind = kindByName(action.kind);
    const known = action.type === 'update' || action.type === 'unchanged';
    const key = known ? action.key : kind.detailKey === 'uuid' ? '00000000-0000-0000-0000-000000000000' : '9999999999';
    keys.set(action.id, key);
    uris.set(action.id, known ? uriOfLive(kind, action.live) : `/api/admin/configuration/v1/${kind.name}/${key}/`);
  }
  return { ...ledgerAfter(set, plan, keys, uris), ...(plan.ledger.current.convergedRun ? { convergedRun: plan.ledger.current.convergedRun.padEnd(CONVERGE_TOKEN_MAX) } : {}) };
}

/** Longest convergence token recorded (synth-drift.ts cuts its summary to fit). */
export const CONVERGE_TOKEN_MAX = 300;

/** The fields of a create that the node echoes as sent: not secrets, files or references. */
function plainFields(object: DesiredObject): JsonObject {
  const kind = kindByName(object.kind);
  const fields: JsonObject = {};
  for (const [field, value] of Object.entries(object.spec)) {
    const spec = fieldOf(kind, field);
    if (!spec || spec.secret || spec.readOnly || spec.type === 'file' || spec.type === 'reference' || spec.type === 'referenceList' || isRef(value) || isLookup(value)) continue;
    fields[field] = value;
  }
  return fields;
}

/** The recorded ledger plus a pending entry for every object without a marker that is about to be created. */
function withPendingCreates(plan: Plan): Ledger {
  const current = plan.ledger.current;
  const objects: Record<string, LedgerEntry> = { ...current.objects };
  for (const action of plan.actions) {
    if (action.type !== 'create' && action.type !== 'replace') continue;
    const kind = kindByName(action.kind);
    if (kind.ownership.style === 'ledger') objects[action.id!] = { kind: action.kind, pending: String(action.object.spec[kind.naturalKey]), expect: plainFields(action.object) };
  }
  return { ...current, objects };
}

/**
 * The ledger once the plan is applied: every declared object that exists with its key (objects of kinds without a
 * marker also with what their marker would hold: package, secrets version and spec hash), field records kept.
 */
function ledgerAfter(set: DesiredSet, plan: Plan, keys: ReadonlyMap<string, string>, uris: ReadonlyMap<string, string>): Ledger {
  const objects: Record<string, LedgerEntry> = {};
  for (const object of set.objects) {
    const kind = kindByName(object.kind);
    const key = keys.get(object.id);
    if (kind.ownership.style === 'terraform-state' || key === undefined) continue;
    if (kind.management) continue;
    if (kind.ownership.style !== 'ledger') {
      objects[object.id] = { kind: object.kind, key };
      continue;
    }
    const owner = ownerFor(set, object);
    objects[object.id] = { kind: object.kind, key, ...(owner.packageHash ? { pkg: owner.packageHash } : {}), ...(owner.secretsVersion ? { sv: owner.secretsVersion } : {}), h: owner.specHash! };
  }
  return { stack: set.stack, objects, fields: fieldRecords(set, plan, uris, plan.ledger.current.fields, () => true) };
}

/**
 * The ledger's field records once the given claims and restorations are done: what the stack set on each location,
 * and what was there before it first set each field.
 */
function fieldRecords(set: DesiredSet, plan: Plan, uris: ReadonlyMap<string, string>, current: Ledger['fields'], done: (action: Action) => boolean): Ledger['fields'] {
  const fields: Record<string, Ledger['fields'][string]> = { ...current };
  for (const action of plan.actions) {
    const kind = kindByName(action.kind);
    if (!kind.management || !done(action)) continue;
    if (action.type === 'restore') {
      const id = claimKey(kind, action.live);
      const kept = Object.fromEntries(Object.entries(fields[id]?.fields ?? {}).filter(([field]) => !action.restorations.some((r) => r.field === field)));
      if (Object.keys(kept).length > 0) fields[id] = { name: action.name, fields: kept };
      else delete fields[id];
    }
    if (action.type !== 'update' && action.type !== 'unchanged') continue;
    // What the stack set, and what was there before it first set each field (kept from the first record).
    const id = claimKey(kind, action.live);
    const body = desiredBody(set, action.object, uris, plan.lookups, action.live);
    const before = fields[id]?.fields ?? {};
    const recorded = Object.fromEntries(
      kind.management.fields
        .filter((field) => action.object.spec[field] !== undefined)
        .map((field) => [field, { value: body[field], previous: before[field] !== undefined ? before[field].previous : (referenceUri(action.live[field]) ?? action.live[field] ?? null), by: action.object.id }]),
    );
    fields[id] = { name: action.name, fields: { ...before, ...recorded } };
  }
  return fields;
}

function patchBody(body: JsonObject, changed: readonly string[], secrets: Readonly<Record<string, string>>): JsonObject {
  const patch: Record<string, JsonValue> = {};
  for (const field of changed) patch[field] = body[field];
  return { ...patch, ...secrets };
}

function updateDetail(action: MatchedAction, fields: readonly string[]): string {
  const kind = kindByName(action.kind);
  const secretFields = new Set(Object.keys(kind.fields).filter((f) => kind.fields[f].secret));
  const parts = [
    ...(action.takeover === 'adopt' ? [kind.management ? 'took over a value set by hand' : 'adopted'] : action.takeover === 'rekey' ? ['taken over from a stale logical id'] : []),
    ...fields.filter((f) => !secretFields.has(f)),
    ...(action.sendSecrets ? ['secrets sent'] : []),
    ...(action.uploadPackage ? ['package uploaded'] : []),
  ];
  return parts.join(', ');
}
