import { VARIANTS } from '../../src/simulator/variants';
import type { PexipSimulator } from '../../src/simulator/server';
import { runCli } from '../helpers/cli';
import type { DesiredObject } from '../../src/engine/desired';
import type { JsonObject } from '../../src/kinds/types';
import { integrationSet, secretEnv, type Workspace, withNewerRuleFields, withSpec, workspace } from '../helpers/desired';
import { raw, simulatorEnv, startSimulator } from '../helpers/simulator';

/** `pexip-cdktf doctor` against the default simulator and against variants that behave like other real nodes. */
let ws: Workspace;
const sims: PexipSimulator[] = [];

beforeAll(() => {
  ws = workspace();
});
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

async function doctor(variant: keyof typeof VARIANTS, args: string[] = [], extraEnv: NodeJS.ProcessEnv = {}, extraObjects: DesiredObject[] = [], rule: JsonObject = {}) {
  const sim = await startSimulator({ variant: VARIANTS[variant] });
  sims.push(sim);
  // A telehealth licence is installed, and the rule declares every field, as the constructs' rules do.
  expect((await raw(sim, 'POST', '/api/admin/configuration/v1/licence/', { json: { entitlement_id: 'DEMO-TELEHEALTH-0001' } })).status).toBe(201);
  const set = withNewerRuleFields(withSpec(integrationSet(ws), 'profile', { name: 'Healthcare Org (non-production)' }), rule);
  const file = ws.writeSet({ ...set, objects: [...set.objects, ...extraObjects] });
  sim.clearRequests();
  const result = await runCli(['doctor', ...args.map((a) => (a === '{desired}' ? file : a))], { ...simulatorEnv(sim), ...secretEnv(), ...extraEnv });
  return { ...result, sim };
}

describe('pexip-cdktf doctor', () => {
  it('without a stack checks settings, reachability, authentication and version only', async () => {
    const r = await doctor('default');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      `OK    settings        ${r.sim.url} (PEXIP_ADDRESS), Basic auth as "admin"`,
      `OK    reachable       ${r.sim.url} answers (plain HTTP)`,
      'OK    authentication  Basic auth as "admin" accepted',
      'OK    version         Pexip Infinity 38.1.0 (Management Node "pexip-mgmt")',
      // Which node this is, as a stack deployed here records it (and as moveToNode names it).
      `OK    node            ${r.sim.identity.hostname}.sim.pexip.test (${r.sim.identity.address}): a stack deployed here is bound to this node`,
      'Ready.',
      '',
    ]);
    expect(r.sim.writes()).toEqual([]);
  });

  it('with a stack: licences, every kind against the node\'s schema, and the plan; nothing written', async () => {
    const r = await doctor('default', ['{desired}']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('OK    licences        50 of 50 telehealth licences free');
    expect(r.stdout).toContain("OK    schema          Epic telehealth profile: the 17 fields the stack sends match the node's schema");
    expect(r.stdout).toContain('OK    plan            no conflicts: 7 to create, 0 to update, 0 to prune, 0 unchanged');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('Ready: stack "nonprod" can be deployed.');
    expect(r.sim.writes()).toEqual([]);
  });

  it('adopts the node\'s spelling of the encryption algorithm, and says which', async () => {
    const r = await doctor('algorithm-choices', ['{desired}']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('OK    schema          Epic telehealth profile, field epic_encryption_algorithm: sending "AES256", the node\'s value for AES-256-CBC (this project\'s default spelling is "aes256cbc").');
  });

  it('passes on a node that ignores posted theme uuids: nothing depends on them', async () => {
    expect((await doctor('ignores-theme-uuid', ['{desired}'])).code).toBe(0);
  });

  it('on an older node, leaves out the fields it lacks where the stack sends only their default, and says so', async () => {
    const r = await doctor('older-version', ['{desired}']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('OK    version         Pexip Infinity 29.0.0 (Management Node "pexip-mgmt")');
    for (const field of ['denoise_audio', 'live_captions_enabled', 'match_incoming_teams', 'disabled_codecs']) {
      expect(r.stdout).toMatch(new RegExp(`^OK    schema {10}call routing rule, field ${field}: the node has no field ${field} \\(an older Pexip version\\?\\); left out, since this stack sends only its default \\(.+\\)\\.$`, 'm'));
    }
    expect(r.sim.writes()).toEqual([]);
  });

  it('names each field an older node lacks that the stack sets to something else, with the value, and exits 1', async () => {
    const r = await doctor('older-version', ['{desired}'], {}, [], { denoise_audio: false, disabled_codecs: [{ value: 'H264' }] });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL  schema          call routing rule, field denoise_audio: the node has no field denoise_audio (an older Pexip version?); this stack would send false: leave it unset (default true) to deploy to this node.');
    expect(r.stdout).toMatch(/^FAIL  schema {10}call routing rule, field disabled_codecs: the node has no field disabled_codecs \(an older Pexip version\?\); this stack would send .*H264.*: leave it unset \(default \[\]\) to deploy to this node\.$/m);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('Not ready: 2 checks failed. See README, "First contact with a real Management Node".');
    expect(r.sim.writes()).toEqual([]);
  });

  it('names a value longer than the node allows', async () => {
    const r = await doctor('short-lengths', ['{desired}']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL  schema          Epic telehealth profile, field name: "Healthcare Org (non-production)" is 31 characters; the node allows at most 20.');
  });

  it('names a location the stack assigns to that does not exist, with the ones that do', async () => {
    const r = await doctor('default', ['{desired}'], {}, [{ kind: 'system_location', id: 'loc', spec: { name: 'Hospital Nowhere', policy_server: { $ref: 'policy' } } }]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'FAIL  plan            system location "loc" ("Hospital Nowhere"): no system location named "Hospital Nowhere" exists in Pexip (a stack sets fields on existing system locations, never creates one); system locations: "Default location".',
    );
    expect(r.sim.writes()).toEqual([]);
  });

  it('--json: address, version, ready and one entry per check', async () => {
    const r = await doctor('older-version', ['{desired}', '--json'], {}, [], { denoise_audio: false });
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report).sort()).toEqual(['address', 'checks', 'ready', 'version']);
    expect(report).toMatchObject({ address: r.sim.url, version: '29.0.0', ready: false });
    expect(report.checks[0]).toEqual({ check: 'settings', status: 'ok', detail: `${r.sim.url} (PEXIP_ADDRESS), Basic auth as "admin"` });
    expect(report.checks.find((c: { field?: string }) => c.field === 'denoise_audio')).toEqual({
      check: 'schema',
      status: 'fail',
      kind: 'call routing rule',
      field: 'denoise_audio',
      detail: 'call routing rule, field denoise_audio: the node has no field denoise_audio (an older Pexip version?); this stack would send false: leave it unset (default true) to deploy to this node.',
    });
  });

  it('tells an unreachable node, refused credentials and broken settings apart, each with its cause', async () => {
    const down = await doctor('default', [], { PEXIP_ADDRESS: 'http://127.0.0.1:1' });
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/^FAIL  reachable {6}.*connection refused: is PEXIP_ADDRESS right and the Management Node up\?\nSKIP  authentication  not tried: the node is not reachable\n/m);
    const denied = await doctor('default', [], { PEXIP_PASSWORD: 'wrong-password' });
    expect(denied.stdout).toMatch(/^OK {4}reachable .*\nFAIL  authentication  .*authentication failed \(401\)/m);
    expect(denied.stdout + denied.stderr).not.toContain('wrong-password');
    const unset = await doctor('default', [], { PEXIP_ADDRESS: '' });
    expect(unset.stdout).toBe('FAIL  settings  PEXIP_ADDRESS is not set: set it to the Management Node address, e.g. https://manager.example.org\nNot ready: 1 check failed. See README, "First contact with a real Management Node".\n');
  });
});

describe('pexip-cdktf doctor, a stack that brings its own licence', () => {
  it('passes on a node with no telehealth licence installed: the deploy activates the stack\'s own', async () => {
    const sim = await startSimulator();
    sims.push(sim);
    const set = integrationSet(ws);
    const file = ws.writeSet({ ...set, objects: [...set.objects, { kind: 'licence', id: 'licence', spec: { entitlement_id: 'DEMO-TELEHEALTH-0001' }, returnOnDestroy: true }] });
    const r = await runCli(['doctor', file], { ...simulatorEnv(sim), ...secretEnv() });
    expect(r.stdout).toContain('OK    licences        0 of 0 telehealth licences free; the stack activates entitlement …0001');
    expect(r.stdout + r.stderr).not.toContain('DEMO-TELEHEALTH-0001');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('Ready: stack "nonprod" can be deployed.');
    expect(r.code).toBe(0);
    expect(sim.writes()).toEqual([]);
  });
});

describe('pexip-cdktf doctor, no licence anywhere', () => {
  it('warns, not fails: the deploy works without one, only appointments cannot start', async () => {
    const sim = await startSimulator();
    sims.push(sim);
    const r = await runCli(['doctor', ws.writeSet(integrationSet(ws))], { ...simulatorEnv(sim), ...secretEnv() });
    expect(r.stdout).toContain('WARN  licences        no telehealth licence is installed and the stack declares none: the deploy works, but no appointment can start until one is;');
    expect(r.code).toBe(0);
  });
});

describe('pexip-cdktf doctor and the stack\'s records', () => {
  it('names a policy profile that holds the ledger\'s reserved name but is no ledger as a conflict of the plan, before any write', async () => {
    const sim = await startSimulator();
    sims.push(sim);
    await raw(sim, 'POST', '/api/admin/configuration/v1/licence/', { json: { entitlement_id: 'DEMO-TELEHEALTH-0001' } });
    await raw(sim, 'POST', '/api/admin/configuration/v1/policy_server/', { json: { name: 'pexip-cdktf: nonprod', description: 'someone\'s own policy' } });
    const file = ws.writeSet(withNewerRuleFields(integrationSet(ws)));
    sim.clearRequests();
    const r = await runCli(['doctor', file], { ...simulatorEnv(sim), ...secretEnv() });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL  plan +.*policy profile "\(ledger\)" \("pexip-cdktf: nonprod"\): a policy profile named "pexip-cdktf: nonprod" exists but is not the stack's ledger/m);
    expect(sim.writes()).toEqual([]);
    const reconcile = await runCli(['reconcile', file], { ...simulatorEnv(sim), ...secretEnv() });
    expect(reconcile.code).toBe(1);
    expect(sim.writes()).toEqual([]);
  });
});
