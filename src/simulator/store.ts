import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue } from '../kinds/types';

/** Metadata of an uploaded package; the simulator keeps the hash and entry names, not the bytes. */
export interface StoredFile {
  readonly fileName: string;
  readonly sha256: string;
  readonly size: number;
  readonly entries: readonly string[];
}

/** One configuration object as the simulated Management Node stores it: secrets in plain text, as Pexip must. */
export interface StoredObject {
  key: string;
  data: JsonObject;
  files: Record<string, StoredFile>;
  /** Shipped with Pexip (built-in themes, default branding). */
  builtIn?: boolean;
}

/** Collections that are not our kinds but can be targets of references (seeded, read-only here). */
export const EXTRA_COLLECTIONS = [
  'sip_proxy',
  'h323_gatekeeper',
  'mssip_proxy',
  'teams_proxy',
  'stun_server',
  'turn_server',
  'gms_access_token',
  'conference',
  'software_bundle_revision',
  'management_vm',
] as const;

/** Who a Management Node says it is (`configuration/v1/management_vm/`): what a stack's binding records. */
export interface NodeIdentitySeed {
  readonly hostname: string;
  readonly domain: string;
  /** The node's own IPv4 address (not the address clients use: a DNS alias or NAT does not change it). */
  readonly address: string;
}

/** A Management Node as `configuration/v1/management_vm/` lists it (the SDK's ManagementVM fields we serve). */
function managementVm(node: NodeIdentitySeed): StoredObject {
  const data = { id: 1, name: 'pexip-mgmt', description: '', hostname: node.hostname, domain: node.domain, address: node.address, netmask: '255.255.255.0', gateway: node.address.replace(/\.\d+$/, '.1'), alternative_fqdn: '', ipv6_address: null, ipv6_gateway: null, mtu: 1500, static_nat_address: null, enable_ssh: 'GLOBAL', initializing: false, primary: true, resource_uri: configUri('management_vm', '1') };
  return { key: '1', builtIn: true, data, files: {} };
}

export interface SimulatorData {
  config: Record<string, StoredObject[]>;
  counters: Record<string, number>;
  status: { conference: JsonObject[]; participant: JsonObject[] };
  history: { conference: JsonObject[]; participant: JsonObject[] };
  licenceRequests: JsonObject[];
}

/** Pexip's datetime format: UTC, no zone suffix, microseconds. */
export function pexipTime(date: Date = new Date()): string {
  return `${date.toISOString().slice(0, 23)}000`;
}

export const CONFIG_PREFIX = '/api/admin/configuration/v1/';

export function configUri(resource: string, key: string): string {
  return `${CONFIG_PREFIX}${resource}/${encodeURIComponent(key)}/`;
}

function builtInTheme(id: number, name: string, uuid: string): StoredObject {
  return {
    key: String(id),
    builtIn: true,
    data: {
      id,
      name,
      uuid,
      last_updated: '2024-01-01T00:00:00.000000',
      conference: [],
      custom_layouts: '',
      pinning_configs: '',
    },
    files: {},
  };
}

/** A system location as an installation has it: no policy profile, no web proxy. */
function location(id: number, name: string): StoredObject {
  const data = { id, name, description: '', mtu: 1500, media_qos: 0, signalling_qos: 0, local_mssip_domain: '', use_relay_candidates_only: false, policy_server: null, http_proxy: null, transcoding_location: null, overflow_location1: null, overflow_location2: null };
  return { key: String(id), data, files: {} };
}

/**
 * A fresh Management Node serving these configuration collections (empty), plus what ships with Pexip: built-in
 * themes and branding, one system location, one web app bundle.
 */
export function initialData(collections: readonly string[], node: NodeIdentitySeed): SimulatorData {
  const config: Record<string, StoredObject[]> = Object.fromEntries(collections.map((name) => [name, []]));
  config.ivr_theme = [
    builtInTheme(1, 'Pexip theme (English_US) with entry tones', 'defaultplustones'),
    builtInTheme(2, 'Pexip theme (English_UK)', 'defaultplushash'),
    builtInTheme(3, 'Pexip theme (English_UK) with entry tones', 'defaultplushashtones'),
    builtInTheme(4, 'Pexip theme (English_US)', 'defaultnotones'),
  ];
  config.webapp_branding = [
    {
      key: '00000000-0000-4000-8000-000000000003',
      builtIn: true,
      data: { uuid: '00000000-0000-4000-8000-000000000003', name: 'Pexip default (webapp3)', description: '', webapp_type: 'webapp3', is_default: true, last_updated: '2024-01-01T00:00:00.000000' },
      files: {},
    },
  ];
  config.system_location = [location(1, 'Default location')];
  config.software_bundle_revision = [{ key: '1', data: { id: 1, bundle_type: 'webapp3', version: '1.0.0' }, files: {} }];
  config.management_vm = [managementVm(node)];
  const counters: Record<string, number> = Object.fromEntries(Object.entries(config).map(([name, objects]) => [name, objects.length]));
  return { config, counters, status: { conference: [], participant: [] }, history: { conference: [], participant: [] }, licenceRequests: [] };
}

/** Short hash shown for a secret in exported state, so tests can see a rotation without seeing the value. */
export function secretFingerprint(value: JsonValue): string {
  return `sha256:${createHash('sha256').update(String(value)).digest('hex').slice(0, 16)}`;
}
