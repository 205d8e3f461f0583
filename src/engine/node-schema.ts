import type { PexipClient } from '../api/client';
import { PexipProtocolError } from '../api/errors';
import type { FieldSpec, JsonObject, JsonValue, KindSpec } from '../kinds/types';
import { fieldOf, isPlainObject, quoteValue } from '../kinds/validate';
import { canonicalJson } from '../util/canonical-json';

/**
 * A Management Node's own description of a resource: its Tastypie `schema/` (reference §1.10). Where our kind
 * descriptions rest on guesses (enum spellings, lengths, which fields a version has, server defaults), the node's
 * answer wins: reconcile reads it for the kinds it will write, before the first write, and `doctor` shows it.
 */

export interface NodeField {
  /** Tastypie type: string, integer, boolean, related, list, datetime, dict, file, … */
  readonly type: string;
  readonly blank: boolean;
  readonly nullable: boolean;
  readonly readonly: boolean;
  /** The server's default; undefined when the schema gives none (absent or null). */
  readonly default?: JsonValue;
  readonly validChoices?: readonly JsonValue[];
  /** From `max_length` where a node sends it, else from the help text ("Maximum length: 250 characters."). */
  readonly maxLength?: number;
}

export interface NodeSchema {
  readonly kind: KindSpec;
  readonly fields: ReadonlyMap<string, NodeField>;
}

const MAX_LENGTH_HELP = /maximum length:?\s*(\d+)\s*characters/i;

/** Parses a `schema/` answer; a body that is not one is a protocol error naming the kind. */
export function parseSchema(kind: KindSpec, body: unknown): NodeSchema {
  const fields = isPlainObject(body as JsonValue) ? (body as JsonObject).fields : undefined;
  if (!isPlainObject(fields as JsonValue)) {
    throw new PexipProtocolError(`the schema answer has no "fields" map; expected Tastypie's schema format.`, { kind: kind.title, method: 'GET', path: `${kind.collectionPath}schema/` });
  }
  const parsed = new Map<string, NodeField>();
  for (const [name, raw] of Object.entries(fields as JsonObject)) {
    if (!isPlainObject(raw)) continue;
    const help = typeof raw.help_text === 'string' ? raw.help_text : '';
    const fromHelp = MAX_LENGTH_HELP.exec(help)?.[1];
    const maxLength = typeof raw.max_length === 'number' ? raw.max_length : fromHelp !== undefined ? Number(fromHelp) : undefined;
    parsed.set(name, {
      type: typeof raw.type === 'string' ? raw.type : 'string',
      blank: raw.blank === true,
      nullable: raw.nullable === true,
      readonly: raw.readonly === true,
      ...(raw.default !== undefined && raw.default !== null ? { default: raw.default } : {}),
      ...(Array.isArray(raw.valid_choices) && raw.valid_choices.length > 0 ? { validChoices: raw.valid_choices } : {}),
      ...(maxLength !== undefined ? { maxLength } : {}),
    });
  }
  return { kind, fields: parsed };
}

export async function readSchema(client: PexipClient, kind: KindSpec): Promise<NodeSchema> {
  return parseSchema(kind, await client.getPath(`${kind.collectionPath}schema/`, { kind: kind.title }));
}

/** One thing the schema comparison found. */
export interface SchemaFinding {
  readonly kind: KindSpec;
  readonly field: string;
  /**
   * `adapted`: our value is a guess and the node spells it differently (the node's spelling is sent instead), or the
   * node lacks a field for which the stack sends only our description's default (it is left out).
   */
  readonly status: 'adapted' | 'mismatch';
  readonly message: string;
  /** For an adapted spelling: what we had and what is sent instead. */
  readonly from?: string;
  readonly to?: string;
  /** For an adapted field the node lacks: left out of what is sent. */
  readonly omit?: true;
}

/**
 * A field a node lacks (an older version) can be left out when the stack sends only the default our description
 * gives it: the user asked for nothing there. Any other value is refused, so nothing the user declared is dropped.
 */
export function omittable(spec: FieldSpec | undefined, value: JsonValue | undefined): boolean {
  return spec !== undefined && !spec.required && !spec.secret && spec.default !== undefined && value !== undefined && canonicalJson(value) === canonicalJson(spec.default);
}

/** What one object would send: its body (non-secret values) and the names of the secret fields sent with it. */
export interface Sending {
  readonly body: Readonly<JsonObject>;
  readonly secrets?: Readonly<Record<string, string | undefined>>;
  /** A create: fields the node requires without a default must all be sent. */
  readonly creating: boolean;
}

/** Node types our field types may be served as (a Tastypie `related` is any reference, `list` an embedded list). */
export const NODE_TYPES: Readonly<Record<FieldSpec['type'], readonly string[]>> = {
  string: ['string'],
  enum: ['string'],
  datetime: ['datetime', 'string'],
  integer: ['integer'],
  boolean: ['boolean'],
  reference: ['related'],
  referenceList: ['related', 'list'],
  valueList: ['list', 'related'],
  dict: ['dict'],
  file: ['file'],
};

const shownChoices = (choices: readonly JsonValue[]) => choices.map((c) => JSON.stringify(c)).join(', ');

/**
 * Compares what the stack would send for one kind with the node's schema: every field exists, types agree, enum
 * values are among `valid_choices` (or have a spelling there that means the same, for values our description only
 * guesses), strings fit the node's lengths, and a create sends every field the node requires without a default.
 */
export function compareWithSchema(schema: NodeSchema, sendings: readonly Sending[]): SchemaFinding[] {
  const { kind } = schema;
  const findings = new Map<string, SchemaFinding>();
  const add = (finding: SchemaFinding) => {
    if (!findings.has(`${finding.field}:${finding.message}`)) findings.set(`${finding.field}:${finding.message}`, finding);
  };
  for (const sending of sendings) {
    const values: [string, JsonValue | undefined][] = [...Object.entries(sending.body), ...Object.entries(sending.secrets ?? {})];
    for (const [field, value] of values) {
      const ours = fieldOf(kind, field);
      const node = schema.fields.get(field);
      const shown = ours?.secret ? '(a secret)' : value === undefined ? '(a value)' : typeof value === 'string' ? JSON.stringify(quoteValue(value)) : quoteValue(value);
      if (!node) {
        if (omittable(ours, value)) {
          add({ kind, field, status: 'adapted', omit: true, message: `the node has no field ${field} (an older Pexip version?); left out, since this stack sends only its default (${shown}).` });
        } else {
          add({ kind, field, status: 'mismatch', message: `the node has no field ${field} (an older Pexip version?); this stack would send ${shown}${ours?.default !== undefined && !ours.secret ? `: leave it unset (default ${JSON.stringify(ours.default)}) to deploy to this node` : ''}.` });
        }
        continue;
      }
      if (ours && !NODE_TYPES[ours.type].includes(node.type)) {
        add({ kind, field, status: 'mismatch', message: `the node says ${field} is of type ${node.type}; this stack sends a ${ours.type} (${shown}).` });
        continue;
      }
      if (typeof value !== 'string' || ours?.type === 'reference') continue;
      if (ours?.type === 'enum' && node.validChoices && !node.validChoices.includes(value)) {
        const meaning = ours.canonicalChoice?.(value);
        const spelling = meaning === undefined ? [] : node.validChoices.filter((c) => typeof c === 'string' && ours.canonicalChoice!(c) === meaning);
        if (spelling.length === 1) {
          add({ kind, field, status: 'adapted', from: value, to: spelling[0] as string, message: `sending ${JSON.stringify(spelling[0])}, the node's value for ${meaning} (this project's default spelling is ${JSON.stringify(value)}).` });
        } else {
          add({ kind, field, status: 'mismatch', message: `this stack would send ${shown}; the node accepts ${shownChoices(node.validChoices)}.` });
        }
        continue;
      }
      if (node.maxLength !== undefined && Array.from(value).length > node.maxLength) {
        add({ kind, field, status: 'mismatch', message: `${ours?.secret ? 'the secret' : shown} is ${Array.from(value).length} characters; the node allows at most ${node.maxLength}.` });
      }
    }
    if (!sending.creating) continue;
    const sent = new Set(values.map(([field]) => field));
    for (const [field, node] of schema.fields) {
      if (node.readonly || node.blank || node.nullable || node.default !== undefined || sent.has(field)) continue;
      if (kind.upload && field === kind.upload.fileField) continue;
      add({ kind, field, status: 'mismatch', message: `the node requires ${field} and has no default for it, but this stack does not send it; declare it.` });
    }
  }
  return [...findings.values()];
}
