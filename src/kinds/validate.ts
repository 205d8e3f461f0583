import { isIPv6 } from 'node:net';
import type { FieldError, FieldSpec, JsonObject, JsonValue, KindSpec, StringFormat } from './types';

/**
 * Field validation shared by the constructs (synth time), the engine (before any write) and the simulator (400
 * answers). Messages follow Django's wording where Pexip would use Django's, and never quote a secret value.
 */

export interface ValidateOptions {
  /** Check `required` fields (create). A partial update checks only the fields present. */
  readonly requireRequired: boolean;
  /** Fields whose values are not known here (e.g. secrets resolved later): presence counts, content is not checked. */
  readonly unresolved?: ReadonlySet<string>;
}

const MAX_QUOTED = 60;

/** Quotes a non-secret value for a message, shortened so a huge value cannot flood a log line. */
export function quoteValue(value: JsonValue): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}

const FORMAT_CHECKS: Record<StringFormat, { test(value: string): boolean; message: string }> = {
  'https-url': { test: (v) => isUrl(v, ['https:']), message: 'Enter a valid HTTPS URL (https://host/...).' },
  'http-url': { test: (v) => isUrl(v, ['http:', 'https:']), message: 'Enter a valid URL (http:// or https://).' },
  uuid: {
    test: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
    message: 'Enter a valid UUID (8-4-4-4-12 hexadecimal digits).',
  },
  regex: { test: isRegex, message: 'Enter a valid regular expression.' },
  // Pexip's web app path rules: letters, digits, "-" and "_" only.
  slug: { test: (v) => /^[A-Za-z0-9_-]+$/.test(v), message: 'Use only letters, digits, "-" and "_".' },
  hostname: { test: (v) => /^[A-Za-z0-9.-]+$/.test(v), message: 'Enter a valid host name or IP address.' },
  // Pexip's web proxy address is "IP address or FQDN": an IPv6 literal is written bare, without brackets.
  host: { test: (v) => /^[A-Za-z0-9.-]+$/.test(v) || isIPv6(v), message: 'Enter a valid host name or IP address (IPv4, or IPv6 without brackets).' },
};

function isUrl(value: string, protocols: readonly string[]): boolean {
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && url.hostname.length > 0;
  } catch {
    return false;
  }
}

function isRegex(value: string): boolean {
  try {
    // Pexip evaluates Python regular expressions; JavaScript's syntax is close enough to catch typos.
    new RegExp(value);
    return true;
  } catch {
    return false;
  }
}

/** Checks one present value against its field description. */
export function checkFieldValue(name: string, spec: FieldSpec, value: JsonValue): FieldError[] {
  const error = (message: string): FieldError[] => [{ field: name, message }];
  if (value === null) {
    return spec.nullable || spec.type === 'reference' ? [] : error('This field cannot be null.');
  }
  switch (spec.type) {
    case 'string':
    case 'datetime': {
      if (typeof value !== 'string') return error('Expected a string.');
      if (spec.maxLength !== undefined && value.length > spec.maxLength) {
        return error(`Ensure this value has at most ${spec.maxLength} characters (it has ${value.length}).`);
      }
      if (value === '') return spec.required ? error('This field is required.') : [];
      if (spec.format && !FORMAT_CHECKS[spec.format].test(value)) return error(FORMAT_CHECKS[spec.format].message);
      const missing = (spec.mustContain ?? []).filter((fragment) => !value.includes(fragment));
      return missing.map((fragment) => ({ field: name, message: `The template must contain ${fragment}.` }));
    }
    case 'enum':
      if (typeof value !== 'string' || !(spec.values ?? []).includes(value)) {
        return error(`Select a valid choice. ${quoteValue(value)} is not one of the available choices (${(spec.values ?? []).join(', ')}).`);
      }
      return [];
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return error('Enter a whole number.');
      if (spec.min !== undefined && value < spec.min) return error(`Ensure this value is greater than or equal to ${spec.min}.`);
      if (spec.max !== undefined && value > spec.max) return error(`Ensure this value is less than or equal to ${spec.max}.`);
      return [];
    case 'boolean':
      return typeof value === 'boolean' ? [] : error('Must be a boolean (true or false).');
    case 'reference':
      return isReferenceShape(value) ? [] : error('Expected a resource URI (/api/admin/configuration/v1/<resource>/<id>/) or null.');
    case 'referenceList':
      return Array.isArray(value) && value.every((item) => typeof item === 'string')
        ? []
        : error('Expected a list of resource URIs.');
    case 'valueList':
      return Array.isArray(value) && value.every((item) => isPlainObject(item) && typeof item.value === 'string')
        ? []
        : error('Expected a list of {"value": "<name>"} objects.');
    case 'file':
      return [];
    case 'dict':
      return isPlainObject(value) ? [] : error('Expected an object.');
  }
}

function isReferenceShape(value: JsonValue): boolean {
  if (typeof value === 'string') return /^(https?:\/\/[^/]+)?\/api\/admin\/configuration\/v1\/[a-z_0-9]+\/[^/]+\/$/.test(value);
  // Tastypie also accepts a nested object naming the target (e.g. {"name": "..."}).
  return isPlainObject(value) && Object.keys(value).length > 0;
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Field-by-field validation of the writable fields present in `object` (and missing required ones). */
export function validateFields(kind: KindSpec, object: Readonly<JsonObject>, options: ValidateOptions): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, spec] of Object.entries(kind.fields)) {
    if (spec.readOnly) continue;
    const present = Object.prototype.hasOwnProperty.call(object, name) && object[name] !== undefined;
    if (!present) {
      if (options.requireRequired && spec.required && !options.unresolved?.has(name)) {
        errors.push({ field: name, message: 'This field is required.' });
      }
      continue;
    }
    if (options.unresolved?.has(name)) continue;
    errors.push(...checkFieldValue(name, spec, object[name] as JsonValue));
  }
  return errors;
}

/** The object as Pexip would store it on create: declared defaults filled in for omitted fields. */
export function withDefaults(kind: KindSpec, object: Readonly<JsonObject>): JsonObject {
  const full: JsonObject = { ...object };
  for (const [name, spec] of Object.entries(kind.fields)) {
    if (full[name] === undefined && spec.default !== undefined && !spec.readOnly) full[name] = structuredClone(spec.default);
  }
  return full;
}

/** Cross-field rules over a complete object (defaults applied). */
export function checkRules(kind: KindSpec, fullObject: Readonly<JsonObject>): FieldError[] {
  return kind.rules.flatMap((rule) => rule.check(fullObject));
}

/** Create-time validation: fields, then cross-field rules over the object with defaults. */
export function validateForCreate(kind: KindSpec, object: Readonly<JsonObject>, unresolved?: ReadonlySet<string>): FieldError[] {
  const fieldErrors = validateFields(kind, object, { requireRequired: true, unresolved });
  if (fieldErrors.length > 0) return fieldErrors;
  return checkRules(kind, withDefaults(kind, object)).filter((e) => !unresolved?.has(e.field));
}

/**
 * The description of one field, or undefined. Names come from input (desired sets, request bodies), so only the
 * kind's own fields count: `constructor` or `toString` must not find Object.prototype's.
 */
export function fieldOf(kind: KindSpec, name: string): FieldSpec | undefined {
  return Object.prototype.hasOwnProperty.call(kind.fields, name) ? kind.fields[name] : undefined;
}

/** Names in `object` that the kind does not describe, or describes as read-only. */
export function unknownOrReadOnlyFields(kind: KindSpec, object: Readonly<JsonObject>): string[] {
  return Object.keys(object).filter((name) => {
    const spec = fieldOf(kind, name);
    return spec === undefined || spec.readOnly === true || spec.unmanaged === true;
  });
}

/** The secret fields of a kind. */
export function secretFields(kind: KindSpec): string[] {
  return Object.entries(kind.fields)
    .filter(([, spec]) => spec.secret)
    .map(([name]) => name);
}
