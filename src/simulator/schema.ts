import type { FieldSpec, JsonObject, KindSpec } from '../kinds/types';
import { DEFAULT_LIMIT } from './tastypie';

/** `GET /api/admin/<api>/v1/`: the root map of list endpoints and schemas. */
export function rootMap(api: string, resources: readonly string[]): JsonObject {
  return Object.fromEntries(
    resources.map((r) => [r, { list_endpoint: `/api/admin/${api}/v1/${r}/`, schema: `/api/admin/${api}/v1/${r}/schema/` }]),
  );
}

const SCHEMA_TYPES: Record<FieldSpec['type'], string> = {
  string: 'string',
  integer: 'integer',
  boolean: 'boolean',
  enum: 'string',
  reference: 'related',
  referenceList: 'related',
  valueList: 'list',
  file: 'file',
  datetime: 'datetime',
  dict: 'dict',
};

/** Fields a list of this kind can be filtered and ordered by: scalar, non-secret, non-file. */
export function filterableFields(kind: KindSpec): Set<string> {
  return new Set(
    Object.entries(kind.fields)
      .filter(([, s]) => !s.secret && s.type !== 'file' && s.type !== 'dict' && s.type !== 'valueList')
      .map(([name]) => name),
  );
}

/**
 * `GET /<resource>/schema/` in Tastypie's format as Pexip serves it (reference §1.10; pexshell's parser): per field
 * `blank`, `default`, `help_text`, `nullable`, `readonly`, `type`, `unique`, `related_type` and, for enums and
 * booleans, `valid_choices`. There is no `max_length` key: lengths appear only in the help text.
 */
export function kindSchema(kind: KindSpec): JsonObject {
  const fields: JsonObject = {};
  const filterable = filterableFields(kind);
  for (const [name, spec] of Object.entries(kind.fields)) {
    const help = `${spec.help}${spec.maxLength !== undefined ? ` Maximum length: ${spec.maxLength} characters.` : ''}`;
    fields[name] = {
      blank: !spec.required,
      default: spec.default === undefined ? null : spec.default,
      help_text: help,
      nullable: Boolean(spec.nullable),
      readonly: Boolean(spec.readOnly),
      type: SCHEMA_TYPES[spec.type],
      related_type: spec.type === 'reference' ? 'to_one' : spec.type === 'referenceList' ? 'to_many' : null,
      unique: Boolean(spec.unique),
      ...(spec.values ? { valid_choices: [...spec.values] } : spec.type === 'boolean' ? { valid_choices: [true, false] } : {}),
    };
  }
  return {
    allowed_detail_http_methods: kind.methods.detail.map((m) => m.toLowerCase()),
    allowed_list_http_methods: kind.methods.list.map((m) => m.toLowerCase()),
    default_limit: DEFAULT_LIMIT,
    fields,
    filtering: Object.fromEntries([...filterable].map((name) => [name, 1])),
    ordering: [...filterable],
  };
}
