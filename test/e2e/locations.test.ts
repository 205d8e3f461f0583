import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PexipSimulator } from '../../src/simulator/server';
import { runCli } from '../helpers/cli';
import { createProject, type Project } from '../helpers/project';
import { raw, simulatorEnv, startSimulator } from '../helpers/simulator';
import { terraform } from '../helpers/terraform';
import { nonprodSecrets } from '../helpers/desired';

/**
 * Locations end to end, with the real cdktf and terraform: the integration's policy profile and web proxy are
 * assigned to an existing location, a hand edit there is drift that `cdktf diff` names and `cdktf deploy` repairs,
 * the proxy changes in place, and removal gives the location its fields back before deleting anything.
 */
const CONFIG = '/api/admin/configuration/v1';
/** Which of the two claimed fields a location read back leaves out (a cleared field is absent on a real node). */
const cleared = (location: object) => ['http_proxy', 'policy_server'].filter((f) => !(f in location));
const SECRETS = nonprodSecrets('e2e-client-secret-Lo3k');
let sim: PexipSimulator;

async function byName(resource: string, name: string): Promise<Record<string, any> | undefined> {
  return ((await raw(sim, 'GET', `${CONFIG}/${resource}/?name=${encodeURIComponent(name)}`)).json as { objects: Record<string, any>[] }).objects[0];
}
const writes = () => sim.writes().map((r) => `${r.method} ${r.resource}`);
const synthesized = (project: Project) => readFileSync(join(project.dir, 'cdktf.out', 'stacks', 'nonprod', 'cdk.tf.json'), 'utf8');

afterEach(() => sim?.stop());

describe('locations, drift repair and removal with cdktf', () => {
  it('assigns, repairs a hand edit on deploy, changes the proxy in place, restores on removal', async () => {
    sim = await startSimulator();
    await raw(sim, 'POST', `${CONFIG}/system_location/`, { json: { name: 'Hospital DC' } });
    const project = createProject(sim, SECRETS, { locations: ['Hospital DC'], proxyPort: 3128 });
    expect((await project.cdktf(['deploy', 'nonprod', '--auto-approve'])).code).toBe(0);
    const policy = (await byName('policy_server', 'Telehealth policy (test)'))!;
    const proxy = (await byName('http_proxy', 'Epic egress proxy (test)'))!;
    expect(await byName('system_location', 'Hospital DC')).toMatchObject({ policy_server: policy.resource_uri, http_proxy: proxy.resource_uri });
    const clean = synthesized(project);

    // A hand edit in the admin UI: cdktf diff names object and field; cdktf deploy repairs it.
    await raw(sim, 'PATCH', (await byName('system_location', 'Hospital DC'))!.resource_uri, { json: { http_proxy: null } });
    const diff = await project.cdktf(['diff', 'nonprod']);
    expect(diff.output).toMatch(/pexip-cdktf: stack "nonprod": drift in Pexip \(epic\.locations\.hospital-dc-[0-9a-f]{6}: http_proxy\); the deploy repairs it\./);
    expect(diff.output).toMatch(/~ "?converge"?\s+= "[^"]*" -> "[0-9a-f]{8} epic\.locations\.hospital-dc-[0-9a-f]{6}: http_proxy"/);
    sim.clearRequests();
    expect((await project.cdktf(['deploy', 'nonprod', '--auto-approve'])).code).toBe(0);
    // The field, then the ledger records the repair's convergence token.
    expect(writes()).toEqual(['PATCH system_location', 'PATCH policy_server']);
    expect((await byName('system_location', 'Hospital DC'))!.http_proxy).toBe(proxy.resource_uri);
    expect((await runCli(['drift', join(project.dir, 'cdktf.out', 'stacks', 'nonprod', 'pexip-desired.json')], simulatorEnv(sim))).code).toBe(0);
    // In sync again, synth gives back the token the repair recorded: the plan after a repair is clean, and a synth
    // repeated with nothing changed is byte for byte the same.
    expect((await project.cdktf(['synth'])).code).toBe(0);
    const repaired = synthesized(project);
    expect(repaired).not.toBe(clean);
    const stackDir = join(project.dir, 'cdktf.out', 'stacks', 'nonprod');
    const followUp = await terraform(stackDir, ['plan', '-detailed-exitcode', '-input=false', '-no-color'], { ...simulatorEnv(sim), ...SECRETS });
    expect(followUp.code).toBe(0);
    expect((await project.cdktf(['synth'])).code).toBe(0);
    expect(synthesized(project)).toBe(repaired);

    // The proxy's port changes in place.
    project.configure({ proxyPort: 8080 });
    sim.clearRequests();
    expect((await project.cdktf(['deploy', 'nonprod', '--auto-approve'])).code).toBe(0);
    // A proxy has no free-text field for a marker: the stack's ledger records its new spec hash.
    expect(writes()).toEqual(['PATCH http_proxy', 'PATCH policy_server']);
    expect((await byName('http_proxy', 'Epic egress proxy (test)'))).toMatchObject({ id: proxy.id, port: 8080 });

    // No more locations: their fields are given back.
    project.configure({ locations: undefined });
    expect((await project.cdktf(['deploy', 'nonprod', '--auto-approve'])).code).toBe(0);
    expect(cleared((await byName('system_location', 'Hospital DC'))!)).toEqual(['http_proxy', 'policy_server']);

    expect((await project.cdktf(['destroy', 'nonprod', '--auto-approve'])).code).toBe(0);
    expect(await byName('http_proxy', 'Epic egress proxy (test)')).toBeUndefined();
    expect(cleared((await byName('system_location', 'Hospital DC'))!)).toEqual(['http_proxy', 'policy_server']);
  }, 400_000);

  it('refuses a hand-set policy without takeOver; with it, destroy restores the hand-set value before deleting', async () => {
    sim = await startSimulator();
    const site = (await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'Site policy (by hand)' } })).headers.get('location')!;
    await raw(sim, 'POST', `${CONFIG}/system_location/`, { json: { name: 'Hospital East', policy_server: site } });
    const project = createProject(sim, SECRETS, { locations: ['Hospital East'] });
    sim.clearRequests();
    const refused = await project.cdktf(['deploy', 'nonprod', '--auto-approve']);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain(`system location "Hospital East", field policy_server: holds "${site}", which this stack did not set. Set takeOver: true to replace it (removal then restores it), or leave the field out.`);
    // The licence carrier runs reconcile's checks first: the refused deploy activated nothing, the licence neither.
    expect(writes()).toEqual([]);

    project.configure({ locationsTakeOver: true });
    expect((await project.cdktf(['deploy', 'nonprod', '--auto-approve'])).code).toBe(0);
    expect((await byName('system_location', 'Hospital East'))!.policy_server).toBe((await byName('policy_server', 'Telehealth policy (test)'))!.resource_uri);
    sim.clearRequests();
    const destroyed = await project.cdktf(['destroy', 'nonprod', '--auto-approve']);
    expect(destroyed.code).toBe(0);
    expect((await byName('system_location', 'Hospital East'))!.policy_server).toBe(site);
    const order = writes();
    expect(order.indexOf('PATCH system_location')).toBe(0);
    expect(order.filter((w) => w === 'DELETE policy_server')).toHaveLength(2);
    expect(await byName('policy_server', 'Site policy (by hand)')).toBeDefined();
  }, 400_000);
});
