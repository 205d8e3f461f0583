import { isKindName, isOwnedKind, kindByName } from '../kinds';
import type { FieldSpec, JsonObject, JsonValue, KindSpec } from '../kinds/types';

/**
 * How a kind's fields appear as construct props: camelCase of the wire name; secrets, files, read-only fields and
 * the ownership marker field are not props (the constructs handle them). Used by the code generator (types and
 * JSDoc) and at synth (props → spec), so both follow the kind description.
 */

export interface ConstructField {
  readonly wire: string;
  readonly prop: string;
  readonly spec: FieldSpec;
}

export function camelCase(wire: string): string {
  return wire.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function constructFields(kind: KindSpec): ConstructField[] {
  return Object.entries(kind.fields)
    .filter(([, spec]) => !spec.readOnly && !spec.unmanaged && !spec.secret && spec.type !== 'file' && spec.type !== 'dict')
    .map(([wire, spec]) => ({ wire, prop: camelCase(wire), spec }));
}

/** Something a reference prop can point at: an object this stack declares, or one looked up in Pexip. */
export interface PexipReferenceable {
  /** The kind of the object referred to. */
  readonly kind: string;
  /** `{"$ref": logical id}` for declared objects, `{"$lookup": {...}}` for existing ones. */
  readonly referenceValue: JsonValue;
}

function isReferenceable(value: unknown): value is PexipReferenceable {
  return typeof value === 'object' && value !== null && 'referenceValue' in value && 'kind' in value;
}

/**
 * The spec for the desired set (`full`): given props converted to wire form, and every other field with a known
 * default filled in, so the whole object is managed (a hand edit of any field is drift). Not filled: descriptions
 * (so an adopted object keeps its own), lists of other objects, and defaults the reference marks as unknown.
 * `declared` holds only what the props gave: the declaration carrier shows that in plans, and keeping it small
 * keeps Terraform fast (its cost grows with the size of the carriers' input).
 */
export function specFromProps(kind: KindSpec, props: Readonly<Record<string, unknown>>, onError: (prop: string, message: string) => never): { full: JsonObject; declared: JsonObject } {
  const full: JsonObject = {};
  const declared: JsonObject = {};
  for (const field of constructFields(kind)) {
    const value = props[field.prop];
    if (value === undefined) {
      const fill = field.spec.default !== undefined && !field.spec.assumedDefault && field.spec.type !== 'referenceList' && field.wire !== 'description';
      if (fill) full[field.wire] = structuredClone(field.spec.default!);
      continue;
    }
    full[field.wire] = declared[field.wire] = toWire(field, value, onError);
  }
  return { full, declared };
}

function toWire(field: ConstructField, value: unknown, onError: (prop: string, message: string) => never): JsonValue {
  const { spec, prop } = field;
  if (value === null) return null;
  switch (spec.type) {
    case 'reference':
      if (typeof value === 'string' && !isOwnedKind(spec.references)) return value;
      if (!isReferenceable(value)) return onError(prop, `expects a ${isOwnedKind(spec.references) ? kindByName(spec.references).constructName : 'resource URI'}.`);
      if (value.kind !== spec.references) return onError(prop, `expects a ${kindByName(spec.references!).constructName}, got a ${isKindName(value.kind) ? kindByName(value.kind).constructName : value.kind}.`);
      return value.referenceValue;
    case 'valueList':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return onError(prop, 'expects a list of names.');
      return value.map((v) => ({ value: v }));
    case 'enum':
      if (spec.propValues) {
        const wire = Object.prototype.hasOwnProperty.call(spec.propValues, String(value)) ? spec.propValues[String(value)] : undefined;
        if (wire === undefined) return onError(prop, `must be one of ${Object.keys(spec.propValues).join(', ')} (got ${JSON.stringify(value)}).`);
        return wire;
      }
      return value as JsonValue;
    default:
      return value as JsonValue;
  }
}

/** The prop name of a wire field, for messages ("field priority" → "prop priority"). */
export function propOf(kind: KindSpec, wire: string): string {
  return constructFields(kind).find((f) => f.wire === wire)?.prop ?? camelCase(wire);
}
