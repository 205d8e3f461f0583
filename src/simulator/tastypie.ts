import type { JsonObject, JsonValue } from '../kinds/types';

/**
 * Tastypie list mechanics as Pexip's management API shows them (reference §1.5, §1.6): `limit`/`offset`
 * pagination with a `meta` envelope whose `next`/`previous` are server-relative paths, field lookups, `order_by`.
 */

/** An answer the simulator sends instead of the normal one: status and JSON body. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly body?: JsonValue,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

export const DEFAULT_LIMIT = 20;
/** Tastypie's max_limit: `limit=0` and larger limits are capped here. */
export const MAX_LIMIT = 10_000;
const LOOKUPS = ['exact', 'iexact', 'contains', 'icontains', 'startswith', 'istartswith', 'endswith', 'iendswith', 'regex', 'iregex', 'gt', 'gte', 'lt', 'lte', 'in', 'isnull'] as const;
type Lookup = (typeof LOOKUPS)[number];
/** Query parameters that are not filters. */
const RESERVED = new Set(['limit', 'offset', 'order_by', 'format']);

function nonNegativeInteger(params: URLSearchParams, name: string, fallback: number): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) throw new HttpProblem(400, { error: `Invalid ${name} '${raw}' provided. Please provide a positive integer.` });
  return Number(raw);
}

function coerce(sample: JsonValue | undefined, raw: string): JsonValue {
  if (typeof sample === 'boolean') return ['true', 'True', '1'].includes(raw);
  if (typeof sample === 'number' && raw.trim() !== '' && !Number.isNaN(Number(raw))) return Number(raw);
  return raw;
}

function matches(value: JsonValue | undefined, lookup: Lookup, raw: string): boolean {
  if (lookup === 'isnull') return (value === null || value === undefined) === ['true', 'True', '1'].includes(raw);
  if (value === null || value === undefined) return false;
  if (lookup === 'in') return raw.split(',').some((item) => matches(value, 'exact', item));
  const target = coerce(value, raw);
  const text = String(value);
  switch (lookup) {
    case 'exact':
      return value === target;
    case 'iexact':
      return text.toLowerCase() === raw.toLowerCase();
    case 'contains':
      return text.includes(raw);
    case 'icontains':
      return text.toLowerCase().includes(raw.toLowerCase());
    case 'startswith':
      return text.startsWith(raw);
    case 'istartswith':
      return text.toLowerCase().startsWith(raw.toLowerCase());
    case 'endswith':
      return text.endsWith(raw);
    case 'iendswith':
      return text.toLowerCase().endsWith(raw.toLowerCase());
    case 'regex':
    case 'iregex':
      try {
        return new RegExp(raw, lookup === 'iregex' ? 'i' : '').test(text);
      } catch {
        throw new HttpProblem(400, { error: `Invalid regular expression '${raw}'.` });
      }
    case 'gt':
      return typeof value === 'number' ? value > (target as number) : text > raw;
    case 'gte':
      return typeof value === 'number' ? value >= (target as number) : text >= raw;
    case 'lt':
      return typeof value === 'number' ? value < (target as number) : text < raw;
    case 'lte':
      return typeof value === 'number' ? value <= (target as number) : text <= raw;
  }
}

/** Applies `field` / `field__lookup` filters; a field not in `filterable` is a 400, as in Tastypie. */
export function applyFilters(objects: readonly JsonObject[], params: URLSearchParams, filterable: ReadonlySet<string>): JsonObject[] {
  let result = [...objects];
  for (const [key, raw] of params) {
    if (RESERVED.has(key)) continue;
    const [field, lookupName = 'exact', ...rest] = key.split('__');
    if (!filterable.has(field) || rest.length > 0) throw new HttpProblem(400, { error: `The '${field}' field does not allow filtering.` });
    if (!(LOOKUPS as readonly string[]).includes(lookupName)) throw new HttpProblem(400, { error: `The '${lookupName}' is not a valid lookup on '${field}'.` });
    result = result.filter((object) => matches(object[field], lookupName as Lookup, raw));
  }
  return result;
}

/** Applies `order_by=field` / `order_by=-field`. */
export function applyOrdering(objects: JsonObject[], params: URLSearchParams, orderable: ReadonlySet<string>): JsonObject[] {
  const orderings = params.getAll('order_by');
  if (orderings.length === 0) return objects;
  for (const ordering of orderings) {
    const field = ordering.replace(/^-/, '');
    if (!orderable.has(field)) throw new HttpProblem(400, { error: `No matching '${field}' field for ordering on.` });
  }
  return [...objects].sort((a, b) => {
    for (const ordering of orderings) {
      const descending = ordering.startsWith('-');
      const field = ordering.replace(/^-/, '');
      const x = a[field] as string | number | null;
      const y = b[field] as string | number | null;
      if (x === y) continue;
      const order = x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
      return descending ? -order : order;
    }
    return 0;
  });
}

/** One page and its `meta`, with next/previous as server-relative paths that keep the other parameters. */
export function paginate(objects: readonly JsonObject[], path: string, params: URLSearchParams): JsonObject {
  const requested = nonNegativeInteger(params, 'limit', DEFAULT_LIMIT);
  const limit = requested === 0 || requested > MAX_LIMIT ? MAX_LIMIT : requested;
  const offset = nonNegativeInteger(params, 'offset', 0);
  const page = objects.slice(offset, offset + limit);
  const link = (newOffset: number) => {
    const query = new URLSearchParams(params);
    query.set('limit', String(limit));
    query.set('offset', String(newOffset));
    return `${path}?${query.toString()}`;
  };
  return {
    meta: {
      limit,
      next: offset + limit < objects.length ? link(offset + limit) : null,
      offset,
      previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
      total_count: objects.length,
    },
    objects: page,
  };
}
