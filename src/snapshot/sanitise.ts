import type { JsonObject, JsonValue, KindSpec } from '../kinds/types';
import { isPlainObject } from '../kinds/validate';

/**
 * What a snapshot must never hold. Secrets: the fields our kind descriptions mark secret, string fields whose name the
 * node's schema gives as a password, secret, private key or token (fields we do not describe have no secret flag),
 * and any value read back as Pexip's encrypted blob (`$~!1…`), whatever its field is called.
 */

const SECRET_NAME = /(^|_)(password|passwd|secret|passphrase|private_key|token|credentials?)$/i;
const ENCRYPTED_BLOB = /^\$~!1/;

/** Fields dropped from every object of the kind, by what the descriptions say (before any value is looked at). */
export function secretFieldNames(kind: KindSpec, schema: JsonObject | null): Set<string> {
  const names = new Set(Object.entries(kind.fields).filter(([, s]) => s.secret || s.type === 'file').map(([n]) => n));
  const fields = schema && isPlainObject(schema.fields) ? schema.fields : {};
  for (const [name, field] of Object.entries(fields)) {
    const type = isPlainObject(field) ? field.type : undefined;
    if (type === 'file' || ((type === 'string' || type === 'password') && SECRET_NAME.test(name))) names.add(name);
  }
  return names;
}

/** A password-like value anywhere inside a field's value (nested objects included). */
function holdsBlob(value: JsonValue): boolean {
  if (typeof value === 'string') return ENCRYPTED_BLOB.test(value);
  if (Array.isArray(value)) return value.some(holdsBlob);
  if (isPlainObject(value)) return Object.values(value).some(holdsBlob);
  return false;
}

/** The object without secret fields and blobs; `dropped` receives the names of the fields removed. */
export function sanitiseObject(object: Readonly<JsonObject>, secretNames: ReadonlySet<string>, dropped: Set<string>): JsonObject {
  const out: JsonObject = {};
  for (const [name, value] of Object.entries(object)) {
    if (secretNames.has(name) || holdsBlob(value)) {
      dropped.add(name);
      continue;
    }
    out[name] = value;
  }
  return out;
}
