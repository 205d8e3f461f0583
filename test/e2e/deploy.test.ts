import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PexipSimulator } from '../../src/simulator/server';
import { KINDS } from '../../src/kinds';
import { markedBy, nonprodSecrets } from '../helpers/desired';
import { createProject, type Project } from '../helpers/project';
import { raw, startSimulator } from '../helpers/simulator';

/**
 * The product's promise, end to end: the real cdktf CLI and terraform binary deploy, change, prune and destroy an
 * Epic telehealth integration against the simulator over HTTP. Steps run in order and share one project directory.
 */
const CONFIG = '/api/admin/configuration/v1';
const SECRETS = nonprodSecrets('e2e-client-secret-R7w2');

let sim: PexipSimulator;
let project: Project;
const cdktf = (...args: string[]) => project.cdktf(args);

async function list(resource: string): Promise<Record<string, any>[]> {
  return ((await raw(sim, 'GET', `${CONFIG}/${resource}/?limit=0`)).json as { objects: Record<string, any>[] }).objects;
}

const writes = () => sim.writes().map((r) => `${r.method} ${r.resource}`);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
}

beforeAll(async () => {
  sim = await startSimulator();
  project = createProject(sim, SECRETS);
  // Objects made by hand, which the stack must never touch.
  await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'Hand-made policy' } });
  await raw(sim, 'POST', `${CONFIG}/gateway_routing_rule/`, { json: { name: 'Hand-made rule', priority: 100, match_string: '.*@other\\.example\\.org' } });
});
afterAll(() => sim.stop());

describe('cdktf deploy / diff / destroy against the simulator', () => {
  let profileId: number;

  it('deploys from empty: every object is created, the licence first; the uuid output matches the live profile', async () => {
    sim.clearRequests();
    const result = await cdktf('deploy', 'nonprod', '--auto-approve');
    expect(result.code).toBe(0);
    expect(result.output).toContain('licence …0003: activated');
    // The licence carrier activated the licence before the reconciler ran, so reconcile finds it in place.
    expect(result.output).toContain('Applied: 8 created, 0 updated, 0 replaced, 0 pruned, 1 unchanged.');
    // The stack's ledger first (the licence claim records the activation there before making it), then the licence;
    // the theme is recorded as pending before it exists, the ledger completed last; each object comes after the
    // objects it refers to, the rest in any order.
    const w = writes();
    expect([w[0], w[1], w[w.length - 1]]).toEqual(['POST policy_server', 'POST licence', 'PATCH policy_server']);
    expect(w.slice(2, -1).sort()).toEqual([
      'PATCH policy_server',
      'POST gateway_routing_rule',
      'POST gateway_routing_rule',
      'POST gateway_routing_rule',
      'POST ivr_theme',
      'POST policy_server',
      'POST telehealth_profile',
      'POST webapp_alias',
      'POST webapp_branding',
    ]);
    expect(w.indexOf('POST webapp_alias')).toBeGreaterThan(w.indexOf('POST webapp_branding'));
    // Progress lines come as each create completes: the telehealth rule after the profile and theme it refers to (the
    // other rules refer to nothing of ours and may go early).
    const at = (pattern: RegExp) => {
      const index = result.output.search(pattern);
      expect(index).toBeGreaterThanOrEqual(0);
      return index;
    };
    expect(at(/\+ create call routing rule "[^"]+" \(epic\.rule\)/)).toBeGreaterThan(Math.max(at(/\+ create Epic telehealth profile /), at(/\+ create theme /)));
    expect(at(/\+ create theme /)).toBeGreaterThan(at(/\+ create ledger of stack "nonprod"/));
    const [profile] = await list('telehealth_profile');
    profileId = profile.id;
    const state = JSON.parse(readFileSync(join(project.dir, 'terraform.nonprod.tfstate'), 'utf8'));
    expect(state.outputs.epic_profile_uuid.value).toBe(profile.uuid);
    expect(result.output).toContain(`epic_profile_uuid = "${profile.uuid}"`);
    const rules = await list('gateway_routing_rule');
    expect(rules.find(markedBy('nonprod', 'epic.rule'))).toMatchObject({ telehealth_profile: profile.resource_uri, called_device_type: 'telehealth_profile' });
    expect(rules.find(markedBy('nonprod', 'epic.dial-out-rule'))).toMatchObject({ match_outgoing_calls: true, match_incoming_calls: false });
  });

  it('shows a one-field template change in cdktf diff, then deploys it as one PATCH of the same profile', async () => {
    project.configure({ serviceName: 'Visit {{unique_encounter_id}}' });
    const diff = await cdktf('diff', 'nonprod');
    expect(diff.code).toBe(0);
    expect(diff.output).toMatch(/~ "?service_name_template"?\s+= "Appointment \{\{unique_encounter_id\}\}" -> "Visit \{\{unique_encounter_id\}\}"/);
    sim.clearRequests();
    const deploy = await cdktf('deploy', 'nonprod', '--auto-approve');
    expect(deploy.code).toBe(0);
    // The field, then the ledger records the run's convergence token (so the next synth, in sync, plans nothing).
    expect(writes()).toEqual(['PATCH telehealth_profile', 'PATCH policy_server']);
    expect((await list('telehealth_profile'))[0]).toMatchObject({ id: profileId, service_name_template: 'Visit {{unique_encounter_id}}' });
  });

  it('redeploys without changes: no provisioner runs and nothing is written; the only requests are the drift check\'s reads', async () => {
    sim.clearRequests();
    const deploy = await cdktf('deploy', 'nonprod', '--auto-approve');
    expect(deploy.code).toBe(0);
    expect(deploy.output).toContain('No changes.');
    expect(deploy.output).toContain('pexip-cdktf: stack "nonprod": no drift in Pexip.');
    expect(deploy.output).not.toContain('local-exec');
    // One list per kind at synth time (the convergence check) and which node this is, nothing else.
    expect(sim.requests.map((r) => `${r.method} ${r.resource}`).sort()).toEqual([...KINDS.map((k) => `GET ${k.name}`), 'GET management_vm'].sort());
    // Without connection settings at synth time there is no drift check (one line says so), and no request at all.
    sim.clearRequests();
    const offline = await project.cdktf(['deploy', 'nonprod', '--auto-approve'], { PEXIP_ADDRESS: '' });
    expect(offline.code).toBe(0);
    expect(offline.output).toContain('pexip-cdktf: stack "nonprod": drift not checked (no PEXIP_ADDRESS at synth time); pexip-cdktf drift nonprod checks it.');
    expect(sim.requests).toEqual([]);
  });

  it('prunes the theme when it is removed from the app, leaving objects made by hand alone', async () => {
    project.configure({ theme: false });
    sim.clearRequests();
    const deploy = await cdktf('deploy', 'nonprod', '--auto-approve');
    expect(deploy.code).toBe(0);
    expect(writes()).toEqual(['PATCH gateway_routing_rule', 'DELETE ivr_theme', 'PATCH policy_server']);
    expect((await list('ivr_theme')).map((t) => t.name)).not.toContain('Telehealth waiting room (test)');
    expect((await list('policy_server')).map((p) => p.name)).toContain('Hand-made policy');
  });

  it('destroy fails cleanly when Pexip fails the first delete, keeps the anchor in state, and a second destroy completes', async () => {
    sim.addFault({ match: { method: 'DELETE' }, action: { type: 'status', status: 500 } });
    const failed = await cdktf('destroy', 'nonprod', '--auto-approve');
    expect(failed.code).not.toBe(0);
    expect(failed.output).toMatch(/the Management Node answered HTTP 500/);
    const state = readFileSync(join(project.dir, 'terraform.nonprod.tfstate'), 'utf8');
    expect(state).toContain('"name": "pexip-anchor"');
    expect(await list('telehealth_profile')).toHaveLength(1);
    sim.clearRequests();
    const destroyed = await cdktf('destroy', 'nonprod', '--auto-approve');
    expect(destroyed.code).toBe(0);
    // The three rules were deleted at once: the two beside the failed delete went through, the third goes now.
    expect(writes()).toEqual([
      'DELETE gateway_routing_rule',
      'DELETE telehealth_profile',
      'DELETE webapp_alias',
      'DELETE webapp_branding',
      'DELETE policy_server',
      'DELETE policy_server',
      `DELETE licence`,
    ]);
    expect(destroyed.output).toContain('Reminder: the integration must also be removed on the Epic side.');
    expect(destroyed.output).toContain('licence …0003: returned');
    expect((await list('gateway_routing_rule')).map((r) => r.name)).toEqual(['Hand-made rule']);
    expect((await list('policy_server')).map((p) => p.name)).toEqual(['Hand-made policy']);
    expect(await list('telehealth_profile')).toEqual([]);
    expect(await list('licence')).toEqual([]);
  });

  it('left no secret value in cdktf.out, any state file, or the outputs', async () => {
    const written = [...files(join(project.dir, 'cdktf.out')), ...readdirSync(project.dir).filter((f) => f.includes('tfstate')).map((f) => join(project.dir, f))];
    expect(written.some((f) => f.endsWith('.tfstate'))).toBe(true);
    for (const file of written) {
      const content = readFileSync(file);
      for (const value of Object.values(SECRETS)) expect(content.includes(value)).toBe(false);
    }
  });
});
