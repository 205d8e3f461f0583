import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesiredObject, DesiredSet } from '../../src/engine/desired';
import { validateDesiredSet } from '../../src/engine/desired';
import { reconcile } from '../../src/engine/reconcile';
import type { PexipSimulator } from '../../src/simulator/server';
import { sanitiseObject, secretFieldNames } from '../../src/snapshot/sanitise';
import { kindByName } from '../../src/kinds';
import { runCli } from '../helpers/cli';
import { integrationSet, nonprodSecrets, workspace, type Workspace } from '../helpers/desired';
import { clientFor, PASSWORD, raw, simulatorEnv, startSimulator } from '../helpers/simulator';

/**
 * `pexip-cdktf snapshot` of a node holding a deployed integration (secrets set), a licence and today's appointments:
 * read-only, every managed kind's schema and objects with their ids and references, no secret and no patient name in
 * the file or the output, and the same bytes when taken twice.
 */
const SECRETS = { ...nonprodSecrets('SNAPCANARY-client-3b7d'), PROXY_PASSWORD: 'SNAPCANARY-proxy-90e1' };
const PATIENT = 'Wilhelmina Snapcanary';
const PROXY: DesiredObject = { kind: 'http_proxy', id: 'proxy', spec: { name: 'Epic egress proxy', address: 'proxy.example.org', port: 3128 }, secrets: { password: { env: 'PROXY_PASSWORD' } } };
let ws: Workspace;
const sims: PexipSimulator[] = [];
afterEach(async () => Promise.all(sims.splice(0).map((s) => s.stop())));

async function deployedNode(secretReadMode: 'encrypted' | 'blank' | 'omit' = 'encrypted'): Promise<PexipSimulator> {
  const sim = await startSimulator({ secretReadMode });
  sims.push(sim);
  ws = workspace();
  const set: DesiredSet = { ...integrationSet(ws), objects: [...integrationSet(ws).objects, PROXY, { kind: 'system_location', id: 'loc', spec: { name: 'Default location', http_proxy: { $ref: 'proxy' } } }] };
  const client = clientFor(sim);
  try {
    await reconcile(validateDesiredSet(JSON.parse(JSON.stringify(set))), { client, env: SECRETS, baseDir: ws.dir, progress: () => {} });
  } finally {
    client.close();
  }
  expect((await raw(sim, 'POST', '/api/admin/configuration/v1/licence/', { json: { entitlement_id: 'DEMO-TELEHEALTH-0003' } })).status).toBe(201);
  sim.addAppointments([{ patientName: PATIENT, profileName: 'Healthcare Org', appointmentId: 'snap1', start: new Date(Date.now() - 60_000).toISOString() }]);
  sim.clearRequests();
  return sim;
}

async function snapshot(sim: PexipSimulator, name: string, extra: string[] = []) {
  const file = join(ws.dir, name);
  const result = await runCli(['snapshot', '--out', file, ...extra], { ...simulatorEnv(sim), PEXIP_CDKTF_LOG: 'debug' });
  return { ...result, file, text: result.code === 0 ? readFileSync(file, 'utf8') : '' };
}

describe('pexip-cdktf snapshot', () => {
  it('captures version, licence counts, and every managed kind\'s schema and objects with ids and references; reads no status or history; writes nothing', async () => {
    const sim = await deployedNode();
    const r = await snapshot(sim, 'node.json');
    expect(r.code).toBe(0);
    const snap = JSON.parse(r.text);
    expect(Object.keys(snap)).toEqual(['format', 'kinds', 'licensing', 'node', 'version']);
    // Who the node is, so its twin answers as this node (a stack bound to it can be rehearsed there).
    expect(snap.node).toEqual({ hostname: sim.identity.hostname, domain: 'sim.pexip.test', address: sim.identity.address });
    const [status] = ((await raw(sim, 'GET', '/api/admin/status/v1/licensing/')).json as { objects: Record<string, number>[] }).objects;
    expect(snap).toMatchObject({ format: 'pexip-cdktf-snapshot/1', version: '38.1.0', licensing: { telehealth_total: 10, telehealth_count: status.telehealth_count } });
    expect(Object.keys(snap.kinds)).toEqual(['gateway_routing_rule', 'http_proxy', 'ivr_theme', 'licence', 'policy_server', 'system_location', 'telehealth_profile', 'webapp_alias', 'webapp_branding']);
    for (const kind of Object.values(snap.kinds) as { schema: { fields: object } }[]) expect(Object.keys(kind.schema.fields).length).toBeGreaterThan(3);
    const live = async (resource: string) => ((await raw(sim, 'GET', `/api/admin/configuration/v1/${resource}/?limit=0`)).json as { objects: Record<string, unknown>[] }).objects;
    const [profile] = await live('telehealth_profile');
    const rule = snap.kinds.gateway_routing_rule.objects.find((o: { name: string }) => o.name === 'Epic telehealth (non-prod)');
    expect(rule.telehealth_profile).toBe(profile.resource_uri);
    expect(snap.kinds.system_location.objects[0]).toMatchObject({ id: 1, name: 'Default location', http_proxy: (await live('http_proxy'))[0].resource_uri });
    expect(snap.kinds.telehealth_profile.objects[0]).toMatchObject({ id: profile.id, uuid: profile.uuid, resource_uri: profile.resource_uri });
    expect(snap.kinds.telehealth_profile.omitted).toEqual(['epic_backend_oauth2_app_private_key', 'epic_encryption_key', 'epic_patient_app_client_secret', 'epic_provider_app_client_secret']);
    expect(snap.kinds.http_proxy.omitted).toEqual(['password']);
    // Every list was read whole (ids in order), and nothing but configuration lists, schemas and two status counts.
    expect(snap.kinds.ivr_theme.objects.map((t: { id: number }) => t.id)).toEqual([1, 2, 3, 4, 5]);
    expect(sim.writes()).toEqual([]);
    const paths = [...new Set(sim.requests.map((q) => q.path.replace(/[^/]+\/schema\/$/, '<kind>/schema/').replace(/configuration\/v1\/[a-z_]+\/$/, 'configuration/v1/<kind>/')))].sort();
    expect(paths).toEqual(['/api/admin/configuration/v1/<kind>/', '/api/admin/configuration/v1/<kind>/schema/', '/api/admin/status/v1/licensing/', '/api/admin/status/v1/management_vm/']);
    // What was captured and left out, with sizes.
    expect(r.stdout).toMatch(new RegExp(`^Snapshot of ${sim.url.replace(/[.]/g, '\\.')} \\(Pexip Infinity 38\\.1\\.0\\) written to .*node\\.json: \\d+\\.\\d kB, format pexip-cdktf-snapshot/1\\.$`, 'm'));
    expect(r.stdout).toContain(`  telehealth licences: 10 total, ${status.telehealth_count} in use\n`);
    expect(r.stdout).toMatch(/^ {2}telehealth_profile {4}schema \d+\.\d kB, 1 object \(\d+(\.\d)? (kB|B)\)$/m);
    expect(r.stdout).toContain('  telehealth_profile: epic_backend_oauth2_app_private_key, epic_encryption_key, epic_patient_app_client_secret, epic_provider_app_client_secret (secret: values never read into the file)\n');
    expect(r.stdout).toContain('  status (conferences, participants: patient names)\n');
    expect(r.stderr).toContain('[9/9] ');
  });

  it.each(['encrypted', 'blank', 'omit'] as const)('holds no secret and no patient name, in the file or any output (secrets read back %s)', async (mode) => {
    const sim = await deployedNode(mode);
    const r = await snapshot(sim, 'node.json');
    const json = await snapshot(sim, 'node-2.json', ['--json']);
    const haystack = [r.text, r.stdout, r.stderr, json.stdout, json.stderr].join('\n');
    for (const needle of [...Object.values(SECRETS), PASSWORD, PATIENT, 'Snapcanary', '$~!1']) expect(haystack).not.toContain(needle);
  });

  it('is byte-identical when taken twice of an unchanged node', async () => {
    const sim = await deployedNode();
    const first = await snapshot(sim, 'a.json');
    const second = await snapshot(sim, 'b.json');
    expect(first.code).toBe(0);
    expect(readFileSync(second.file).equals(readFileSync(first.file))).toBe(true);
  });

  it('--json: file, address, sizes per kind, what was left out', async () => {
    const sim = await deployedNode();
    const r = await snapshot(sim, 'node.json', ['--json']);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ file: r.file, address: sim.url, bytes: Buffer.byteLength(r.text), format: 'pexip-cdktf-snapshot/1', version: '38.1.0', licensing: { telehealth_total: 10, telehealth_count: expect.any(Number) } });
    expect(summary.kinds.http_proxy).toEqual({ objects: 1, schemaBytes: expect.any(Number), objectBytes: expect.any(Number), omitted: ['password'] });
    expect(summary.notRead).toHaveLength(3);
  });

  it('needs --out, and a directory that exists, before reading anything', async () => {
    const sim = await deployedNode();
    const r = await runCli(['snapshot'], simulatorEnv(sim));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: --out <file.json> is required: where to write the snapshot.\n');
    const nowhere = await runCli(['snapshot', '--out', join(ws.dir, 'missing', 'node.json')], simulatorEnv(sim));
    expect(nowhere.stderr).toBe(`error: --out ${join(ws.dir, 'missing', 'node.json')}: the directory ${join(ws.dir, 'missing')} does not exist.\n`);
    expect(sim.requests).toEqual([]);
  });
});

describe('what a snapshot drops', () => {
  it('a field our kinds mark secret, a string field the schema names like a password, and any password-like blob whatever its field', () => {
    const schema = { fields: { bind_password: { type: 'string' }, oauth_token_url: { type: 'string' }, gms_access_token: { type: 'related' }, name: { type: 'string' } } };
    const names = secretFieldNames(kindByName('policy_server'), schema);
    const dropped = new Set<string>();
    const kept = sanitiseObject({ name: 'p', password: 'x', bind_password: 'y', oauth_token_url: 'https://t/', gms_access_token: '/api/admin/configuration/v1/gms_access_token/1/', custom: '$~!1Zm9v', nested: { inner: ['$~!1YmFy'] } }, names, dropped);
    expect(kept).toEqual({ name: 'p', oauth_token_url: 'https://t/', gms_access_token: '/api/admin/configuration/v1/gms_access_token/1/' });
    expect([...dropped].sort()).toEqual(['bind_password', 'custom', 'nested', 'password']);
  });
});
