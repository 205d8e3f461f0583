import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateEpicKey } from '../../src/epic/encryption-key';
import { DESIRED_SET_FORMAT, type DesiredObject, type DesiredSet } from '../../src/engine/desired';
import { EPIC_ALGORITHM_WIRE } from '../../src/kinds';
import { brandingPackage, themePackage } from './packages';
import { tempDir } from './terraform';

export const PROFILE_UUID = '5a0d7a9e-2f1b-4c3d-8e4f-1a2b3c4d5e6f';

/**
 * The non-production Epic secrets as a process environment: `clientSecret` for both client secrets (Epic issues one
 * value for both today; a distinctive one per test file shows where a leak came from) and a fresh encryption key.
 */
export function nonprodSecrets(clientSecret: string) {
  return {
    EPIC_NONPROD_PATIENT_CLIENT_SECRET: clientSecret,
    EPIC_NONPROD_PROVIDER_CLIENT_SECRET: clientSecret,
    EPIC_NONPROD_ENCRYPTION_KEY: generateEpicKey(32),
  };
}

/** Secret values the desired sets below reference, as a process environment. */
export function secretEnv(): NodeJS.ProcessEnv {
  return nonprodSecrets('np-client-secret-Zq81');
}

export interface Workspace {
  readonly dir: string;
  /** Writes a package file and returns its desired-set reference. */
  writePackage(name: string, content: Buffer): { path: string; sha256: string };
  /** Writes the desired set and returns its path. */
  writeSet(set: DesiredSet): string;
}

export function workspace(): Workspace {
  const dir = tempDir('pexip-desired-');
  return {
    dir,
    writePackage(name, content) {
      writeFileSync(join(dir, name), content);
      return { path: name, sha256: createHash('sha256').update(content).digest('hex') };
    },
    writeSet(set) {
      const path = join(dir, `desired-${set.stack}.json`);
      writeFileSync(path, JSON.stringify(set, null, 2));
      return path;
    },
  };
}

/** A complete non-production integration: profile, telehealth and device-pairing rules, theme, branding, path, policy. */
export function integrationSet(ws: Workspace, stack = 'nonprod'): DesiredSet {
  const objects: DesiredObject[] = [
    {
      kind: 'telehealth_profile',
      id: 'profile',
      spec: {
        name: 'Healthcare Org',
        description: 'Epic non-production',
        uuid: PROFILE_UUID,
        telehealth_call_domain: 'telehealth-test.example.org',
        telehealth_integration_base_url: 'https://epic-test.example.org/',
        telehealth_integration_oauth2_base_api_url: 'https://epic-test.example.org/interconnect-oauth',
        infinity_webapp_server_base_url: 'https://meet-test.example.org/',
        epic_patient_app_client_id: 'np-patient-id',
        epic_provider_app_client_id: 'np-provider-id',
        epic_encryption_algorithm: EPIC_ALGORITHM_WIRE['AES-256-CBC'],
        epic_encryption_key_type: 'base64key',
        patient_oauth2_redirect_url: `https://meet-test.example.org/api/telehealth/v1/patient/oauth2authorized/${PROFILE_UUID}`,
        provider_oauth2_redirect_url: `https://meet-test.example.org/api/telehealth/v1/provider/oauth2authorized/${PROFILE_UUID}/`,
        service_name_template: 'Appointment {{unique_encounter_id}}',
      },
      secrets: {
        epic_patient_app_client_secret: { env: 'EPIC_NONPROD_PATIENT_CLIENT_SECRET' },
        epic_provider_app_client_secret: { env: 'EPIC_NONPROD_PROVIDER_CLIENT_SECRET' },
        epic_encryption_key: { env: 'EPIC_NONPROD_ENCRYPTION_KEY' },
      },
      secretsVersion: '1',
    },
    { kind: 'ivr_theme', id: 'theme', spec: { name: 'Telehealth waiting room' }, package: ws.writePackage('theme.zip', themePackage('v1')) },
    {
      kind: 'gateway_routing_rule',
      id: 'rule',
      spec: {
        name: 'Epic telehealth (non-prod)',
        priority: 10,
        match_string: '.*@telehealth-test\\.example\\.org',
        called_device_type: 'telehealth_profile',
        telehealth_profile: { $ref: 'profile' },
        ivr_theme: { $ref: 'theme' },
        match_incoming_sip: false,
        match_incoming_h323: false,
        match_incoming_mssip: false,
      },
    },
    {
      kind: 'gateway_routing_rule',
      id: 'rule.device-pairing',
      spec: { name: 'Epic device pairing (non-prod)', priority: 11, match_string: 'pair\\..*@telehealth-test\\.example\\.org', outgoing_protocol: 'sip', called_device_type: 'registration' },
    },
    { kind: 'webapp_branding', id: 'branding', spec: { name: 'Telehealth branding', webapp_type: 'webapp3' }, package: ws.writePackage('branding.zip', brandingPackage('webapp3', 'v1')) },
    { kind: 'webapp_alias', id: 'path', spec: { slug: 'telehealth-test', webapp_type: 'webapp3', is_enabled: true, branding: { $ref: 'branding' } } },
    {
      kind: 'policy_server',
      id: 'policy',
      spec: { name: 'Telehealth local policy', enable_internal_service_policy: true, internal_service_policy_template: '{ {% if service_config %}"action":"continue","result":{{service_config|pex_to_json}}{% else %}"action":"reject","result":{}{% endif %} }' },
    },
  ];
  return { format: DESIRED_SET_FORMAT, stack, environment: 'non-production', objects };
}

/** A copy of the set with one object's spec changed. */
export function withSpec(set: DesiredSet, id: string, change: Record<string, unknown>): DesiredSet {
  return { ...set, objects: set.objects.map((o) => (o.id === id ? { ...o, spec: { ...o.spec, ...change } as DesiredObject['spec'] } : o)) };
}

/**
 * The telehealth rule also declaring, at their defaults, the fields later Pexip versions added (an older node lacks
 * them), as the constructs' rules do: `change` sets some of them otherwise.
 */
export function withNewerRuleFields(set: DesiredSet, change: Record<string, unknown> = {}): DesiredSet {
  return withSpec(set, 'rule', { denoise_audio: true, live_captions_enabled: 'default', match_incoming_teams: false, disabled_codecs: [], ...change });
}

export function withObject(set: DesiredSet, id: string, change: Partial<DesiredObject>): DesiredSet {
  return { ...set, objects: set.objects.map((o) => (o.id === id ? { ...o, ...change } : o)) };
}

export function without(set: DesiredSet, ...ids: string[]): DesiredSet {
  return { ...set, objects: set.objects.filter((o) => !ids.includes(o.id)) };
}

/** A description ending in this stack's marker for the logical id (any recorded hashes). */
export function markerPattern(stack: string, id: string, text = ''): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escape(text)}${text ? ' ' : ''}\\[pexip-cdktf:${escape(stack)}/${escape(id)}(;[a-z]+=[A-Za-z0-9._-]+)*\\]$`);
}

/** Finds the live object carrying this stack's marker for the logical id. */
export function markedBy(stack: string, id: string): (object: { description?: unknown }) => boolean {
  const pattern = markerPattern(stack, id);
  return (object) => pattern.test(String(object.description ?? ''));
}
