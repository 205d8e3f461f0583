import { createHash } from 'node:crypto';
import type { JsonObject, KindSpec } from './types';

/**
 * Ownership markers: how an object records the stack and logical id that created it (see `OwnershipStyle`).
 * Lookup goes marker first, then natural key; an object without our marker is never changed unless adopted.
 */

export interface Owner {
  readonly stack: string;
  /** Unknown for `derived-uuid` markers, which can only be matched, not read back. */
  readonly logicalId?: string;
}

/** Stack names: what Terraform and cdktf accept as stack ids, short enough to leave room in a description. */
export const STACK_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;
/** Logical ids: construct ids, e.g. `profile`, `rule.device-pairing`. */
export const LOGICAL_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$/;

const PREFIX = 'pexip-cdktf:';
const SUFFIX_PATTERN = / ?\[pexip-cdktf:([A-Za-z][A-Za-z0-9_-]{0,39})\/([A-Za-z0-9][A-Za-z0-9_.-]{0,59})\]$/;
const WHOLE_PATTERN = /^pexip-cdktf:([A-Za-z][A-Za-z0-9_-]{0,39})\/([A-Za-z0-9][A-Za-z0-9_.-]{0,59})$/;
/** Fixed second group of derived uuids, so they are recognisable as ours. */
const DERIVED_UUID_TAG = 'c0f7';

function hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The text of a marker as it appears in a tag, e.g. `pexip-cdktf:prod/profile`. */
export function markerText(owner: Required<Owner>): string {
  return `${PREFIX}${owner.stack}/${owner.logicalId}`;
}

/**
 * A theme uuid derived from stack and logical id: the first group identifies the stack, the rest the logical id,
 * formatted as an RFC 9562 version-8 (custom) UUID.
 */
export function derivedUuid(stack: string, logicalId: string): string {
  const s = hex(`stack:${stack}`);
  const l = hex(`logical:${stack}/${logicalId}`);
  const variant = ((parseInt(l[3], 16) & 0x3) | 0x8).toString(16);
  return `${s.slice(0, 8)}-${DERIVED_UUID_TAG}-8${l.slice(0, 3)}-${variant}${l.slice(4, 7)}-${l.slice(7, 19)}`;
}

function derivedUuidStack(uuid: string): string | undefined {
  const match = /^([0-9a-f]{8})-c0f7-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.exec(uuid);
  return match?.[1];
}

/** Number of characters the description marker adds (so constructs can check the description limit). */
export function descriptionMarkerLength(owner: Required<Owner>): number {
  return ` [${markerText(owner)}]`.length;
}

/** Adds the marker to a spec that is about to be written. */
export function applyMarker(kind: KindSpec, spec: JsonObject, owner: Required<Owner>): JsonObject {
  const field = kind.ownership.field;
  switch (kind.ownership.style) {
    case 'description-suffix': {
      const text = typeof spec[field!] === 'string' ? (spec[field!] as string) : '';
      return { ...spec, [field!]: `${stripMarker(text)}${text.length > 0 ? ' ' : ''}[${markerText(owner)}]`.trimStart() };
    }
    case 'whole-field':
      return { ...spec, [field!]: markerText(owner) };
    case 'derived-uuid':
      return { ...spec, [field!]: derivedUuid(owner.stack, owner.logicalId) };
    case 'terraform-state':
      return spec;
  }
}

/** The description without our marker: what the user declared. */
export function stripMarker(text: string): string {
  return text.replace(SUFFIX_PATTERN, '');
}

/**
 * Reads the owner from a live object. For `derived-uuid` kinds only the stack can be recovered, and only as the
 * hash of a candidate stack name: pass the stack to test.
 */
export function ownerOf(kind: KindSpec, object: Readonly<JsonObject>, candidateStack?: string): Owner | undefined {
  const field = kind.ownership.field;
  const value = field !== undefined && typeof object[field] === 'string' ? (object[field] as string) : undefined;
  if (value === undefined) return undefined;
  switch (kind.ownership.style) {
    case 'description-suffix': {
      const match = SUFFIX_PATTERN.exec(value);
      return match ? { stack: match[1], logicalId: match[2] } : undefined;
    }
    case 'whole-field': {
      const match = WHOLE_PATTERN.exec(value);
      return match ? { stack: match[1], logicalId: match[2] } : undefined;
    }
    case 'derived-uuid': {
      if (candidateStack === undefined) return undefined;
      return derivedUuidStack(value) === hex(`stack:${candidateStack}`).slice(0, 8) ? { stack: candidateStack } : undefined;
    }
    case 'terraform-state':
      return undefined;
  }
}
