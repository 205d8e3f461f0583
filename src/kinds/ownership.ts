import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/canonical-json';
import type { JsonObject, KindSpec } from './types';

/**
 * Ownership markers: how an object records the stack and logical id that created it (see `OwnershipStyle`), plus
 * what the engine must remember between runs without storing any secret: the secrets version last sent, the hash
 * of the package last uploaded, and the hash of the spec last applied (so a later difference can be told apart as
 * a hand edit). Lookup goes marker first, then natural key; an object without our marker is never changed unless
 * adopted. Kinds without a free-text field are recorded in the stack's ledger instead (`src/engine/ledger.ts`).
 */

export interface Owner {
  readonly stack: string;
  /** Unknown for a legacy theme whose logical id is not among the candidates given to `ownerOf`. */
  readonly logicalId?: string;
  /** The `secretsVersion` whose secrets were last sent. */
  readonly secretsVersion?: string;
  /** First 12 hex digits of the SHA-256 of the package last uploaded. */
  readonly packageHash?: string;
  /** First 8 hex digits of the hash of the spec last applied (`specHash`). */
  readonly specHash?: string;
  /** The marker was found where an earlier version put it (e.g. a rule's `tag`); the next update moves it. */
  readonly legacyField?: string;
}

export type FullOwner = Owner & { readonly logicalId: string };

/** Stack names: what Terraform and cdktf accept as stack ids, short enough to leave room in a description. */
export const STACK_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;
/** Logical ids: construct ids, e.g. `profile`, `rule.device-pairing`. */
export const LOGICAL_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$/;
/** Length of the package hash kept in markers. */
export const PACKAGE_HASH_LENGTH = 12;
/** Length of the spec hash kept in markers. */
export const SPEC_HASH_LENGTH = 8;

const BODY = '([A-Za-z][A-Za-z0-9_-]{0,39})\\/([A-Za-z0-9][A-Za-z0-9_.-]{0,59})((?:;[a-z]+=[A-Za-z0-9._-]+)*)';
const SUFFIX_PATTERN = new RegExp(` ?\\[pexip-cdktf:${BODY}\\]$`);
const WHOLE_PATTERN = new RegExp(`^pexip-cdktf:${BODY}$`);
const DERIVED_UUID = /^([0-9a-f]{8})-c0f7-8([0-9a-f]{3})-[89ab]([0-9a-f]{3})-([0-9a-f]{12})$/;

function hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function attributes(owner: Owner): string {
  return `${owner.secretsVersion ? `;sv=${owner.secretsVersion}` : ''}${owner.packageHash ? `;pkg=${owner.packageHash}` : ''}${owner.specHash ? `;h=${owner.specHash}` : ''}`;
}

function parseBody(match: RegExpExecArray): Owner {
  const attrs = Object.fromEntries(
    match[3]
      .split(';')
      .filter(Boolean)
      .map((pair) => pair.split('=', 2) as [string, string]),
  );
  return {
    stack: match[1],
    logicalId: match[2],
    ...(attrs.sv ? { secretsVersion: attrs.sv } : {}),
    ...(attrs.pkg ? { packageHash: attrs.pkg } : {}),
    ...(attrs.h ? { specHash: attrs.h } : {}),
  };
}

/** The text of a marker, e.g. `pexip-cdktf:prod/profile;sv=2;h=1a2b3c4d`. */
export function markerText(owner: FullOwner): string {
  return `pexip-cdktf:${owner.stack}/${owner.logicalId}${attributes(owner)}`;
}

function logicalHash(stack: string, logicalId: string): string {
  return hex(`logical:${stack}/${logicalId}`).slice(0, 6);
}

/**
 * The theme uuid earlier versions derived from stack, logical id and package (an RFC 9562 version-8 uuid whose
 * second group is `c0f7`). Themes so marked are still recognised, and recorded in the ledger on the next deploy.
 */
export function derivedUuid(stack: string, logicalId: string, packageHash?: string): string {
  const l = logicalHash(stack, logicalId);
  const last = packageHash ?? hex(`nopackage:${stack}/${logicalId}`).slice(0, PACKAGE_HASH_LENGTH);
  return `${hex(`stack:${stack}`).slice(0, 8)}-c0f7-8${l.slice(0, 3)}-8${l.slice(3, 6)}-${last}`;
}

/** Characters the description marker adds at most (every attribute present), so limits can be checked early. */
export function descriptionMarkerLength(owner: FullOwner): number {
  return ` [${markerText({ ...owner, packageHash: '0'.repeat(PACKAGE_HASH_LENGTH), specHash: '0'.repeat(SPEC_HASH_LENGTH) })}]`.length;
}

/** Adds the marker to a spec that is about to be written (kinds recorded elsewhere are returned unchanged). */
export function applyMarker(kind: KindSpec, spec: JsonObject, owner: FullOwner): JsonObject {
  if (kind.ownership.style !== 'description-suffix') return spec;
  const field = kind.ownership.field!;
  const text = stripMarker(typeof spec[field] === 'string' ? (spec[field] as string) : '');
  return { ...spec, [field]: `${text}${text.length > 0 ? ' ' : ''}[${markerText(owner)}]` };
}

/** The description without our marker: what the user declared. */
export function stripMarker(text: string): string {
  return text.replace(SUFFIX_PATTERN, '');
}

/** True when the field holds a marker where an earlier version put it (not user text). */
export function isLegacyMarker(kind: KindSpec, field: string, value: unknown): boolean {
  const legacy = kind.ownership.legacy;
  if (legacy?.field !== field || typeof value !== 'string') return false;
  return legacy.style === 'whole-field' ? WHOLE_PATTERN.test(value) : DERIVED_UUID.test(value);
}

/**
 * Reads the owner from the marker on a live object: the current marker, else one where an earlier version put it.
 * Legacy theme uuids hide the stack and logical id behind hashes, so for them the caller names the stack to test
 * and the logical ids it declares. Ledger-recorded ownership is read by `ledgerOwner` instead.
 */
export function ownerOf(kind: KindSpec, object: Readonly<JsonObject>, candidates?: { stack: string; logicalIds: readonly string[] }): Owner | undefined {
  const field = kind.ownership.field;
  if (kind.ownership.style === 'description-suffix' && field !== undefined && typeof object[field] === 'string') {
    const match = SUFFIX_PATTERN.exec(object[field] as string);
    if (match) return parseBody(match);
  }
  const legacy = kind.ownership.legacy;
  const value = legacy ? object[legacy.field] : undefined;
  if (!legacy || typeof value !== 'string') return undefined;
  if (legacy.style === 'whole-field') {
    const match = WHOLE_PATTERN.exec(value);
    return match ? { ...parseBody(match), legacyField: legacy.field } : undefined;
  }
  const match = DERIVED_UUID.exec(value);
  if (!match || !candidates || match[1] !== hex(`stack:${candidates.stack}`).slice(0, 8)) return undefined;
  const logicalId = candidates.logicalIds.find((id) => logicalHash(candidates.stack, id) === match[2] + match[3]);
  const noPackage = logicalId !== undefined && match[4] === hex(`nopackage:${candidates.stack}/${logicalId}`).slice(0, PACKAGE_HASH_LENGTH);
  return { stack: candidates.stack, ...(logicalId ? { logicalId } : {}), ...(noPackage ? {} : { packageHash: match[4] }), legacyField: legacy.field };
}

/** The hash recorded as `h`: what the stack declared for the object, so a later difference tells a hand edit. */
export function specHash(spec: Readonly<JsonObject>): string {
  return hex(canonicalJson(spec as JsonObject)).slice(0, SPEC_HASH_LENGTH);
}
