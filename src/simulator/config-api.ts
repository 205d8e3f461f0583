import type { JsonObject, JsonValue, KindSpec } from '../kinds/types';
import { isPlainObject } from '../kinds/validate';
import type { ConfigResources, Upload } from './config-resources';
import { notAllowed, type Reply } from './http';
import { MultipartError, multipartBoundary, parseMultipart } from './multipart';
import { filterableFields, rootMap } from './schema';
import { applyFilters, applyOrdering, HttpProblem, paginate } from './tastypie';

/** An authenticated configuration-API request, its body already read. */
export interface ConfigRequest {
  readonly method: string;
  /** Path segments after `configuration/v1/`. */
  readonly segments: readonly string[];
  readonly url: URL;
  readonly body: Buffer;
  readonly contentType: string;
}

/**
 * `/api/admin/configuration/v1/`: the Tastypie surface (root map, schema, list, detail, bulk, status codes) over
 * the semantics in ConfigResources. Which kinds exist and how they behave comes from ConfigResources' catalogue.
 */
export class ConfigurationApi {
  constructor(private readonly resources: ConfigResources) {}

  handle({ method, segments, url, body, contentType }: ConfigRequest): Reply {
    const names = this.resources.resourceNames();
    if (segments.length === 0) return method === 'GET' ? { status: 200, body: rootMap('configuration', names) } : notAllowed(['GET']);
    const [resource, key, extra] = segments;
    if (!names.includes(resource) || extra !== undefined) return { status: 404 };
    const kind = this.resources.kind(resource);
    if (key === 'schema') {
      if (!kind) return { status: 404 };
      return method === 'GET' ? { status: 200, body: this.resources.schema(kind) } : notAllowed(['GET']);
    }
    const allowed = kind ? (key === undefined ? kind.methods.list : kind.methods.detail) : ['GET'];
    if (!(allowed as readonly string[]).includes(method)) return notAllowed(allowed);
    if (method === 'GET') {
      if (key !== undefined) return { status: 200, body: this.resources.get(resource, decodeURIComponent(key)) };
      const filterable = kind ? filterableFields(kind) : new Set(['name', 'id']);
      const objects = applyOrdering(applyFilters(this.resources.list(resource), url.searchParams, filterable), url.searchParams, filterable);
      return { status: 200, body: paginate(objects, url.pathname, url.searchParams) };
    }
    // Only kinds allow more than GET (checked above), so a write always has a kind.
    const target = kind!;
    if (method === 'DELETE') {
      if (key === undefined) this.resources.deleteAll(target);
      else this.resources.delete(target, decodeURIComponent(key));
      return { status: 204 };
    }
    const { json, form, files } = parseWriteBody(target, body, contentType);
    if (method === 'POST') {
      const created = this.resources.create(target, json, form, files);
      return { status: 201, headers: { Location: created.location } };
    }
    if (key === undefined) {
      this.resources.bulk(target, json);
      return { status: 202 };
    }
    this.resources.update(target, decodeURIComponent(key), json, form, files, method === 'PUT');
    return { status: method === 'PUT' ? 204 : 202 };
  }
}

/** JSON or multipart body of a write; anything else is refused as Tastypie refuses an unknown format. */
function parseWriteBody(kind: KindSpec, body: Buffer, contentType: string): { json: JsonObject; form?: Record<string, string>; files: Record<string, Upload> } {
  const boundary = multipartBoundary(contentType);
  if (boundary) {
    try {
      const parsed = parseMultipart(body, boundary);
      return { json: {}, form: parsed.fields, files: parsed.files };
    } catch (error) {
      if (error instanceof MultipartError) throw new HttpProblem(400, { error: `Malformed multipart body: ${error.message}.` });
      throw error;
    }
  }
  if (!/^application\/json/i.test(contentType)) {
    throw new HttpProblem(400, { error: `The format indicated '${contentType.split(';')[0] || '(none)'}' had no available deserialization method.` });
  }
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpProblem(400, { error: 'Malformed JSON in request body.' });
  }
  if (!isPlainObject(parsed)) throw new HttpProblem(400, { [kind.name]: { __all__: ['Expected a JSON object.'] } });
  return { json: parsed, files: {} };
}
