import { ConfigError } from '../api/errors';
import { KINDS } from '../kinds';
import type { JsonObject, JsonValue } from '../kinds/types';
import { isPlainObject } from '../kinds/validate';
import { sortedKeys } from '../util/canonical-json';

/**
 * A snapshot of a Management Node: what a twin (`pexip-cdktf simulator --from-snapshot`) needs to behave like it
 * for a deploy: its version, telehealth licence counts, and per managed kind its `schema/` and objects. Never a
 * secret value, never status or history data (patient names).
 */

export const SNAPSHOT_FORMAT = 'pexip-cdktf-snapshot/1';

export interface SnapshotLicensing {
  readonly telehealth_total: number;
  readonly telehealth_count: number;
}

export interface SnapshotKind {
  /** The node's `schema/` answer as it was served; null when the node did not answer it. */
  readonly schema: JsonObject | null;
  /** Objects as the node lists them, ordered by resource URI, secret fields and password-like blobs removed. */
  readonly objects: readonly JsonObject[];
  /** Names of the fields removed from at least one object (never their values). */
  readonly omitted: readonly string[];
}

export interface Snapshot {
  readonly format: typeof SNAPSHOT_FORMAT;
  /** What `status/v1/management_vm/` reports; null when the node does not say. */
  readonly version: string | null;
  readonly licensing: SnapshotLicensing | null;
  /** By resource name, every kind this project manages (system locations included). */
  readonly kinds: Readonly<Record<string, SnapshotKind>>;
  /**
   * Who the node is (`configuration/v1/management_vm/`'s primary VM), so its twin answers as that node and a stack
   * bound to it can be rehearsed there; absent in snapshots that did not read it, null when the node did not say.
   */
  readonly node?: SnapshotNode | null;
}

export interface SnapshotNode {
  readonly hostname: string;
  readonly domain: string;
  readonly address: string;
}

/** The file's text: sorted keys, two-space indentation, a final newline, so two snapshots of one node are equal bytes. */
export function snapshotText(snapshot: Snapshot): string {
  return `${JSON.stringify(sortedKeys(snapshot as unknown as JsonValue), null, 2)}\n`;
}

/** Checks a parsed snapshot file; the error names the first thing wrong, with `source` (the file). */
export function parseSnapshot(value: unknown, source: string): Snapshot {
  const fail = (path: string, why: string): never => {
    throw new ConfigError(`${source}: ${path} ${why}`, { field: path });
  };
  if (!isPlainObject(value as JsonValue)) return fail('snapshot', 'must be a JSON object written by pexip-cdktf snapshot.');
  const v = value as JsonObject;
  if (v.format !== SNAPSHOT_FORMAT) fail('format', `must be "${SNAPSHOT_FORMAT}" (got ${JSON.stringify(v.format ?? null)}): take the snapshot again with this version of pexip-cdktf.`);
  for (const key of Object.keys(v)) if (!['format', 'version', 'licensing', 'kinds', 'node'].includes(key)) fail(key, 'is not a snapshot field (known: format, version, licensing, kinds, node).');
  if (v.node !== undefined && v.node !== null) {
    if (!isPlainObject(v.node)) fail('node', 'must be an object {hostname, domain, address} or null.');
    for (const field of ['hostname', 'domain', 'address']) if (typeof (v.node as JsonObject)[field] !== 'string') fail(`node.${field}`, 'must be a string.');
    if ((v.node as JsonObject).hostname === '') fail('node.hostname', 'must not be empty.');
  }
  if (v.version !== null && (typeof v.version !== 'string' || v.version === '')) fail('version', 'must be a non-empty string or null.');
  if (v.licensing !== null) {
    if (!isPlainObject(v.licensing)) fail('licensing', 'must be an object or null.');
    for (const count of ['telehealth_total', 'telehealth_count']) {
      const n = (v.licensing as JsonObject)[count];
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) fail(`licensing.${count}`, 'must be a non-negative integer.');
    }
  }
  if (!isPlainObject(v.kinds)) return fail('kinds', 'must be an object by resource name.');
  for (const [name, entry] of Object.entries(v.kinds)) {
    const path = `kinds.${name}`;
    if (!KINDS.some((k) => k.name === name)) fail(path, `is not a kind pexip-cdktf manages (known: ${KINDS.map((k) => k.name).join(', ')}).`);
    if (!isPlainObject(entry)) fail(path, 'must be an object {schema, objects, omitted}.');
    const e = entry as JsonObject;
    if (e.schema !== null && !(isPlainObject(e.schema) && isPlainObject(e.schema.fields))) fail(`${path}.schema`, 'must be a schema/ answer (with "fields") or null.');
    if (!Array.isArray(e.objects)) fail(`${path}.objects`, 'must be an array of objects.');
    (e.objects as JsonValue[]).forEach((o, i) => {
      if (!isPlainObject(o) || typeof o.resource_uri !== 'string') fail(`${path}.objects[${i}]`, 'must be an object with its resource_uri.');
    });
    if (!Array.isArray(e.omitted) || !e.omitted.every((f) => typeof f === 'string')) fail(`${path}.omitted`, 'must be an array of field names.');
  }
  return v as unknown as Snapshot;
}
