import { keyOf, type PexipClient } from '../api/client';
import { ConfigError } from '../api/errors';
import { LedgerDamagedError } from './records';
import { isKindName, kindByName, type KindName } from '../kinds';
import { type Owner, ownerOf } from '../kinds/ownership';
import type { JsonObject, JsonValue, KindSpec } from '../kinds/types';
import { isPlainObject } from '../kinds/validate';
import { canonicalJson } from '../util/canonical-json';
import type { LiveState } from './live';

/**
 * The ledger: one record per stack, kept in Pexip itself so it survives a lost Terraform state, and visible to
 * admins. It holds what has no other place on the objects:
 * - which objects of kinds without a free-text field the stack owns (themes, web proxies), with the package hash,
 *   secrets version and spec hash a description marker would carry; a `pending` entry is written before such an
 *   object is created, so a run killed between create and record still recognises it;
 * - which logical ids exist, so an object deleted by hand shows as drift rather than as a pending create;
 * - the fields the stack set on objects it does not own (a system location's policy profile), with the value
 *   that was there before, to restore on removal.
 * It lives in a policy profile that does nothing (every lookup and script disabled, assigned to no location):
 * the one kind with a text field large enough (49152 characters) that Pexip does not interpret when disabled.
 */

export const LEDGER_FORMAT = 'pexip-cdktf/ledger@1';
const LEDGER_KIND: KindName = 'policy_server';
const LEDGER_FIELD = 'internal_service_policy_template';
/** The ledger field's length in Pexip (`internal_service_policy_template`). */
export const LEDGER_LIMIT = 49152;
const LEDGER_MARKER = /\[pexip-cdktf-ledger:([A-Za-z][A-Za-z0-9_-]{0,39})\]$/;

/** One object the stack owns or has created. */
export interface LedgerEntry {
  readonly kind: KindName;
  /** Detail key in Pexip; absent while `pending`. */
  readonly key?: string;
  /** Written before the create: the natural key the new object will have. */
  readonly pending?: string;
  /**
   * With `pending`: the plain fields the create sends. An object found later under the natural key that differs in
   * any of them was made by someone else meanwhile, and is not taken for the stack's own.
   */
  readonly expect?: JsonObject;
  readonly pkg?: string;
  readonly sv?: string;
  readonly h?: string;
}

/** A field the stack manages on an object it does not own. */
export interface FieldRecord {
  /** What the stack set: a resource URI or a plain value. */
  readonly value: JsonValue;
  /** What was there before the stack first set it; restored on removal. */
  readonly previous: JsonValue;
  /** The logical id of the declaration that set it. */
  readonly by: string;
}

export interface Ledger {
  readonly stack: string;
  /**
   * The convergence token of the last deploy that converged the stack (the reconciler's `converge` trigger). The
   * synth-time check gives it back while Pexip matches the stack, so the run after a repair plans no change.
   */
  readonly convergedRun?: string;
  /** By logical id. */
  readonly objects: Readonly<Record<string, LedgerEntry>>;
  /** By `<kind>/<key>` of the object not owned, then by field. */
  readonly fields: Readonly<Record<string, { readonly name: string; readonly fields: Readonly<Record<string, FieldRecord>> }>>;
}

export function emptyLedger(stack: string): Ledger {
  return { stack, objects: {}, fields: {} };
}

/** The ledger's name in Pexip (Call control > Policy profiles). */
export function ledgerName(stack: string): string {
  return `pexip-cdktf: ${stack}`;
}

/** Names no declaration may use: they belong to ledgers. */
export function isLedgerName(kind: KindName, name: unknown): boolean {
  return kind === LEDGER_KIND && typeof name === 'string' && name.startsWith('pexip-cdktf: ');
}

/** True for the policy profile that holds some stack's ledger (never a candidate for a declared object). */
export function isLedgerObject(kind: KindSpec, object: Readonly<JsonObject>): boolean {
  return kind.name === LEDGER_KIND && typeof object.description === 'string' && LEDGER_MARKER.test(object.description);
}

/** The live ledger object of a stack and its parsed content, if the stack has one. */
export function findLedger(live: LiveState, stack: string): { key: string; ledger: Ledger } | undefined {
  const kind = kindByName(LEDGER_KIND);
  const object = (live.get(LEDGER_KIND) ?? []).find((o) => isLedgerObject(kind, o) && LEDGER_MARKER.exec(String(o.description))?.[1] === stack);
  if (!object) return undefined;
  return { key: keyOf(kind, object), ledger: parseLedger(object[LEDGER_FIELD], stack) };
}

function parseLedger(text: JsonValue | undefined, stack: string): Ledger {
  const damaged = (why: string) =>
    new LedgerDamagedError(`the ledger of stack "${stack}" (policy profile "${ledgerName(stack)}") is damaged: ${why}. Someone edited it by hand; restore it from a backup, or delete it and adopt the stack's objects again.`, {
      kind: kindByName(LEDGER_KIND).title,
      object: ledgerName(stack),
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(text ?? ''));
  } catch {
    throw damaged('its content is not JSON');
  }
  if (!isPlainObject(parsed as JsonValue)) throw damaged('its content is not a JSON object');
  const record = parsed as Record<string, unknown>;
  if (record.format !== LEDGER_FORMAT) throw damaged(`unknown format ${JSON.stringify(record.format)}`);
  if (record.stack !== stack || !isPlainObject(record.objects as JsonValue) || !isPlainObject(record.fields as JsonValue)) throw damaged('it lacks stack, objects or fields');
  const objects: Record<string, LedgerEntry> = {};
  for (const [id, entry] of Object.entries(record.objects as Record<string, unknown>)) {
    const e = entry as Record<string, unknown>;
    if (!isPlainObject(entry as JsonValue) || typeof e.kind !== 'string' || !isKindName(e.kind) || (typeof e.key !== 'string' && typeof e.pending !== 'string')) throw damaged(`its entry for "${id}" is malformed`);
    objects[id] = e as unknown as LedgerEntry;
  }
  if (record.convergedRun !== undefined && typeof record.convergedRun !== 'string') throw damaged('its convergedRun is not text');
  return { stack, objects, fields: record.fields as Ledger['fields'], ...(typeof record.convergedRun === 'string' ? { convergedRun: record.convergedRun } : {}) };
}

/** The ledger as stored: canonical JSON, so an unchanged ledger is never written again. */
export function ledgerText(ledger: Ledger): string {
  return canonicalJson({ format: LEDGER_FORMAT, stack: ledger.stack, objects: ledger.objects, fields: ledger.fields, ...(ledger.convergedRun ? { convergedRun: ledger.convergedRun } : {}) } as unknown as JsonValue);
}

export function ledgerOverflow(stack: string, length: number, projected = false): ConfigError {
  return new ConfigError(`stack "${stack}" declares too much for its ledger (${projected ? 'projected ' : ''}${length} of ${LEDGER_LIMIT} characters); split it into smaller stacks.${projected ? ' Nothing was written.' : ''}`, { field: 'stack' });
}

/** The body of the ledger's policy profile: everything disabled, the record in one text field. */
export function ledgerBody(ledger: Ledger): JsonObject {
  const text = ledgerText(ledger);
  if (text.length > LEDGER_LIMIT) throw ledgerOverflow(ledger.stack, text.length);
  return {
    name: ledgerName(ledger.stack),
    description: `Record of pexip-cdktf stack "${ledger.stack}": do not edit, assign or delete. [pexip-cdktf-ledger:${ledger.stack}]`,
    enable_internal_service_policy: false,
    enable_internal_participant_policy: false,
    enable_internal_media_location_policy: false,
    enable_service_lookup: false,
    enable_participant_lookup: false,
    enable_registration_lookup: false,
    enable_directory_lookup: false,
    enable_avatar_lookup: false,
    enable_media_location_lookup: false,
    [LEDGER_FIELD]: text,
  };
}

/**
 * Who owns a live object: the marker on it (current or legacy), else the ledger entry of a kind without a marker.
 * `ledgers` are the stacks' ledgers to consult (this stack's first).
 */
export function liveOwner(kind: KindSpec, object: Readonly<JsonObject>, stack: string, ledgers: readonly Ledger[]): Owner | undefined {
  const logicalIds = Object.keys(ledgers.find((l) => l.stack === stack)?.objects ?? {});
  return ownerOf(kind, object, { stack, logicalIds }) ?? (kind.ownership.style === 'ledger' ? ledgers.map((l) => ledgerOwner(l, kind, object)).find(Boolean) : undefined);
}

/**
 * The owner the ledger records for a live object of a ledger-kept kind: an entry with its key, or a pending entry
 * whose natural key it has (created by a run that died before recording it).
 */
export function ledgerOwner(ledger: Ledger, kind: KindSpec, object: Readonly<JsonObject>): Owner | undefined {
  const key = keyOf(kind, object);
  const name = object[kind.naturalKey];
  for (const [logicalId, entry] of Object.entries(ledger.objects)) {
    if (entry.kind !== kind.name) continue;
    if (entry.key === key || (entry.key === undefined && entry.pending !== undefined && entry.pending === name && matchesExpected(entry.expect, object))) {
      return { stack: ledger.stack, logicalId, ...(entry.sv ? { secretsVersion: entry.sv } : {}), ...(entry.pkg ? { packageHash: entry.pkg } : {}), ...(entry.h ? { specHash: entry.h } : {}) };
    }
  }
  return undefined;
}

/** The ledgers of other stacks, so their ledger-kept objects are theirs, not unowned. A damaged one is skipped. */
export function otherLedgers(live: LiveState, stack: string): Ledger[] {
  const stacks = new Set<string>();
  for (const object of live.get(LEDGER_KIND) ?? []) {
    const owner = LEDGER_MARKER.exec(String(object.description ?? ''))?.[1];
    if (owner !== undefined && owner !== stack) stacks.add(owner);
  }
  return [...stacks].flatMap((other) => {
    try {
      return [findLedger(live, other)!.ledger];
    } catch {
      return [];
    }
  });
}

/** "" and null are one value in Pexip's answers; absent is neither when a value was sent. */
function matchesExpected(expected: JsonObject | undefined, live: Readonly<JsonObject>): boolean {
  if (!expected) return true;
  const norm = (v: JsonValue | undefined) => (v === '' || v === null ? null : v);
  return Object.entries(expected).every(([field, value]) => Object.prototype.hasOwnProperty.call(live, field) && canonicalJson(norm(value) as JsonValue) === canonicalJson(norm(live[field]) as JsonValue));
}

/** The kind that holds ledgers. */
export const LEDGER_KIND_NAME = LEDGER_KIND;

/** Writes the stack's ledger when its content changes: created on the first write, patched after. */
export class LedgerWriter {
  private text: string;

  constructor(
    private readonly client: PexipClient,
    private readonly stack: string,
    private key: string | undefined,
    current: Ledger,
  ) {
    this.text = key === undefined ? '' : ledgerText(current);
  }

  /** `create`: make the ledger even when it records nothing yet (a first deploy makes it before any other write). */
  async write(ledger: Ledger, progress: (line: string) => void, options: { create?: boolean } = {}): Promise<void> {
    const text = ledgerText(ledger);
    if (text === this.text || (this.key === undefined && !options.create && Object.keys(ledger.objects).length === 0 && Object.keys(ledger.fields).length === 0)) return;
    const kind = kindByName(LEDGER_KIND);
    const body = ledgerBody(ledger);
    if (this.key === undefined) {
      this.key = (await this.client.create(kind, body)).key;
      progress(`+ create ledger of stack "${this.stack}" (policy profile "${ledgerName(this.stack)}")`);
    } else {
      await this.client.update(kind, this.key, { [LEDGER_FIELD]: body[LEDGER_FIELD] }, { object: ledgerName(this.stack) });
    }
    this.text = text;
  }
}

