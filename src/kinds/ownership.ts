import { createHash } from 'node:crypto';
import type { JsonObject, KindSpec } from './types';

/**
 * Ownership markers: how an object records the stack and logical id that created it (see `OwnershipStyle`), plus
 * what the engine must remember between runs without storing any secret: the secrets version last sent, and the
 * hash of the package last uploaded. Lookup goes marker first, then natural key; an object without our marker is
 * never changed unless adopted.
 */

export interface Owner {
  readonly stack: string;
  /** Unknown for a theme whose logical id is not among the candidates given to `ownerOf`. */
  readonly logicalId?: string;
  /** The `secretsVersion` whose secrets were last sent. */
  readonly secretsVersion?: string;
  /** First 12 hex digits of the SHA-256 of the package last uploaded. */
  readonly packageHash?: string;
}

export type FullOwner = Owner & { readonly logicalId: string };

/** Stack names: what Terraform and cdktf accept as stack ids, short enough to leave room in a description. */
export const STACK_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;
/** Logical ids: construct ids, e.g. `profile`, `rule.device-pairing`. */
export const LOGICAL_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$/;
/** Length of the package hash kept in markers. */
export const PACKAGE_HASH_LENGTH = 12;

const BODY = '([A-Za-z][A-Za-z0-9_-]{0,39})\\/([A-Za-z0-9][A-Za-z0-9_.-]{0,59})((?:;[a-z]+=[A-Za-z0-9._-]+)*)';
const SUFFIX_PATTERN = new RegExp(` ?\\[pexip-cdktf:${BODY}\\]$`);
const WHOLE_PATTERN = new RegExp(`^pexip-cdktf:${BODY}$`);
const DERIVED_UUID = /^([0-9a-f]{8})-c0f7-8([0-9a-f]{3})-[89ab]([0-9a-f]{3})-([0-9a-f]{12})$/;

function hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function attributes(owner: Owner): string {
  return `${owner.secretsVersion ? `;sv=${owner.secretsVersion}` : ''}${owner.packageHash ? `;pkg=${owner.packageHash}` : ''}`;
}

function parseBody(match: RegExpExecArray): Owner {
  const attrs = Object.fromEntries(
    match[3]
      .split(';')
      .filter(Boolean)
      .map((pair) => pair.split('=', 2) as [string, string]),
  );
  return { stack: match[1], logicalId: match[2], ...(attrs.sv ? { secretsVersion: attrs.sv } : {}), ...(attrs.pkg ? { packageHash: attrs.pkg } : {}) };
}

/** The text of a marker, e.g. `pexip-cdktf:prod/profile;sv=2`. */
export function markerText(owner: FullOwner): string {
  return `pexip-cdktf:${owner.stack}/${owner.logicalId}${attributes(owner)}`;
}

function logicalHash(stack: string, logicalId: string): string {
  return hex(`logical:${stack}/${logicalId}`).slice(0, 6);
}

/**
 * A theme uuid derived from stack, logical id and package: an RFC 9562 version-8 (custom) UUID whose first group
 * identifies the stack, second is the fixed tag `c0f7`, third and fourth the logical id, fifth the package hash.
 */
export function derivedUuid(stack: string, logicalId: string, packageHash?: string): string {
  const l = logicalHash(stack, logicalId);
  const last = packageHash ?? hex(`nopackage:${stack}/${logicalId}`).slice(0, PACKAGE_HASH_LENGTH);
  return `${hex(`stack:${stack}`).slice(0, 8)}-c0f7-8${l.slice(0, 3)}-8${l.slice(3, 6)}-${last}`;
}

/** Characters the description marker adds, so the description limit can be checked before anything is sent. */
export function descriptionMarkerLength(owner: FullOwner): number {
  return ` [${markerText(owner)}]`.length;
}

/** Adds the marker to a spec that is about to be written. */
export function applyMarker(kind: KindSpec, spec: JsonObject, owner: FullOwner): JsonObject {
  const field = kind.ownership.field!;
  switch (kind.ownership.style) {
    case 'description-suffix': {
      const text = stripMarker(typeof spec[field] === 'string' ? (spec[field] as string) : '');
      return { ...spec, [field]: `${text}${text.length > 0 ? ' ' : ''}[${markerText(owner)}]` };
    }
    case 'whole-field':
      return { ...spec, [field]: markerText(owner) };
    case 'derived-uuid':
      return { ...spec, [field]: derivedUuid(owner.stack, owner.logicalId, owner.packageHash) };
    case 'terraform-state':
      return spec;
  }
}

/** The description without our marker: what the user declared. */
export function stripMarker(text: string): string {
  return text.replace(SUFFIX_PATTERN, '');
}

/**
 * Reads the owner from a live object. Theme uuids hide the stack and logical id behind hashes, so for them the
 * caller names the stack to test and the logical ids it declares.
 */
export function ownerOf(kind: KindSpec, object: Readonly<JsonObject>, candidates?: { stack: string; logicalIds: readonly string[] }): Owner | undefined {
  const field = kind.ownership.field;
  const value = field !== undefined && typeof object[field] === 'string' ? (object[field] as string) : undefined;
  if (value === undefined) return undefined;
  switch (kind.ownership.style) {
    case 'description-suffix': {
      const match = SUFFIX_PATTERN.exec(value);
      return match ? parseBody(match) : undefined;
    }
    case 'whole-field': {
      const match = WHOLE_PATTERN.exec(value);
      return match ? parseBody(match) : undefined;
    }
    case 'derived-uuid': {
      const match = DERIVED_UUID.exec(value);
      if (!match || !candidates || match[1] !== hex(`stack:${candidates.stack}`).slice(0, 8)) return undefined;
      const logicalId = candidates.logicalIds.find((id) => logicalHash(candidates.stack, id) === match[2] + match[3]);
      const noPackage = logicalId !== undefined && match[4] === hex(`nopackage:${candidates.stack}/${logicalId}`).slice(0, PACKAGE_HASH_LENGTH);
      return { stack: candidates.stack, ...(logicalId ? { logicalId } : {}), ...(noPackage ? {} : { packageHash: match[4] }) };
    }
    case 'terraform-state':
      return undefined;
  }
}
