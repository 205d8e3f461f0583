import { KINDS } from '../kinds';
import type { JsonObject, JsonValue } from '../kinds/types';
import { isPlainObject } from '../kinds/validate';
import type { Snapshot, SnapshotLicensing } from '../snapshot/format';
import { defaultSchemas } from './schema-fit';
import type { NodeIdentitySeed, SimulatorData, StoredObject } from './store';

/**
 * The Management Node a simulator instance behaves like: its version, its `schema/` answers (our kind descriptions
 * are fitted to them), and for a twin of a real node its licence counts and objects. The default node, a variant
 * (an edit of the default node's schemas) and a snapshot's twin are all one of these.
 */
export interface NodeModel {
  /** What `status/v1/management_vm/` reports; null: the node does not serve it. */
  readonly version: string | null;
  /** `schema/` answers by resource name, served as they are. A kind without one is served from our description. */
  readonly schemas: Readonly<Record<string, JsonObject>>;
  /** A posted `ivr_theme.uuid`: kept (default), or ignored (the node makes its own). */
  readonly themeUuids?: 'keep' | 'ignore';
  /**
   * A written field the node's schema lacks: ignored, as Tastypie does (default), or refused with a 400. A twin
   * refuses: a rehearsal must not hide a field its node may not take.
   */
  readonly unknownFields?: 'ignore' | 'refuse';
  /** The node's own telehealth licence counts (a twin's): reported beyond what the licences served add up to. */
  readonly licensing?: SnapshotLicensing;
  /** Objects the node holds from the start, by resource name, as it listed them (a twin's). */
  readonly objects?: Readonly<Record<string, readonly JsonObject[]>>;
  /** Who the node is (a twin's: its node's, so a stack bound to that node can be rehearsed on it). */
  readonly identity?: NodeIdentitySeed;
}

export const DEFAULT_VERSION = '38.1.0';

export function defaultNode(): NodeModel {
  return { version: DEFAULT_VERSION, schemas: defaultSchemas() };
}

/** The twin of the node a snapshot was taken of. */
export function snapshotNode(snapshot: Snapshot): NodeModel {
  const schemas: Record<string, JsonObject> = {};
  const objects: Record<string, readonly JsonObject[]> = {};
  for (const [name, kind] of Object.entries(snapshot.kinds)) {
    if (kind.schema) schemas[name] = kind.schema;
    objects[name] = kind.objects;
  }
  return { version: snapshot.version, schemas, unknownFields: 'refuse', licensing: snapshot.licensing ?? undefined, objects, ...(snapshot.node ? { identity: snapshot.node } : {}) };
}

/** The last segment of a resource URI: the object's detail key. */
function keyOfUri(uri: string): string {
  return decodeURIComponent(uri.replace(/\/$/, '').split('/').pop() ?? '');
}

/**
 * Listed objects as the simulator stores them: keyed by their URI, references to our kinds stored as URIs
 * (a "full" reference lists as the nested object), no `resource_uri` (the simulator renders it).
 */
export function storedObjects(resource: string, listed: readonly JsonObject[]): StoredObject[] {
  const kind = KINDS.find((k) => k.name === resource);
  return listed.map((object) => {
    const data: JsonObject = {};
    for (const [name, value] of Object.entries(object)) {
      if (name === 'resource_uri') continue;
      const spec = kind && Object.prototype.hasOwnProperty.call(kind.fields, name) ? kind.fields[name] : undefined;
      const nested = spec?.type === 'reference' && isPlainObject(value) && typeof value.resource_uri === 'string';
      data[name] = nested ? ((value as JsonObject).resource_uri as JsonValue) : value;
    }
    return { key: keyOfUri(String(object.resource_uri)), data, files: {} };
  });
}

/** The node's objects over a fresh simulator's: a kind the node listed replaces what a fresh simulator seeds. */
export function withNodeObjects(fresh: SimulatorData, node: NodeModel): SimulatorData {
  if (!node.objects) return fresh;
  const config = { ...fresh.config };
  const counters = { ...fresh.counters };
  for (const [resource, listed] of Object.entries(node.objects)) {
    if (!(resource in config)) continue;
    config[resource] = storedObjects(resource, listed);
    counters[resource] = Math.max(0, ...config[resource].map((o) => (/^\d+$/.test(o.key) ? Number(o.key) : 0)));
  }
  return { ...fresh, config, counters };
}
