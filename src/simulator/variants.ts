import { KINDS } from '../kinds';
import type { JsonObject, JsonValue } from '../kinds/types';
import { isPlainObject } from '../kinds/validate';
import { SimulatorInputError } from './errors';
import { DEFAULT_VERSION, type NodeModel } from './node-model';
import { defaultSchemas } from './schema-fit';

/**
 * Simulator variants: behave like other real Management Nodes than the one our reading of the API describes, so
 * first contact can be rehearsed: other enum spellings, an older version without some fields, other maximum lengths,
 * a node that does not keep a posted theme uuid. A variant is a name (`--variant older-version`) or a JSON file of
 * the same shape.
 */

/** What one field looks like on this node instead. */
export interface FieldOverride {
  /** Enum wire values (`valid_choices`). */
  readonly values?: readonly string[];
  readonly maxLength?: number;
  readonly default?: JsonValue;
  readonly required?: boolean;
}

export interface NodeVariant {
  /** The Pexip version `status/v1/management_vm/` reports. */
  readonly version: string;
  /** Per resource kind: fields this node lacks, and fields it describes differently. */
  readonly kinds?: Readonly<Record<string, { readonly omitFields?: readonly string[]; readonly fields?: Readonly<Record<string, FieldOverride>> }>>;
  /** A posted `ivr_theme.uuid`: kept (default), or ignored (the node makes its own). */
  readonly themeUuids?: 'keep' | 'ignore';
}


export const VARIANTS: Readonly<Record<string, NodeVariant>> = {
  default: { version: DEFAULT_VERSION },
  'ignores-theme-uuid': { version: DEFAULT_VERSION, themeUuids: 'ignore' },
  'algorithm-choices': { version: DEFAULT_VERSION, kinds: { telehealth_profile: { fields: { epic_encryption_algorithm: { values: ['AES128', 'AES256'] }, epic_encryption_key_type: { values: ['base64_key', 'password'] } } } } },
  // Fields that came with later versions (reference §3: captions, denoising, Teams and codec settings).
  'older-version': { version: '29.0.0', kinds: { gateway_routing_rule: { omitFields: ['denoise_audio', 'live_captions_enabled', 'match_incoming_teams', 'disabled_codecs'] } } },
  'short-lengths': { version: DEFAULT_VERSION, kinds: { telehealth_profile: { fields: { name: { maxLength: 20 }, description: { maxLength: 80 } } }, gateway_routing_rule: { fields: { name: { maxLength: 30 } } } } },
};

/** Checks a variant read from a file; a clear error naming what is wrong. */
export function parseVariant(value: unknown, source: string): NodeVariant {
  const fail = (why: string): never => {
    throw new SimulatorInputError(`${source}: ${why}`);
  };
  if (!isPlainObject(value as JsonValue)) fail('a variant is a JSON object {"version", "kinds"?, "themeUuids"?}.');
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) if (!['version', 'kinds', 'themeUuids'].includes(key)) fail(`unknown key "${key}".`);
  if (typeof v.version !== 'string' || v.version === '') fail('"version" must be a non-empty string.');
  if (v.themeUuids !== undefined && v.themeUuids !== 'keep' && v.themeUuids !== 'ignore') fail('"themeUuids" must be "keep" or "ignore".');
  if (v.kinds !== undefined) {
    if (!isPlainObject(v.kinds as JsonValue)) fail('"kinds" must be an object by resource name.');
    for (const [name, change] of Object.entries(v.kinds as Record<string, unknown>)) {
      const kind = KINDS.find((k) => k.name === name);
      if (!kind) fail(`"kinds.${name}": not a resource this simulator serves.`);
      const c = change as Record<string, unknown>;
      if (!isPlainObject(change as JsonValue) || Object.keys(c).some((k) => k !== 'omitFields' && k !== 'fields')) fail(`"kinds.${name}" takes "omitFields" and "fields".`);
      for (const field of [...((c.omitFields as unknown[]) ?? []), ...Object.keys((c.fields as object) ?? {})]) {
        if (typeof field !== 'string' || !Object.prototype.hasOwnProperty.call(kind!.fields, field)) fail(`"kinds.${name}": ${JSON.stringify(field)} is not a field of ${name}.`);
      }
    }
  }
  return v as unknown as NodeVariant;
}

const MAX_LENGTH_TEXT = /\s*Maximum length: \d+ characters\./;

/**
 * A variant is an edit of the default node's `schema/` answers: fields removed, other choices, lengths, defaults or
 * required fields. The simulator fits its kind descriptions to the edited schemas as it does to a snapshot's.
 */
export function variantSchemas(variant: NodeVariant): Record<string, JsonObject> {
  const schemas = defaultSchemas();
  for (const [name, change] of Object.entries(variant.kinds ?? {})) {
    const fields = schemas[name].fields as JsonObject;
    for (const field of change.omitFields ?? []) delete fields[field];
    for (const [field, edit] of Object.entries(change.fields ?? {})) {
      const target = fields[field] as JsonObject;
      if (edit.values) target.valid_choices = [...edit.values];
      if (edit.maxLength !== undefined) target.help_text = `${String(target.help_text).replace(MAX_LENGTH_TEXT, '')} Maximum length: ${edit.maxLength} characters.`;
      if (edit.default !== undefined) target.default = edit.default;
      if (edit.required === true) Object.assign(target, { blank: false, nullable: false, default: null });
      if (edit.required === false) target.blank = true;
    }
  }
  return schemas;
}

/** The node a variant describes. */
export function variantNode(variant: NodeVariant): NodeModel {
  return { version: variant.version, schemas: variantSchemas(variant), themeUuids: variant.themeUuids };
}
