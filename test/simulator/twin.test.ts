import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../../src/kinds/types';
import { snapshotNode } from '../../src/simulator/node-model';
import type { PexipSimulator } from '../../src/simulator/server';
import { captureSnapshot } from '../../src/snapshot/capture';
import type { Snapshot } from '../../src/snapshot/format';
import { snapshotText } from '../../src/snapshot/format';
import { runCli, startCli } from '../helpers/cli';
import { profileBody, telehealthRuleBody } from '../helpers/fixtures';
import { clientFor, raw, startSimulator } from '../helpers/simulator';
import { tempDir } from '../helpers/terraform';

/**
 * A twin (`simulator --from-snapshot`) serves the node a snapshot was taken of: its version, licence counts, objects
 * with their ids, its own schema answers, and validates writes by that schema with the node's 400 shape.
 */
const CONFIG = '/api/admin/configuration/v1';
const sims: PexipSimulator[] = [];
afterEach(async () => Promise.all(sims.splice(0).map((s) => s.stop())));

async function start(options: Parameters<typeof startSimulator>[0] = {}): Promise<PexipSimulator> {
  const sim = await startSimulator(options);
  sims.push(sim);
  return sim;
}

/** A node with a profile, a rule referring to it, a proxy and a licence, and its snapshot. */
async function original(): Promise<{ sim: PexipSimulator; snapshot: Snapshot }> {
  const sim = await start({ variant: { version: '36.2.1' } });
  const profile = await raw(sim, 'POST', `${CONFIG}/telehealth_profile/`, { json: profileBody() });
  expect(profile.status).toBe(201);
  expect((await raw(sim, 'POST', `${CONFIG}/gateway_routing_rule/`, { json: telehealthRuleBody(profile.headers.get('location')!) })).status).toBe(201);
  expect((await raw(sim, 'POST', `${CONFIG}/http_proxy/`, { json: { name: 'Hand-made proxy', address: 'proxy.example.org', password: 'pw-twin-1' } })).status).toBe(201);
  expect((await raw(sim, 'POST', `${CONFIG}/licence/`, { json: { entitlement_id: 'DEMO-TELEHEALTH-0002' } })).status).toBe(201);
  const client = clientFor(sim);
  try {
    return { sim, snapshot: await captureSnapshot(client, () => {}) };
  } finally {
    client.close();
  }
}

const list = async (sim: PexipSimulator, resource: string) => ((await raw(sim, 'GET', `${CONFIG}/${resource}/?limit=0`)).json as { objects: JsonObject[] }).objects;

/** The snapshot as a node that differs from ours would give it: a shorter name, fewer choices, a field of its own it requires. */
function otherNode(snapshot: Snapshot): Snapshot {
  const edited = JSON.parse(JSON.stringify(snapshot)) as { kinds: Record<string, { schema: { fields: Record<string, JsonObject> } }> };
  const profile = edited.kinds.telehealth_profile.schema.fields;
  profile.name.help_text = 'The name used to refer to this profile. Maximum length: 20 characters.';
  edited.kinds.gateway_routing_rule.schema.fields.call_type.valid_choices = ['audio', 'video'];
  edited.kinds.http_proxy.schema.fields.site_code = { type: 'string', blank: false, nullable: false, default: null, readonly: false, unique: false, help_text: 'A field only this node has. Maximum length: 8 characters.' };
  edited.kinds.http_proxy.schema.fields.audit = { type: 'float', blank: true, nullable: true, default: null, readonly: false, unique: false, help_text: 'A type the simulator has no check for.' };
  // Licences the node counts that its licence list does not explain (a real node's own bookkeeping).
  return { ...(edited as unknown as Snapshot), licensing: { telehealth_total: 75, telehealth_count: 3 } };
}

describe('a twin of a node (simulator --from-snapshot)', () => {
  it('serves the node\'s version, licence counts, schema answers, and its objects with their ids; new objects get new ids', async () => {
    const { sim, snapshot } = await original();
    const twin = await start({ node: snapshotNode(snapshot) });
    const status = async (s: PexipSimulator, path: string) => ((await raw(s, 'GET', `/api/admin/status/v1/${path}/`)).json as { objects: JsonObject[] }).objects[0];
    expect((await status(twin, 'management_vm')).version).toBe('36.2.1');
    expect(await status(twin, 'licensing')).toEqual(await status(sim, 'licensing'));
    // It answers as its node (host name, domain, address): a stack bound to the node can be rehearsed on its twin.
    expect(twin.identity).toEqual(sim.identity);
    expect((await list(twin, 'management_vm'))[0]).toMatchObject({ hostname: sim.identity.hostname, domain: 'sim.pexip.test', address: sim.identity.address, primary: true });
    for (const kind of Object.keys(snapshot.kinds)) {
      expect((await raw(twin, 'GET', `${CONFIG}/${kind}/schema/`)).json).toEqual((await raw(sim, 'GET', `${CONFIG}/${kind}/schema/`)).json);
      // Secrets read back as the node gives them ($~!1 blobs): the twin never had their values.
      const strip = (objects: JsonObject[]) => objects.map((o) => Object.fromEntries(Object.entries(o).filter(([f]) => !snapshot.kinds[kind].omitted.includes(f))));
      expect(strip(await list(twin, kind))).toEqual(strip(await list(sim, kind)));
    }
    const created = await raw(twin, 'POST', `${CONFIG}/http_proxy/`, { json: { name: 'Second proxy', address: 'p2.example.org' } });
    expect(created.headers.get('location')).toBe(`${CONFIG}/http_proxy/2/`);
    // A licence activated on the twin adds to the node's count, one returned takes from it.
    expect((await raw(twin, 'POST', `${CONFIG}/licence/`, { json: { entitlement_id: 'DEMO-TELEHEALTH-0003' } })).status).toBe(201);
    expect((await status(twin, 'licensing')).telehealth_total).toBe(60);
  });

  it('validates writes by the node\'s schema: unknown field, too long, not a choice, missing required, wrong type, in the node\'s 400 shape', async () => {
    const { snapshot } = await original();
    const twin = await start({ node: snapshotNode(otherNode(snapshot)) });
    const answer = async (resource: string, body: JsonObject, method = 'POST', key = '') => {
      const r = await raw(twin, method, `${CONFIG}/${resource}/${key}`, { json: body });
      return [r.status, r.json];
    };
    expect(await answer('http_proxy', { name: 'p', address: 'p.example.org', site_code: 'A1', colour: 'red' })).toEqual([400, { http_proxy: { colour: ['Web proxy has no field colour on this Management Node.'] } }]);
    expect(await answer('telehealth_profile', { name: 'A name of 21 characte' }, 'PATCH', '1/')).toEqual([400, { telehealth_profile: { name: ['Ensure this value has at most 20 characters (it has 21).'] } }]);
    expect(await answer('gateway_routing_rule', { call_type: 'auto' }, 'PATCH', '1/')).toEqual([400, { gateway_routing_rule: { call_type: ['Select a valid choice. auto is not one of the available choices (audio, video).'] } }]);
    expect(await answer('http_proxy', { name: 'p', address: 'p.example.org' })).toEqual([400, { http_proxy: { site_code: ['This field is required.'] } }]);
    expect(await answer('http_proxy', { name: 'p', address: 'p.example.org', site_code: 'A1', port: 'eighty' })).toEqual([400, { http_proxy: { port: ['Enter a whole number.'] } }]);
    const [licensing] = ((await raw(twin, 'GET', '/api/admin/status/v1/licensing/')).json as { objects: JsonObject[] }).objects;
    expect(licensing).toMatchObject({ telehealth_total: 75, telehealth_count: 3 });
    // The node's own fields are taken and read back, those of a type without a check here as they come.
    expect(await answer('http_proxy', { name: 'p', address: 'p.example.org', site_code: 'A1', audit: 0.5 })).toEqual([201, undefined]);
    expect((await list(twin, 'http_proxy')).find((p) => p.name === 'p')).toMatchObject({ site_code: 'A1', audit: 0.5 });
  });

  it('from the command line: serves the file, and refuses a file that is not a snapshot or one combined with --variant', async () => {
    const { snapshot } = await original();
    const dir = tempDir('pexip-twin-');
    const file = join(dir, 'node.json');
    writeFileSync(file, snapshotText(snapshot));
    const { child, match } = await startCli(['simulator', '--from-snapshot', file, '--password', 'pw-twin-cli'], /listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
    try {
      const answer = await fetch(`${match[1]}/api/admin/status/v1/management_vm/`, { headers: { Authorization: `Basic ${Buffer.from('admin:pw-twin-cli').toString('base64')}` } });
      expect(((await answer.json()) as { objects: JsonObject[] }).objects[0].version).toBe('36.2.1');
    } finally {
      child.kill('SIGTERM');
    }
    writeFileSync(join(dir, 'old.json'), JSON.stringify({ ...snapshot, format: 'pexip-cdktf-snapshot/0' }));
    const old = await runCli(['simulator', '--from-snapshot', join(dir, 'old.json')]);
    expect(old.stderr).toBe(`error: --from-snapshot ${join(dir, 'old.json')}: format must be "pexip-cdktf-snapshot/1" (got "pexip-cdktf-snapshot/0"): take the snapshot again with this version of pexip-cdktf.\n`);
    const both = await runCli(['simulator', '--from-snapshot', file, '--variant', 'older-version']);
    expect(both.stderr).toBe('error: --variant and --from-snapshot exclude each other: a snapshot describes the whole node.\n');
    expect([old.code, both.code]).toEqual([1, 1]);
  });
});
