import { createHash, randomUUID } from 'node:crypto';
import type { FieldSpec, JsonObject, JsonValue, KindSpec } from '../kinds/types';
import { checkRules, fieldOf, isPlainObject, validateFields, withDefaults } from '../kinds/validate';
import { listZip, ZipFormatError } from '../util/zip';
import { type KindCatalogue, requireKind, resourceNames } from './catalogue';
import { activatedLicence, type Entitlement, normaliseEntitlement } from './licensing';
import { CONFIG_PREFIX, configUri, pexipTime, type SimulatorData, type StoredFile, type StoredObject } from './store';
import { kindSchema } from './schema';
import { HttpProblem } from './tastypie';

/**
 * The configuration API's semantics for our kinds, driven by the shared kind descriptions, plus what only a server
 * does: defaults, uniqueness, reference resolution, read-back forms, secret masking, package checks, licences.
 */

/** How secrets read back (reference §1.12, unknown for telehealth): blank, Pexip's `$~!1` encrypted blob, or absent. */
export type SecretReadMode = 'blank' | 'encrypted' | 'omit';
/** What deleting a referenced object does (reference §2.1, unknown): refuse, or clear the references. */
export type ReferencedDeleteMode = 'protect' | 'set-null';

export interface ConfigOptions {
  /** The kinds this instance serves; the only source of kind descriptions here, so an instance can differ. */
  readonly kinds: KindCatalogue;
  readonly secretReadMode: SecretReadMode;
  readonly referencedDelete: ReferencedDeleteMode;
  readonly entitlements: Readonly<Record<string, Entitlement>>;
  /** A posted theme uuid: kept (default), or ignored as some nodes may (the official provider treats it as computed). */
  readonly themeUuids?: 'keep' | 'ignore';
  /** A written field the node's schema lacks: ignored, as Tastypie does (default), or refused with a field error. */
  readonly unknownFields?: 'ignore' | 'refuse';
}

export interface Upload {
  readonly fileName: string;
  readonly content: Buffer;
}

type Errors = Record<string, string[]>;

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function addError(errors: Errors, field: string, message: string): void {
  (errors[field] ??= []).push(message);
}

function throwIfErrors(kind: KindSpec, errors: Errors): void {
  if (Object.keys(errors).length > 0) throw new HttpProblem(400, { [kind.name]: errors });
}

/** Multipart text fields arrive as strings; Django's form fields turn them into typed values. */
function fromForm(kind: KindSpec, fields: Record<string, string>): JsonObject {
  const out: JsonObject = {};
  for (const [name, raw] of Object.entries(fields)) {
    const spec = fieldOf(kind, name);
    if (!spec) continue;
    switch (spec.type) {
      case 'boolean':
        out[name] = ['true', 'True', 'on', '1'].includes(raw);
        break;
      case 'integer':
        out[name] = raw === '' && spec.nullable ? null : /^-?\d+$/.test(raw) ? Number(raw) : raw;
        break;
      case 'reference':
        out[name] = raw === '' ? null : raw;
        break;
      case 'referenceList':
      case 'valueList':
        try {
          out[name] = raw === '' ? [] : (JSON.parse(raw) as JsonValue);
        } catch {
          out[name] = raw;
        }
        break;
      default:
        out[name] = raw;
    }
  }
  return out;
}

export class ConfigResources {
  constructor(
    private readonly data: () => SimulatorData,
    private readonly options: ConfigOptions,
  ) {}

  /** Resource names served under configuration/v1: our kinds and the seeded reference targets. */
  resourceNames(): string[] {
    return resourceNames(this.options.kinds);
  }

  /** `GET <kind>/schema/`: the node's own answer, or one generated from the kind's description. */
  schema(kind: KindSpec): JsonObject {
    return this.options.kinds.schema?.(kind.name) ?? kindSchema(kind);
  }

  /** The kind serving a resource name (undefined for a seeded collection or an unknown name). */
  kind(resource: string): KindSpec | undefined {
    return this.options.kinds.find(resource);
  }

  private collection(resource: string): StoredObject[] {
    return (this.data().config[resource] ??= []);
  }

  private find(resource: string, key: string): StoredObject | undefined {
    return this.collection(resource).find((o) => o.key === key);
  }

  private require(resource: string, key: string): StoredObject {
    const found = this.find(resource, key);
    if (!found) throw new HttpProblem(404);
    return found;
  }

  // ---- reads ------------------------------------------------------------------------------------------------

  list(resource: string): JsonObject[] {
    return this.collection(resource).map((o) => this.render(resource, o));
  }

  get(resource: string, key: string): JsonObject {
    return this.render(resource, this.require(resource, key));
  }

  private render(resource: string, stored: StoredObject, nested = false): JsonObject {
    const kind = this.kind(resource);
    if (!kind) return { ...stored.data, resource_uri: configUri(resource, stored.key) };
    const out: JsonObject = {};
    for (const [name, spec] of Object.entries(kind.fields)) {
      if (spec.type === 'file') continue;
      if (spec.secret) {
        const value = stored.data[name];
        if (this.options.secretReadMode === 'omit') continue;
        out[name] = this.options.secretReadMode === 'blank' || !value ? '' : encryptedBlob(String(value));
        continue;
      }
      if (name === 'resource_uri') continue;
      if (spec.type === 'referenceList' && spec.readOnly) {
        out[name] = this.referrers(configUri(kind.name, stored.key), spec.references!);
        continue;
      }
      const value = stored.data[name];
      if (spec.type === 'reference' && spec.readForm === 'nested' && typeof value === 'string' && !nested) {
        out[name] = this.renderUri(value);
        continue;
      }
      if (value === null && spec.absentWhenNull) continue;
      if (value !== undefined) out[name] = value;
    }
    out.resource_uri = configUri(kind.name, stored.key);
    return out;
  }

  private renderUri(uri: string): JsonValue {
    const target = this.resolveUri(uri);
    return target ? this.render(target.resource, target.object, true) : null;
  }

  /** URIs of objects of `resource` whose reference fields point at `uri`. */
  private referrers(uri: string, resource: string): string[] {
    const kind = this.kind(resource);
    if (!kind) return [];
    const fields = Object.entries(kind.fields).filter(([, s]) => s.type === 'reference' || s.type === 'referenceList');
    return this.collection(resource)
      .filter((o) => fields.some(([f]) => o.data[f] === uri || (Array.isArray(o.data[f]) && (o.data[f] as JsonValue[]).includes(uri))))
      .map((o) => configUri(resource, o.key));
  }

  // ---- writes -----------------------------------------------------------------------------------------------

  create(kind: KindSpec, input: JsonObject, formFields: Record<string, string> | undefined, files: Record<string, Upload>): { key: string; location: string } {
    if (kind.name === 'licence') return this.activateLicence(input);
    const body = formFields ? fromForm(kind, formFields) : input;
    const writable = this.writable(kind, body);
    const errors: Errors = this.unknownFieldErrors(kind, formFields ?? input);
    const upload = this.checkUpload(kind, files, true, errors);
    // A package part that arrived (valid or not) satisfies "required"; its own errors are already reported.
    if (kind.upload && (upload || errors[kind.upload.fileField])) writable[kind.upload.fileField] = 'package';
    for (const e of validateFields(kind, writable, { requireRequired: true, unresolved: this.unchecked(kind) })) addError(errors, e.field, e.message);
    throwIfErrors(kind, errors);
    const full = withDefaults(kind, writable);
    for (const [name, spec] of Object.entries(kind.fields)) if (spec.readOnly && spec.default !== undefined) full[name] = spec.default;
    this.checkServerRules(kind, full, undefined, errors);
    throwIfErrors(kind, errors);
    const data = this.data();
    let key: string;
    if (kind.detailKey === 'uuid') {
      key = randomUUID();
      full.uuid = key;
    } else {
      key = String(++data.counters[kind.name]);
      full.id = Number(key);
    }
    if (kind.name === 'ivr_theme' && (typeof full.uuid !== 'string' || full.uuid === '')) full.uuid = randomUUID();
    this.stamp(kind, full, true);
    const stored: StoredObject = { key, data: full, files: {} };
    if (upload) stored.files[kind.upload!.fileField] = upload;
    delete full[kind.upload?.fileField ?? ''];
    this.collection(kind.name).push(stored);
    return { key, location: configUri(kind.name, key) };
  }

  /** PATCH (partial) or PUT (full: omitted fields fall back to defaults, omitted secrets are cleared). */
  update(kind: KindSpec, key: string, input: JsonObject, formFields: Record<string, string> | undefined, files: Record<string, Upload>, full: boolean): void {
    const stored = this.require(kind.name, key);
    const body = formFields ? fromForm(kind, formFields) : input;
    const writable = this.writable(kind, body);
    const errors: Errors = this.unknownFieldErrors(kind, formFields ?? input);
    if (kind.upload && !kind.upload.updateMultipart) {
      for (const [name, value] of Object.entries(writable)) {
        if (!kind.upload.jsonPatchFields?.includes(name) && value !== stored.data[name]) {
          addError(errors, name, `This field cannot be changed after upload; upload a new ${kind.title} instead.`);
        }
      }
      if (files[kind.upload.fileField]) addError(errors, kind.upload.fileField, `The package cannot be replaced; upload a new ${kind.title} instead.`);
      throwIfErrors(kind, errors);
    }
    const upload = this.checkUpload(kind, files, false, errors);
    for (const e of validateFields(kind, writable, { requireRequired: full, unresolved: this.unchecked(kind) })) {
      if (!(full && fieldOf(kind, e.field)?.type === 'file')) addError(errors, e.field, e.message);
    }
    throwIfErrors(kind, errors);
    const base = full ? withDefaults(kind, Object.fromEntries(Object.entries(stored.data).filter(([n]) => fieldOf(kind, n)?.readOnly))) : { ...stored.data };
    const merged: JsonObject = { ...base, ...writable };
    if (full) for (const [name, spec] of Object.entries(kind.fields)) if (spec.secret && writable[name] === undefined) merged[name] = '';
    this.checkServerRules(kind, merged, key, errors);
    throwIfErrors(kind, errors);
    this.stamp(kind, merged, false, Boolean(upload));
    stored.data = merged;
    if (upload) stored.files[kind.upload!.fileField] = upload;
  }

  delete(kind: KindSpec, key: string): void {
    const stored = this.require(kind.name, key);
    if (stored.builtIn) throw new HttpProblem(400, { error: `The built-in ${kind.title} "${String(stored.data.name)}" cannot be deleted.` });
    const uri = configUri(kind.name, key);
    const users = this.referencesTo(uri);
    if (users.length > 0 && this.options.referencedDelete === 'protect') {
      const names = users.map(({ resource, object }) => `${this.kind(resource)?.title ?? resource} "${String(object.data.name ?? object.data.slug ?? object.key)}"`);
      throw new HttpProblem(400, { error: `Cannot delete ${kind.title} "${String(stored.data.name ?? stored.data.slug ?? key)}": it is still used by ${names.join(', ')}.` });
    }
    for (const { object, field } of users) object.data[field] = Array.isArray(object.data[field]) ? (object.data[field] as JsonValue[]).filter((u) => u !== uri) : null;
    const list = this.collection(kind.name);
    list.splice(list.indexOf(stored), 1);
  }

  /** DELETE on the list endpoint: Tastypie deletes every object (built-ins survive here, as they must in Pexip). */
  deleteAll(kind: KindSpec): void {
    for (const object of [...this.collection(kind.name)].reverse()) {
      if (!object.builtIn) this.delete(kind, object.key);
    }
  }

  /** PATCH on the list endpoint: `{"objects": [...], "deleted_objects": [uri, ...]}`. */
  bulk(kind: KindSpec, body: JsonValue): void {
    if (!isPlainObject(body) || !Array.isArray(body.objects ?? [])) throw new HttpProblem(400, { error: 'Expected {"objects": [...], "deleted_objects": [...]}.' });
    for (const item of (body.objects ?? []) as JsonValue[]) {
      if (!isPlainObject(item)) throw new HttpProblem(400, { error: 'Every entry of "objects" must be an object.' });
      const uri = typeof item.resource_uri === 'string' ? this.resolveUri(item.resource_uri) : undefined;
      if (uri && uri.resource === kind.name) this.update(kind, uri.object.key, item, undefined, {}, false);
      else this.create(kind, item, undefined, {});
    }
    for (const uri of (Array.isArray(body.deleted_objects) ? body.deleted_objects : []) as JsonValue[]) {
      const target = typeof uri === 'string' ? this.resolveUri(uri) : undefined;
      if (target && target.resource === kind.name) this.delete(kind, target.object.key);
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  /** A node that refuses what its schema does not describe: one error per unknown field (names are the client's). */
  private unknownFieldErrors(kind: KindSpec, body: Readonly<Record<string, unknown>>): Errors {
    const errors: Errors = {};
    if (this.options.unknownFields !== 'refuse') return errors;
    for (const name of Object.keys(body)) if (!fieldOf(kind, name)) addError(errors, name, `${capitalise(kind.title)} has no field ${name.slice(0, 60)} on this Management Node.`);
    return errors;
  }

  private unchecked(kind: KindSpec): ReadonlySet<string> | undefined {
    return this.options.kinds.unchecked?.(kind.name);
  }

  /** Tastypie ignores unknown and read-only fields on write. */
  private writable(kind: KindSpec, body: JsonObject): JsonObject {
    return Object.fromEntries(
      Object.entries(body).filter(([name]) => {
        const spec = fieldOf(kind, name);
        const ignored = kind.name === 'ivr_theme' && name === 'uuid' && this.options.themeUuids === 'ignore';
        return spec !== undefined && !spec.readOnly && spec.type !== 'file' && !ignored;
      }),
    );
  }

  private checkServerRules(kind: KindSpec, full: JsonObject, selfKey: string | undefined, errors: Errors): void {
    for (const e of checkRules({ ...kind, rules: kind.rules.filter((r) => r.enforcedBy === 'pexip') }, full)) addError(errors, e.field, e.message);
    for (const [name, spec] of Object.entries(kind.fields)) {
      if (spec.unique && typeof full[name] === 'string' && full[name] !== '') {
        const clash = this.collection(kind.name).some((o) => o.key !== selfKey && o.data[name] === full[name]);
        if (clash) addError(errors, name, `${capitalise(kind.title)} with this ${spec.label} already exists.`);
      }
      // A reference only the node's schema describes has no target we know: kept as written.
      if ((spec.type === 'reference' || spec.type === 'referenceList') && full[name] !== undefined && !spec.readOnly && spec.references !== undefined) {
        const resolved = this.resolveField(spec, full[name], errors, name);
        if (resolved !== undefined) full[name] = resolved;
      }
    }
  }

  private resolveField(spec: FieldSpec, value: JsonValue, errors: Errors, name: string): JsonValue | undefined {
    const one = (item: JsonValue): string | null | undefined => {
      if (item === null) return null;
      const target = typeof item === 'string' ? this.resolveUri(item) : isPlainObject(item) ? this.resolveNested(spec.references!, item) : undefined;
      if (!target || target.resource !== spec.references) {
        addError(errors, name, `Could not find the ${spec.references} referenced by ${typeof item === 'string' ? `"${item}"` : 'the given object'}.`);
        return undefined;
      }
      return configUri(target.resource, target.object.key);
    };
    if (spec.type === 'referenceList') {
      if (!Array.isArray(value)) return undefined;
      const uris = value.map(one);
      return uris.includes(undefined) ? undefined : (uris as string[]);
    }
    return one(value);
  }

  /** Finds the object behind a configuration URI, absolute or server-relative. */
  resolveUri(uri: string): { resource: string; object: StoredObject } | undefined {
    const path = uri.replace(/^https?:\/\/[^/]+/, '');
    if (!path.startsWith(CONFIG_PREFIX)) return undefined;
    const [resource, key, ...rest] = path.slice(CONFIG_PREFIX.length).split('/');
    if (rest.some((s) => s !== '')) return undefined;
    const object = this.find(resource, decodeURIComponent(key ?? ''));
    return object ? { resource, object } : undefined;
  }

  private resolveNested(resource: string, item: JsonObject): { resource: string; object: StoredObject } | undefined {
    if (typeof item.resource_uri === 'string') return this.resolveUri(item.resource_uri);
    const object = this.collection(resource).find((o) => ['id', 'uuid', 'name'].some((f) => item[f] !== undefined && o.data[f] === item[f]));
    return object ? { resource, object } : undefined;
  }

  private referencesTo(uri: string): { resource: string; object: StoredObject; field: string }[] {
    const found: { resource: string; object: StoredObject; field: string }[] = [];
    for (const kind of this.options.kinds.kinds) {
      for (const [field, spec] of Object.entries(kind.fields)) {
        if ((spec.type !== 'reference' && spec.type !== 'referenceList') || spec.readOnly) continue;
        for (const object of this.collection(kind.name)) {
          const value = object.data[field];
          if (value === uri || (Array.isArray(value) && value.includes(uri))) found.push({ resource: kind.name, object, field });
        }
      }
    }
    return found;
  }

  private checkUpload(kind: KindSpec, files: Record<string, Upload>, creating: boolean, errors: Errors): StoredFile | undefined {
    if (!kind.upload) return undefined;
    const field = kind.upload.fileField;
    const file = files[field];
    if (!file) {
      if (creating) addError(errors, field, 'This field is required.');
      return undefined;
    }
    let entries: string[];
    try {
      entries = listZip(file.content);
    } catch (error) {
      addError(errors, field, error instanceof ZipFormatError ? 'The uploaded file is not a valid ZIP archive.' : 'The uploaded file could not be read.');
      return undefined;
    }
    if (!kind.upload.requiredEntries.some((entry) => entries.includes(entry))) {
      // Pexip reports an empty branding package this way (reference §5.1).
      addError(errors, field, kind.name === 'webapp_branding' ? 'No branding files found' : `The package must contain ${kind.upload.requiredEntries.join(' or ')}.`);
      return undefined;
    }
    return { fileName: file.fileName, sha256: createHash('sha256').update(file.content).digest('hex'), size: file.content.length, entries };
  }

  private stamp(kind: KindSpec, data: JsonObject, creating: boolean, uploaded = false): void {
    if (creating && kind.fields.creation_time) data.creation_time = pexipTime();
    if (kind.fields.last_updated && (creating || uploaded || kind.name !== 'ivr_theme')) data.last_updated = pexipTime();
  }

  private activateLicence(input: JsonObject): { key: string; location: string } {
    const kind = requireKind(this.options.kinds, 'licence');
    const errors: Errors = {};
    for (const e of validateFields(kind, this.writable(kind, input), { requireRequired: true })) addError(errors, e.field, e.message);
    throwIfErrors(kind, errors);
    const entitlementId = normaliseEntitlement(String(input.entitlement_id));
    if (input.offline_mode === true) {
      const requests = this.data().licenceRequests;
      const sequence = String(requests.length + 1);
      requests.push({ sequence_number: sequence, reference: entitlementId, actions: 'activate', generation_time: pexipTime(), status: 'pending', response_xml: '' });
      return { key: sequence, location: `${CONFIG_PREFIX}licence_request/${sequence}/` };
    }
    const entitlement = this.options.entitlements[entitlementId];
    if (!entitlement) addError(errors, 'entitlement_id', 'The licence server does not recognise this entitlement key.');
    else if (this.collection('licence').some((l) => l.data.entitlement_id === entitlementId)) addError(errors, 'entitlement_id', 'This entitlement key has already been activated.');
    throwIfErrors(kind, errors);
    const data = activatedLicence(entitlementId, entitlement!);
    const key = String(data.fulfillment_id);
    this.collection('licence').push({ key, data, files: {} });
    return { key, location: configUri('licence', key) };
  }
}

/** Pexip's read-back form of stored secrets: `$~!1` and an opaque base64 blob (not the value). */
function encryptedBlob(value: string): string {
  return `$~!1${createHash('sha256').update(`simulator:${value}`).digest('base64')}`;
}
