import type { PexipClient } from '../api/client';
import { PexipNotFoundError } from '../api/errors';
import { inPool } from '../engine/live';
import type { StopToken } from '../engine/pool';
import { KINDS } from '../kinds';
import type { JsonObject, JsonValue, KindSpec } from '../kinds/types';
import { isPlainObject } from '../kinds/validate';
import { sortedKeys } from '../util/canonical-json';
import { type Snapshot, SNAPSHOT_FORMAT, type SnapshotKind, type SnapshotLicensing, type SnapshotNode, snapshotText } from './format';
import { sanitiseObject, secretFieldNames } from './sanitise';

/**
 * `pexip-cdktf snapshot`: reads (never writes) a Management Node's version, telehealth licence counts, and the schema
 * and objects of every kind this project manages. Status and history are never read: they hold patient names.
 */

const STATUS = '/api/admin/status/v1/';

/** Absent rather than failing: an older node may not serve a status resource or a kind's schema. */
async function unlessMissing<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof PexipNotFoundError) return null;
    throw error;
  }
}

/** Orders by the detail key, numerically where both are numbers, so the file does not depend on the node's list order. */
function byKey(a: JsonObject, b: JsonObject): number {
  const key = (o: JsonObject) => String(o.resource_uri).replace(/\/$/, '').split('/').pop() ?? '';
  const [x, y] = [key(a), key(b)];
  if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
  return x < y ? -1 : x > y ? 1 : 0;
}

async function captureKind(client: PexipClient, kind: KindSpec): Promise<SnapshotKind> {
  const rawSchema = await unlessMissing(() => client.getPath(`${kind.collectionPath}schema/`, { kind: kind.title }));
  const schema = isPlainObject(rawSchema as JsonValue) && isPlainObject((rawSchema as JsonObject).fields) ? (rawSchema as JsonObject) : null;
  const listed = (await unlessMissing(() => client.list(kind))) ?? [];
  const secrets = secretFieldNames(kind, schema);
  const dropped = new Set<string>();
  const objects = listed.map((o) => sanitiseObject(o, secrets, dropped)).sort(byKey);
  return { schema, objects, omitted: [...dropped].sort() };
}

function licensingOf(status: JsonObject | undefined): SnapshotLicensing | null {
  const count = (name: string) => (typeof status?.[name] === 'number' ? (status[name] as number) : undefined);
  const total = count('telehealth_total');
  return total === undefined ? null : { telehealth_total: total, telehealth_count: count('telehealth_count') ?? 0 };
}

/** Takes the snapshot; `progress` gets one line per kind as it completes (a slow node shows it is still going). */
export async function captureSnapshot(client: PexipClient, progress: (line: string) => void, stop?: StopToken): Promise<Snapshot> {
  const nodes = (await unlessMissing(() => client.listPath(`${STATUS}management_vm/`, {}, { kind: 'management node status' }))) ?? [];
  const primary = nodes.find((n) => n.primary === true) ?? nodes[0];
  const version = typeof primary?.version === 'string' ? primary.version : null;
  const licensing = licensingOf((await unlessMissing(() => client.listPath(`${STATUS}licensing/`, {}, { kind: 'licensing status' })))?.[0]);
  const node = nodeOf(await unlessMissing(() => client.listPath('/api/admin/configuration/v1/management_vm/', {}, { kind: 'management node' })));
  progress(`version ${version ?? '(not reported)'}; telehealth licences: ${licensing ? `${licensing.telehealth_total} total, ${licensing.telehealth_count} in use` : '(not reported)'}`);
  const kinds: Record<string, SnapshotKind> = {};
  let done = 0;
  await inPool(client, KINDS, stop, async (kind) => {
    const captured = await captureKind(client, kind);
    kinds[kind.name] = captured;
    progress(`[${++done}/${KINDS.length}] ${kind.name}: ${captured.schema ? 'schema' : 'no schema'}, ${captured.objects.length} object${captured.objects.length === 1 ? '' : 's'}`);
  });
  return { format: SNAPSHOT_FORMAT, version, licensing, kinds, node };
}

/** The primary management VM's identity: host name, domain and its own address (nothing else of its configuration). */
function nodeOf(vms: JsonObject[] | null): SnapshotNode | null {
  const primary = vms?.find((vm) => vm.primary === true) ?? vms?.[0];
  if (!primary || typeof primary.hostname !== 'string' || primary.hostname === '') return null;
  const text = (value: JsonValue | undefined) => (typeof value === 'string' ? value : '');
  return { hostname: primary.hostname, domain: text(primary.domain), address: text(primary.address) };
}

export interface SnapshotSummary {
  readonly bytes: number;
  readonly format: string;
  readonly version: string | null;
  readonly licensing: SnapshotLicensing | null;
  readonly kinds: Readonly<Record<string, { objects: number; schemaBytes: number; objectBytes: number; omitted: readonly string[] }>>;
  /** Left out whole: never read. */
  readonly notRead: readonly string[];
}

const size = (value: JsonValue) => Buffer.byteLength(JSON.stringify(sortedKeys(value), null, 2));

/** What was captured and what was left out, with sizes (bytes as in the file's indentation, near enough). */
export function summariseSnapshot(snapshot: Snapshot): SnapshotSummary {
  const kinds = Object.fromEntries(
    Object.entries(snapshot.kinds)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, k]) => [name, { objects: k.objects.length, schemaBytes: k.schema ? size(k.schema) : 0, objectBytes: size(k.objects as JsonValue[]), omitted: k.omitted }]),
  );
  return {
    bytes: Buffer.byteLength(snapshotText(snapshot)),
    format: snapshot.format,
    version: snapshot.version,
    licensing: snapshot.licensing,
    kinds,
    notRead: ['status (conferences, participants: patient names)', 'history (patient names)', 'theme and branding packages (not readable)'],
  };
}
