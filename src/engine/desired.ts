import { createHash } from 'node:crypto';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../api/errors';
import { registerSensitive } from '../api/redact';
import { VARIANT_WORD } from '../api/settings';
import { canonicalJson } from '../util/canonical-json';
import { findDuplicateKey } from '../util/json-keys';
import { codePoint, firstInvisible } from '../util/printable';
import { readBoundedText } from '../util/read-file';
import { isLedgerName } from './ledger';
import { isKindName, kindByName, type KindName } from '../kinds';
import { LOGICAL_ID, STACK_NAME, descriptionMarkerLength } from '../kinds/ownership';
import type { JsonObject, JsonValue } from '../kinds/types';
import { fieldOf, isPlainObject, unknownOrReadOnlyFields, validateForCreate } from '../kinds/validate';
import { type Environment, checkSecretVariant } from '../epic/secret-variants';

/**
 * The desired set: everything one stack declares, as the carriers hand it to the engine. Specs use Pexip's wire
 * field names; secrets are references (env var or file) resolved only at apply time; references between objects
 * are `{"$ref": "<logical id>"}`, references to objects this stack does not own `{"$lookup": {"<key field>": ...}}`.
 */

export const DESIRED_SET_FORMAT = 'pexip-cdktf/desired-set@1';

/** Where a secret comes from at apply time. Exactly one of `env` or `file`. */
export interface SecretRef {
  /** Name of an environment variable holding the value. */
  readonly env?: string;
  /** Path of a file holding the value (trailing newline ignored). */
  readonly file?: string;
}

/** How a secret reference shows in plans, state and reports: `env:NAME` or `file:PATH`. Never the value. */
export function describeSecretRef(ref: SecretRef): string {
  return ref.env !== undefined ? `env:${ref.env}` : `file:${ref.file}`;
}

export interface DesiredObject {
  readonly kind: KindName;
  /** Logical id, unique in the stack; recorded in the object's ownership marker. */
  readonly id: string;
  /** Non-secret fields, wire names. The user's description, without marker. */
  readonly spec: JsonObject;
  /** Secret fields by wire name. */
  readonly secrets?: Readonly<Record<string, SecretRef>>;
  /** Bump to re-send the secrets (rotation); recorded in the marker. Secrets are otherwise sent only on create. */
  readonly secretsVersion?: string;
  /** Theme or branding ZIP: path (relative to the desired-set file) and its SHA-256. */
  readonly package?: { readonly path: string; readonly sha256: string };
  /** Take over an existing object with this natural key that no stack owns. */
  readonly adopt?: boolean;
  /** Telehealth profile: allow changing the uuid of the live profile (Epic launch URLs contain it). */
  readonly allowUuidChange?: boolean;
  /** Licence: return it when the stack is destroyed (only if this stack activated or adopted it). */
  readonly returnOnDestroy?: boolean;
  /** Field claims (system locations): replace a value this stack did not set (removal restores it). */
  readonly takeOver?: boolean;
  /**
   * Set in memory when the spec was fitted to a node (its spelling of a value, a field it lacks left out), never read
   * from a file: the hash of the spec as declared, so the marker does not depend on the node.
   */
  readonly declaredSpecHash?: string;
}

export interface DesiredSet {
  readonly format: typeof DESIRED_SET_FORMAT;
  readonly stack: string;
  readonly environment: Environment;
  /**
   * The app directory, relative to the desired set's own directory (e.g. `../../..`): secret files are relative to
   * it and must stay inside it. Relative, so the synth output can move with the app (a CI artifact). Default: the
   * desired set's directory.
   */
  readonly appDir?: string;
  /**
   * The stack's variant word when it is not the environment's default (`PROD` / `NONPROD`): the word in its own
   * connection variables, `PEXIP_<VARIANT>_ADDRESS` and the rest. Absent: the default, so older sets keep their hash.
   */
  readonly variant?: string;
  readonly objects: readonly DesiredObject[];
}

/** The variant word of a stack: its own, or its environment's default (`PROD` / `NONPROD`). */
export function variantOf(set: Pick<DesiredSet, 'environment' | 'variant'>): string {
  return set.variant ?? defaultVariant(set.environment);
}

export function defaultVariant(environment: Environment): string {
  return environment === 'production' ? 'PROD' : 'NONPROD';
}

/** A `{"$ref": id}` or `{"$lookup": {...}}` reference value in a spec. */
export type ReferenceValue = { $ref: string } | { $lookup: JsonObject };

export function isRef(value: JsonValue | undefined): value is { $ref: string } {
  return isPlainObject(value) && typeof value.$ref === 'string' && Object.keys(value).length === 1;
}

export function isLookup(value: JsonValue | undefined): value is { $lookup: JsonObject } {
  return isPlainObject(value) && isPlainObject(value.$lookup) && Object.keys(value).length === 1;
}

/** The canonical hash of a desired set, as the reconciler carrier records it. */
export function desiredSetHash(set: DesiredSet): string {
  return createHash('sha256').update(canonicalJson(set as unknown as JsonValue)).digest('hex');
}

export { canonicalJson };

/** Who an object is in messages: `Epic telehealth profile "profile"`. */
export function describeObject(object: Pick<DesiredObject, 'kind' | 'id'>): string {
  return `${kindByName(object.kind).title} "${object.id}"`;
}

function fail(message: string, object?: Pick<DesiredObject, 'kind' | 'id'>, field?: string): never {
  throw new ConfigError(object ? `${describeObject(object)}${field ? `, field ${field}` : ''}: ${message}` : message, {
    kind: object ? kindByName(object.kind).title : undefined,
    object: object?.id,
    field,
  });
}

const SECRET_VERSION = /^[A-Za-z0-9._-]{1,16}$/;
const SET_KEYS = new Set(['format', 'stack', 'environment', 'appDir', 'variant', 'objects']);
/** Options of a declared object, with the kinds they apply to (undefined: every kind). */
const OBJECT_OPTIONS: Readonly<Record<string, { readonly type: 'boolean' | 'string'; readonly kinds?: readonly KindName[] }>> = {
  secretsVersion: { type: 'string' },
  adopt: { type: 'boolean' },
  allowUuidChange: { type: 'boolean', kinds: ['telehealth_profile'] },
  returnOnDestroy: { type: 'boolean', kinds: ['licence'] },
  takeOver: { type: 'boolean', kinds: ['system_location'] },
};
const OBJECT_KEYS = new Set(['kind', 'id', 'spec', 'secrets', 'package', ...Object.keys(OBJECT_OPTIONS)]);
/** Control characters have no place in configuration text; NUL in a name is a classic truncation trick. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LINE_BREAK = /[\r\n]/;

const own = (value: object, key: string) => Object.prototype.hasOwnProperty.call(value, key);

/** Strings anywhere in a spec value: no control characters (line breaks only in multi-line text such as templates). */
function checkText(value: JsonValue, object: Pick<DesiredObject, 'kind' | 'id'>, field: string, singleLine: boolean): void {
  if (typeof value === 'string') {
    if (CONTROL.test(value)) fail('contains a control character (e.g. NUL); remove it.', object, field);
    // Unseen, they make a name read as another (U+202E reverses it) or two names that look alike differ.
    const invisible = firstInvisible(value);
    if (invisible) fail(`contains an invisible or text-direction character (${codePoint(invisible)}); remove it.`, object, field);
    if (singleLine && LINE_BREAK.test(value)) fail('contains a line break; it must be one line.', object, field);
  } else if (Array.isArray(value)) for (const item of value) checkText(item, object, field, true);
  else if (isPlainObject(value)) for (const item of Object.values(value)) checkText(item, object, field, true);
}

/** Every key and type of one declared object, before anything looks at its content. */
function checkObjectShape(object: Record<string, unknown>, index: number): asserts object is DesiredObject & Record<string, unknown> {
  const where = `objects[${index}]`;
  if (typeof object.kind !== 'string' || !isKindName(object.kind)) fail(`${where}: every object needs a known kind (got ${JSON.stringify(object.kind)}).`);
  const kind = object.kind as KindName;
  if (typeof object.id !== 'string' || !LOGICAL_ID.test(object.id)) fail(`${where}: logical id must match ${LOGICAL_ID.source} (got ${JSON.stringify(object.id)}).`);
  const ref = { kind, id: object.id };
  const unknown = Object.keys(object).filter((k) => !OBJECT_KEYS.has(k));
  if (unknown.length > 0) fail(`unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${[...OBJECT_KEYS].join(', ')}.`, ref, unknown[0]);
  if (!isPlainObject(object.spec as JsonValue)) fail('spec must be an object.', ref, 'spec');
  for (const [option, rule] of Object.entries(OBJECT_OPTIONS)) {
    if (!own(object, option) || object[option] === undefined) continue;
    if (typeof object[option] !== rule.type) fail(`must be ${rule.type === 'boolean' ? 'true or false' : 'a string'} (got ${JSON.stringify(object[option])}).`, ref, option);
    if (rule.kinds && !rule.kinds.includes(kind)) fail(`applies only to ${rule.kinds.map((k) => kindByName(k).title).join(', ')}.`, ref, option);
  }
  if (object.secrets !== undefined) {
    if (!isPlainObject(object.secrets as JsonValue)) fail('secrets must be an object of {"env": NAME} or {"file": PATH} references.', ref, 'secrets');
    for (const [field, secretRef] of Object.entries(object.secrets as Record<string, unknown>)) {
      const keys = isPlainObject(secretRef as JsonValue) ? Object.keys(secretRef as object) : [];
      const value = keys.length === 1 ? (secretRef as Record<string, unknown>)[keys[0]] : undefined;
      if (keys.length !== 1 || (keys[0] !== 'env' && keys[0] !== 'file') || typeof value !== 'string' || value === '' || CONTROL.test(value)) {
        fail('a secret reference is {"env": "NAME"} or {"file": "PATH"}: exactly one, a non-empty string.', ref, field);
      }
    }
  }
  if (object.package !== undefined) {
    const pkg = object.package as Record<string, unknown>;
    if (!isPlainObject(pkg as JsonValue) || Object.keys(pkg).sort().join(',') !== 'path,sha256' || typeof pkg.path !== 'string' || typeof pkg.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(pkg.sha256)) {
      fail('package must be {"path": "<zip file>", "sha256": "<64 hex digits>"}.', ref, 'package');
    }
  }
}

/**
 * Checks a desired set completely before anything is sent: every key and type (unknown keys and loose types such as
 * `"adopt": "false"` are refused), unique logical ids and natural keys, known kinds and fields, references that
 * resolve, secret references well formed and of the stack's environment, every spec valid for its kind (with
 * secrets counted as present). Throws a ConfigError naming the object and field.
 */
export function validateDesiredSet(input: unknown): DesiredSet {
  if (!isPlainObject(input as JsonValue)) fail('the desired set must be a JSON object.');
  const set = input as Record<string, unknown>;
  const unknown = Object.keys(set).filter((k) => !SET_KEYS.has(k));
  if (unknown.length > 0) fail(`the desired set has unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}.`);
  if (set.format !== DESIRED_SET_FORMAT) fail(`unsupported desired-set format ${JSON.stringify(set.format)}; expected "${DESIRED_SET_FORMAT}".`);
  if (typeof set.stack !== 'string' || !STACK_NAME.test(set.stack)) fail(`stack must match ${STACK_NAME.source} (got ${JSON.stringify(set.stack)}).`);
  if (set.environment !== 'production' && set.environment !== 'non-production') fail('environment must be "production" or "non-production".');
  if (set.appDir !== undefined && (typeof set.appDir !== 'string' || isAbsolute(set.appDir) || CONTROL.test(set.appDir))) fail('appDir must be a relative path (from the desired set\'s directory to the app directory).');
  if (set.variant !== undefined && (typeof set.variant !== 'string' || !VARIANT_WORD.test(set.variant))) fail(`variant must be an upper-case word like PROD or SITE_A (got ${JSON.stringify(set.variant)}).`);
  if (!Array.isArray(set.objects)) fail('objects must be a list.');
  const objects = set.objects as unknown[];
  const ids = new Map<string, DesiredObject>();
  const naturalKeys = new Map<string, DesiredObject>();
  objects.forEach((item, index) => {
    if (!isPlainObject(item as JsonValue)) fail(`objects[${index}] must be an object.`);
    const object = item as Record<string, unknown>;
    checkObjectShape(object, index);
    const twin = ids.get(object.id);
    if (twin) fail(`duplicate logical id: also used by ${describeObject(twin)}.`, object);
    ids.set(object.id, object);
    const kind = kindByName(object.kind);
    registerSensitive(kind, object.spec);
    for (const [field, value] of Object.entries(object.spec)) checkText(value, object, field, field === kind.naturalKey || fieldOf(kind, field)?.format !== undefined);
    const natural = object.spec[kind.naturalKey];
    if (isLedgerName(kind.name as KindName, natural)) fail(`names starting with "pexip-cdktf: " are reserved for the stacks' ledgers.`, object, kind.naturalKey);
    if (typeof natural === 'string') {
      const key = `${kind.name}:${kind.normaliseNaturalKey ? kind.normaliseNaturalKey(natural) : natural}`;
      const clash = naturalKeys.get(key);
      if (clash) fail(`${kind.naturalKey} "${natural}" is also declared by ${describeObject(clash)}.`, object, kind.naturalKey);
      naturalKeys.set(key, object);
    }
  });
  const environment = set.environment as Environment;
  for (const object of ids.values()) validateObject(object, ids, environment, set.stack as string);
  return set as unknown as DesiredSet;
}

function validateObject(object: DesiredObject, ids: ReadonlyMap<string, DesiredObject>, environment: Environment, stack: string): void {
  const kind = kindByName(object.kind);
  if (kind.management) validateClaim(object, kind.management.fields, kind.naturalKey);
  const bad = unknownOrReadOnlyFields(kind, object.spec).filter((f) => !(kind.upload && f === kind.upload.fileField));
  if (bad.length > 0) fail(`unknown or read-only field${bad.length > 1 ? 's' : ''} ${bad.join(', ')}.`, object, bad[0]);
  const secretFields = new Set(Object.keys(object.secrets ?? {}));
  for (const [field, ref] of Object.entries(object.secrets ?? {})) {
    if (!fieldOf(kind, field)?.secret) fail('is not a secret field of this kind.', object, field);
    if (object.spec[field] !== undefined) fail('is a secret: give it in "secrets" as an env var or file reference, never in the spec.', object, field);
    validateSecretRef(ref, object, field);
    const problem = checkSecretVariant(ref, environment, kind.name, field);
    if (problem) fail(problem, object, field);
  }
  for (const [field, spec] of Object.entries(kind.fields)) {
    if (spec.secret && object.spec[field] !== undefined) fail('is a secret: give it in "secrets" as an env var or file reference, never in the spec.', object, field);
  }
  if (object.secretsVersion !== undefined && (typeof object.secretsVersion !== 'string' || !SECRET_VERSION.test(object.secretsVersion))) {
    fail(`secretsVersion must match ${SECRET_VERSION.source}.`, object, 'secretsVersion');
  }
  // References: {$ref} to a declared object of the right kind; {$lookup} by the target's natural key.
  const unresolved = new Set(secretFields);
  for (const [field, value] of Object.entries(object.spec)) {
    const fieldSpec = fieldOf(kind, field);
    if (fieldSpec?.type !== 'reference') continue;
    if (isRef(value)) {
      const target = ids.get(value.$ref);
      if (!target) fail(`refers to "${value.$ref}", which this stack does not declare.`, object, field);
      if (target.kind !== fieldSpec.references) fail(`refers to ${describeObject(target)}, but must refer to a ${kindByName(fieldSpec.references!).title}.`, object, field);
      unresolved.add(field);
    } else if (isLookup(value)) {
      const targetKind = isKindName(fieldSpec.references!) ? kindByName(fieldSpec.references!) : undefined;
      if (!targetKind || Object.keys(value.$lookup).some((k) => k !== targetKind.naturalKey && k !== 'uuid' && k !== 'id')) {
        fail(`a lookup must name the target by ${targetKind?.naturalKey ?? 'name'}.`, object, field);
      }
      unresolved.add(field);
    }
  }
  if (kind.upload) {
    if (!object.package || typeof object.package.path !== 'string' || !/^[0-9a-f]{64}$/.test(String(object.package.sha256))) {
      fail('needs a package {"path", "sha256"} (a ZIP file).', object, kind.upload.fileField);
    }
    unresolved.add(kind.upload.fileField);
  }
  const description = object.spec.description;
  if (kind.ownership.style === 'description-suffix' && typeof description === 'string') {
    const room = (kind.fields.description.maxLength ?? 250) - descriptionMarkerLength({ stack, logicalId: object.id }) - (object.secretsVersion ? object.secretsVersion.length + 4 : 0) - 17;
    if (description.length > room) fail(`is ${description.length} characters; with the ownership marker it must stay within ${room}.`, object, 'description');
  }
  const errors = validateForCreate(kind, object.spec, unresolved);
  if (errors.length > 0) fail(`${errors[0].message}`, object, errors[0].field);
}

/** A declaration of fields on an existing object: its natural key and only the fields a stack may manage. */
function validateClaim(object: DesiredObject, managed: readonly string[], naturalKey: string): void {
  for (const option of ['secrets', 'package', 'adopt', 'secretsVersion'] as const) {
    if (object[option] !== undefined) fail(`does not apply: a stack manages fields of an existing ${kindByName(object.kind).title}, it does not own it.`, object, option);
  }
  if (typeof object.spec[naturalKey] !== 'string') fail(`names the ${kindByName(object.kind).title} to set fields on; it is required.`, object, naturalKey);
  const others = Object.keys(object.spec).filter((f) => f !== naturalKey && !managed.includes(f));
  if (others.length > 0) fail(`a stack can manage only ${managed.join(' and ')} of a ${kindByName(object.kind).title}.`, object, others[0]);
  if (!managed.some((f) => object.spec[f] !== undefined)) fail(`declares no field to set (${managed.join(', ')}).`, object, managed[0]);
}

function validateSecretRef(ref: SecretRef, object: DesiredObject, field: string): void {
  const hasEnv = typeof ref?.env === 'string' && ref.env !== '';
  const hasFile = typeof ref?.file === 'string' && ref.file !== '';
  if (hasEnv === hasFile) fail('a secret reference needs exactly one of "env" or "file".', object, field);
  if (hasEnv && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(ref.env!)) fail(`"${ref.env}" is not a valid environment variable name.`, object, field);
}

/**
 * Reads and validates a desired-set file; with `expectHash`, a file that does not match it is refused (stale).
 * `baseDir` is the file's directory (packages are relative to it), `appDir` the app directory (secret files).
 */
export function loadDesiredSet(path: string, expectHash?: string): { set: DesiredSet; baseDir: string; appDir: string; hash: string } {
  let text: string;
  try {
    // Bounded, regular files only: a desired set of thousands of objects is a few MiB; /dev/zero would never end.
    text = readBoundedText(path, { source: 'the desired set', maxBytes: 32 * 1024 * 1024 });
  } catch (error) {
    const code = /\((E[A-Z]+)\)\.$/.exec((error as Error).message)?.[1];
    throw new ConfigError(code ? `cannot read the desired set ${path} (${code}).` : (error as Error).message, { field: 'desired-set' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`the desired set ${path} is not valid JSON (${(error as Error).message}).`, { field: 'desired-set' });
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) throw new ConfigError(`the desired set ${path} has the key ${duplicate} twice; JSON would silently keep the last one.`, { field: 'desired-set' });
  const set = validateDesiredSet(parsed);
  const hash = desiredSetHash(set);
  if (expectHash !== undefined && expectHash !== hash) {
    throw new ConfigError(`the desired set ${path} does not match the synthesized stack (hash ${hash.slice(0, 12)}…, expected ${expectHash.slice(0, 12)}…): run cdktf synth again.`, { field: 'desired-set' });
  }
  const baseDir = dirname(resolve(path));
  return { set, baseDir, appDir: resolve(baseDir, set.appDir ?? '.'), hash };
}

/** Absolute path of a package, relative paths being relative to the desired-set file. */
export function packagePath(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
