import { NODE_TYPES, parseSchema, type NodeField } from '../engine/node-schema';
import { KINDS } from '../kinds';
import type { FieldSpec, FieldType, JsonObject, JsonValue, KindSpec } from '../kinds/types';
import { isPlainObject } from '../kinds/validate';
import { canonicalJson } from '../util/canonical-json';
import type { KindCatalogue } from './catalogue';
import { kindSchema } from './schema';
import { EXTRA_COLLECTIONS } from './store';

/**
 * Our kind descriptions fitted to a node's own `schema/` answers: which fields exist, their types, lengths, choices,
 * defaults and which are required come from the node; what a schema cannot say (secret, reference targets and read
 * forms, uploads, formats, ranges, cross-field rules) from our description. A field only the node has is served
 * and checked as its schema describes it. Fitting the schema the default simulator serves gives our descriptions
 * back unchanged: the default node, the variants and a snapshot's twin are one mechanism.
 */


function stringChoices(node: NodeField): string[] | undefined {
  const choices = node.validChoices?.filter((c): c is string => typeof c === 'string');
  return choices && choices.length > 0 ? choices : undefined;
}

/** A field the node requires: not read-only, not blank, not nullable, no default (what doctor checks too). */
const requiredBy = (node: NodeField) => !node.readonly && !node.blank && !node.nullable && node.default === undefined;

/**
 * A field only the node describes. `checked` is false for node types we have no check for (float, date, list, …):
 * such a field is stored and read back as written.
 */
function nodeOnlyField(name: string, node: NodeField, raw: JsonObject): { spec: FieldSpec; checked: boolean } {
  const base = { label: name, help: typeof raw.help_text === 'string' ? raw.help_text : '', readOnly: node.readonly || undefined, nullable: node.nullable || undefined, unique: raw.unique === true || undefined };
  const choices = stringChoices(node);
  let type: FieldType | undefined;
  if (node.type === 'string') type = choices ? 'enum' : 'string';
  else if (node.type === 'related') type = raw.related_type === 'to_many' ? 'referenceList' : 'reference';
  else if (['integer', 'boolean', 'datetime', 'dict'].includes(node.type)) type = node.type as FieldType;
  const spec: FieldSpec = {
    ...base,
    type: type ?? 'dict',
    ...(choices && type === 'enum' ? { values: choices } : {}),
    ...(node.maxLength !== undefined ? { maxLength: node.maxLength } : {}),
    ...(node.default !== undefined ? { default: node.default } : node.nullable ? { default: null } : {}),
    ...(requiredBy(node) ? { required: true } : {}),
  };
  return { spec: Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) as unknown as FieldSpec, checked: type !== undefined };
}

/** Our field as the node has it (of a compatible type); only what the node says differently changes. */
function fittedField(ours: FieldSpec, node: NodeField, raw: JsonObject): FieldSpec {
  const out: { -readonly [K in keyof FieldSpec]?: FieldSpec[K] } = { ...ours };
  const choices = stringChoices(node);
  if (ours.type === 'string' && choices) out.type = 'enum';
  if (ours.type === 'enum' && !choices) out.type = 'string';
  if (out.type === 'enum') out.values = choices;
  else delete out.values;
  if (node.maxLength !== ours.maxLength) out.maxLength = node.maxLength;
  if (node.readonly !== Boolean(ours.readOnly)) out.readOnly = node.readonly;
  if (node.nullable !== Boolean(ours.nullable)) out.nullable = node.nullable;
  if ((raw.unique === true) !== Boolean(ours.unique)) out.unique = raw.unique === true;
  // The schema serves "no default" and "default null" alike: ours stands unless the node names another value.
  if (node.default !== undefined && (ours.default === undefined || canonicalJson(node.default) !== canonicalJson(ours.default))) {
    out.default = node.default;
    out.assumedDefault = false;
  } else if (node.default === undefined && ours.default !== undefined && ours.default !== null) {
    delete out.default;
    delete out.assumedDefault;
  }
  if (requiredBy(node) !== Boolean(ours.required)) out.required = requiredBy(node);
  for (const key of Object.keys(out) as (keyof FieldSpec)[]) if (out[key] === undefined) delete out[key];
  return out as FieldSpec;
}

export interface FittedKind {
  readonly kind: KindSpec;
  /** Fields whose values cannot be checked here (a node type we have no check for): presence only. */
  readonly unchecked: ReadonlySet<string>;
}

/** One kind fitted to the node's `schema/` answer. */
export function fitKind(kind: KindSpec, schema: JsonObject): FittedKind {
  const parsed = parseSchema(kind, schema);
  const rawFields = schema.fields as JsonObject;
  const fields: Record<string, FieldSpec> = {};
  const unchecked = new Set<string>();
  for (const [name, node] of parsed.fields) {
    const raw = isPlainObject(rawFields[name]) ? (rawFields[name] as JsonObject) : {};
    const ours = Object.prototype.hasOwnProperty.call(kind.fields, name) ? kind.fields[name] : undefined;
    if (ours && NODE_TYPES[ours.type].includes(node.type)) {
      fields[name] = fittedField(ours, node, raw);
      continue;
    }
    // Only the node has it, or the node's type is not ours: served as the node describes it.
    const only = nodeOnlyField(name, node, raw);
    fields[name] = ours ? { ...only.spec, label: ours.label, ...(ours.secret ? { secret: true } : {}) } : only.spec;
    if (!only.checked) unchecked.add(name);
  }
  // Keep our field order (messages list fields in it), then the node's own fields.
  const ordered = Object.fromEntries([...Object.keys(kind.fields).filter((n) => n in fields), ...Object.keys(fields).filter((n) => !(n in kind.fields))].map((n) => [n, fields[n]]));
  return { kind: { ...kind, fields: ordered }, unchecked };
}

/**
 * The catalogue of a node described by its `schema/` answers (by resource name): every kind we manage, fitted to its
 * schema where the node gave one, and the schemas themselves, which the simulator then serves as they are.
 */
export function fittedCatalogue(schemas: Readonly<Record<string, JsonObject>>): KindCatalogue {
  const fitted = KINDS.map((kind) => (schemas[kind.name] ? fitKind(kind, schemas[kind.name]) : { kind, unchecked: new Set<string>() }));
  const kinds = fitted.map((f) => f.kind);
  const byName = new Map(kinds.map((kind) => [kind.name, kind]));
  const served = new Map(kinds.map((kind) => [kind.name, schemas[kind.name] ?? kindSchema(kind)] as [string, JsonValue]));
  return {
    kinds,
    extraCollections: EXTRA_COLLECTIONS,
    find: (name) => byName.get(name),
    schema: (name) => served.get(name) as JsonObject,
    unchecked: (name) => fitted.find((f) => f.kind.name === name)?.unchecked ?? new Set(),
  };
}

/** The `schema/` answers of the default simulator: generated from our kind descriptions. */
export function defaultSchemas(): Record<string, JsonObject> {
  return Object.fromEntries(KINDS.map((kind) => [kind.name, kindSchema(kind)]));
}
