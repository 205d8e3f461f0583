import type { PexipSimulator } from '../../src/simulator/server';
import { runCli } from '../helpers/cli';
import { integrationSet, secretEnv, type Workspace, withSpec, workspace } from '../helpers/desired';
import { raw, simulatorEnv, startSimulator } from '../helpers/simulator';

const CONFIG = '/api/admin/configuration/v1';
let sim: PexipSimulator;
let ws: Workspace;
let env: NodeJS.ProcessEnv;
let file: string;

beforeEach(async () => {
  sim = await startSimulator();
  ws = workspace();
  env = { ...simulatorEnv(sim), ...secretEnv() };
  file = ws.writeSet(integrationSet(ws));
});
afterEach(() => sim.stop());

describe('pexip-cdktf plan / reconcile / drift', () => {
  it('plans changes (exit 2), reconciles with one progress line per object (exit 0), then plans clean (exit 0)', async () => {
    const planned = await runCli(['plan', file], env);
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain(`Plan for stack "nonprod" (non-production) against ${sim.url}`);
    expect(planned.stdout).toContain('  + create  Epic telehealth profile "Healthcare Org" (profile)');
    expect(planned.stdout).toContain('Plan: 7 to create, 0 to update, 0 to prune, 0 unchanged.');
    const applied = await runCli(['reconcile', file], env);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toBe('Applied: 7 created, 0 updated, 0 replaced, 0 pruned, 0 unchanged.\n');
    // One line per object, and one for the stack's ledger.
    expect(applied.stderr.trim().split('\n')).toHaveLength(8);
    const again = await runCli(['reconcile', file], env);
    expect(again.stdout).toBe('No changes: stack "nonprod" is in sync.\n');
    expect((await runCli(['plan', file], env)).code).toBe(0);
  });

  it('reports drift after a hand edit with exit 2, naming the field; --json carries the same', async () => {
    await runCli(['reconcile', file], env);
    const rule = ((await raw(sim, 'GET', `${CONFIG}/gateway_routing_rule/?name=${encodeURIComponent('Epic telehealth (non-prod)')}`)).json as { objects: { resource_uri: string }[] }).objects[0];
    await raw(sim, 'PATCH', rule.resource_uri, { json: { match_incoming_sip: true } });
    const drift = await runCli(['drift', file], env);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('  ~ update  call routing rule "Epic telehealth (non-prod)" (rule) [drift: changed in Pexip]\n        match_incoming_sip: true → false');
    // The verdict is a result: stdout, where scripts read it.
    expect(drift.stdout).toContain('Drift found. Differences: 0 to create, 1 to update, 0 to prune, 6 unchanged.\n');
    const json = await runCli(['drift', file, '--json'], env);
    expect(json.code).toBe(2);
    const report = JSON.parse(json.stdout);
    expect(report.summary).toEqual({ create: 0, update: 1, replace: 0, prune: 0, restore: 0, unchanged: 6, conflict: 0 });
    expect(report.actions.find((a: { id: string }) => a.id === 'rule')).toMatchObject({ cause: 'drift', changes: [{ field: 'match_incoming_sip', from: true, to: false }] });
  });

  it('refuses a stale desired-set file when given the expected hash', async () => {
    const result = await runCli(['reconcile', file, '--expect-hash', 'f'.repeat(64)], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: the desired set .* does not match the synthesized stack \(hash [0-9a-f]{12}…, expected ffffffffffff…\): run cdktf synth again\.\n$/);
    expect(sim.requests).toHaveLength(0);
  });

  it('exits 1 with one line on connection and authentication errors, without leaking the password', async () => {
    const wrong = await runCli(['plan', file], { ...env, PEXIP_PASSWORD: 'wrong-password-123' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^error: telehealth_profile|^error: .*authentication failed \(401\)/);
    expect(wrong.stderr).not.toContain('wrong-password-123');
    const down = await runCli(['plan', file], { ...env, PEXIP_ADDRESS: 'http://127.0.0.1:1', PEXIP_MAX_ATTEMPTS: '1' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/connection refused: is PEXIP_ADDRESS right and the Management Node up\?/);
  });

  it('prints a conflict as an error with exit 1 and writes nothing', async () => {
    await raw(sim, 'POST', `${CONFIG}/webapp_alias/`, { json: { slug: 'telehealth-test', webapp_type: 'webapp3' } });
    sim.clearRequests();
    const result = await runCli(['reconcile', file, '--json'], env);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: 'PlanConflictError', message: expect.stringContaining('web app path "path" ("telehealth-test"): slug "telehealth-test" already exists') });
    expect(sim.writes()).toHaveLength(0);
  });
});

describe('pexip-cdktf adopt', () => {
  it('adds the marker to unowned objects with declared names; reconcile then aligns them', async () => {
    await raw(sim, 'POST', `${CONFIG}/webapp_alias/`, { json: { slug: 'telehealth-test', webapp_type: 'webapp3', description: 'by hand' } });
    const adopted = await runCli(['adopt', file, '--id', 'path'], env);
    expect(adopted.code).toBe(0);
    expect(adopted.stderr).toContain('~ update web app path "telehealth-test" (path): ownership marker added');
    const alias = ((await raw(sim, 'GET', `${CONFIG}/webapp_alias/1/`)).json as { description: string });
    expect(alias.description).toBe('by hand [pexip-cdktf:nonprod/path]');
    const rec = await runCli(["reconcile", file], env);
    expect(rec.stderr).not.toContain("error");
    expect(rec.code).toBe(0);
    expect(((await raw(sim, 'GET', `${CONFIG}/webapp_alias/`)).json as { meta: { total_count: number } }).meta.total_count).toBe(1);
  });

  it('refuses an unknown logical id', async () => {
    const result = await runCli(['adopt', file, '--id', 'nope'], env);
    expect(result.stderr).toBe('error: --id nope: the desired set declares no such logical id.\n');
  });
});

describe('pexip-cdktf remove', () => {
  it('removes what the stack owns, prints the Epic reminder, and is harmless to repeat', async () => {
    await runCli(['reconcile', file], env);
    const removed = await runCli(['remove', '--stack', 'nonprod'], env);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('Removed 7 objects owned by stack "nonprod".');
    expect(removed.stdout).toContain('Reminder: the integration must also be removed on the Epic side.');
    // Rules go first (they point at the profile); within one step deletes run in parallel, lines in completion order.
    const lines = removed.stderr.split('\n').filter((l) => l.startsWith('- remove'));
    const rules = lines.filter((l) => l.startsWith('- remove call routing rule'));
    expect(rules).toContain('- remove call routing rule "Epic telehealth (non-prod)" (rule): deleted');
    expect(lines.slice(0, rules.length)).toEqual(expect.arrayContaining(rules));
    const again = await runCli(['remove', file, '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ stack: 'nonprod', removed: [] });
  });
});

describe('pexip-cdktf licence', () => {
  it('activates an entitlement once, and returns it', async () => {
    const claim = await runCli(['licence', 'claim', '--entitlement', 'DEMO-TELEHEALTH-0001', '--return-on-destroy'], env);
    // The entitlement key is sensitive (Pexip's provider says so): shown by its last four characters only.
    expect(claim.stdout).toBe('licence …0001: activated\n');
    expect((await runCli(['licence', 'claim', '--entitlement', 'DEMO-TELEHEALTH- 0001'], env)).stdout).toBe('licence …0001: already active\n');
    const returned = await runCli(['licence', 'return', '--entitlement', 'DEMO-TELEHEALTH-0001', '--json'], env);
    expect(JSON.parse(returned.stdout)).toEqual({ entitlement: '…0001', returned: 1 });
  });

  it('refuses to claim for return a licence someone else activated, unless adopted', async () => {
    await raw(sim, 'POST', `${CONFIG}/licence/`, { json: { entitlement_id: 'DEMO-TELEHEALTH-0002' } });
    const refused = await runCli(['licence', 'claim', '--entitlement', 'DEMO-TELEHEALTH-0002', '--return-on-destroy'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is already active and this stack did not activate it');
    expect((await runCli(['licence', 'claim', '--entitlement', 'DEMO-TELEHEALTH-0002', '--return-on-destroy', '--adopt'], env)).code).toBe(0);
  });

  it('with --check, activates nothing when reconcile would refuse the stack (here a conflict), and activates once it would not', async () => {
    await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'Telehealth local policy' } });
    sim.clearRequests();
    const refused = await runCli(['licence', 'claim', '--entitlement', 'DEMO-TELEHEALTH-0001', '--check', file], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error: nothing was changed: 1 conflict:\n  policy profile "policy" ("Telehealth local policy"): name "Telehealth local policy" already exists in Pexip and is not owned by this stack.');
    expect(sim.writes()).toEqual([]);
    const other = ((await raw(sim, 'GET', `${CONFIG}/policy_server/?name=${encodeURIComponent('Telehealth local policy')}`)).json as { objects: { resource_uri: string }[] }).objects[0];
    await raw(sim, 'DELETE', other.resource_uri);
    const claimed = await runCli(['licence', 'claim', '--entitlement', 'DEMO-TELEHEALTH-0001', '--check', file], env);
    expect(claimed.stdout).toBe('licence …0001: activated\n');
    expect(sim.writes().map((w) => `${w.method} ${w.resource}`)).toEqual(['DELETE policy_server', 'POST licence']);
  });

  it('reports an entitlement the licence server refuses', async () => {
    const result = await runCli(['licence', 'claim', '--entitlement', 'BOGUS-KEY'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: licence "…-KEY" — POST /api/admin/configuration/v1/licence/: Pexip refused the request (400): entitlement_id: The licence server does not recognise this entitlement key.\n');
  });
});

describe('desired-set file errors', () => {
  it.each([
    ['a missing file', ['plan', '/nonexistent/desired.json'], /^error: cannot read the desired set \/nonexistent\/desired\.json \(ENOENT\)\.\n$/],
    ['no argument', ['plan'], /^error: missing argument <stack>: Stack name \(e\.g\. prod\), or the desired-set JSON file a stack synthesized\.\n$/],
  ])('%s', async (_what, args, message) => {
    const result = await runCli(args, env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
  });

  it('malformed JSON', async () => {
    const bad = ws.writeSet(withSpec(integrationSet(ws), 'rule', {}));
    require('node:fs').writeFileSync(bad, '{"format": ');
    const result = await runCli(['plan', bad], env);
    expect(result.stderr).toMatch(/^error: the desired set .* is not valid JSON \(/);
  });
});

describe('stack names instead of desired-set files', () => {
  /** An app directory as cdktf leaves it: cdktf.json naming its output, the synthesized stacks below it. */
  function app(output = 'cdktf.out'): string {
    const dir = ws.dir;
    const { mkdirSync, writeFileSync, copyFileSync } = require('node:fs') as typeof import('node:fs');
    const { join } = require('node:path') as typeof import('node:path');
    writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'node main.js', output }));
    for (const stack of ['nonprod', 'prod']) {
      mkdirSync(join(dir, output, 'stacks', stack), { recursive: true });
      if (stack === 'nonprod') copyFileSync(file, join(dir, output, 'stacks', stack, 'pexip-desired.json'));
    }
    for (const name of ['theme.zip', 'branding.zip']) copyFileSync(join(dir, name), join(dir, output, 'stacks', 'nonprod', name));
    return dir;
  }

  it('plan, drift, reconcile, adopt, repair and secrets check take a stack name, from the app directory or below it', async () => {
    const dir = app('out');
    const { mkdirSync } = require('node:fs') as typeof import('node:fs');
    mkdirSync(`${dir}/src/deep`, { recursive: true });
    expect((await runCli(['plan', 'nonprod'], env, { cwd: dir })).stdout).toContain('Plan: 7 to create');
    expect((await runCli(['reconcile', 'nonprod'], env, { cwd: `${dir}/src/deep` })).code).toBe(0);
    expect((await runCli(['drift', 'nonprod'], env, { cwd: dir })).stdout).toContain('No drift.');
    expect((await runCli(['adopt', 'nonprod'], env, { cwd: dir })).code).toBe(0);
    expect((await runCli(['secrets', 'check', 'nonprod'], env, { cwd: dir })).code).toBe(0);
    expect((await runCli(['repair', 'nonprod'], env, { cwd: dir })).stdout).toBe('No drift: stack "nonprod" matches Pexip; nothing to repair.\n');
  });

  it('names the stacks there are when a name is misspelt, and says when nothing is synthesized', async () => {
    const dir = app();
    const typo = await runCli(['plan', 'nonprd'], env, { cwd: dir });
    expect(typo.code).toBe(1);
    expect(typo.stderr).toBe("error: no stack 'nonprd'; stacks: nonprod\n");
    const empty = await runCli(['drift', 'prod', '--outdir', 'elsewhere'], env, { cwd: dir });
    expect(empty.stderr).toBe(`error: no stack 'prod': nothing is synthesized in ${dir}/elsewhere; run cdktf synth first (or give --outdir).\n`);
    expect(sim.requests).toHaveLength(0);
  });
});

describe('pexip-cdktf repair', () => {
  it('undoes a hand edit (exit 2), then finds nothing to repair (exit 0)', async () => {
    await runCli(['reconcile', file], env);
    const rule = ((await raw(sim, 'GET', `${CONFIG}/gateway_routing_rule/?name=${encodeURIComponent('Epic telehealth (non-prod)')}`)).json as { objects: { resource_uri: string }[] }).objects[0];
    await raw(sim, 'PATCH', rule.resource_uri, { json: { priority: 150 } });
    sim.clearRequests();
    const repaired = await runCli(['repair', file], env);
    expect(repaired.code).toBe(2);
    expect(repaired.stdout).toContain('  ~ update  call routing rule "Epic telehealth (non-prod)" (rule) [drift: changed in Pexip]\n        priority: 150 → 10');
    expect(repaired.stdout).toContain('1 drifted object repaired.');
    expect(sim.writes().map((w) => `${w.method} ${w.resource}`)).toEqual(['PATCH gateway_routing_rule']);
    expect((await runCli(['repair', file], env)).code).toBe(0);
  });

  it('with --drift-only, refuses changes of the code that are not in Pexip, naming what to run instead', async () => {
    await runCli(['reconcile', file], env);
    const changed = ws.writeSet(withSpec(integrationSet(ws), 'rule', { priority: 15 }));
    sim.clearRequests();
    const refused = await runCli(['repair', changed, '--drift-only'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('error: stack "nonprod" has 1 change its code asks for that are not in Pexip (update rule): cdktf deploy nonprod applies them, or run repair without --drift-only.\n');
    expect(sim.writes()).toEqual([]);
    // By default repair converges whatever differs (an interrupted deploy leaves exactly that): never a dead end.
    const repaired = await runCli(['repair', changed], env);
    expect(repaired.code).toBe(2);
    expect(repaired.stdout).toContain('1 change of the code applied.');
    expect((await runCli(['repair', changed], env)).code).toBe(0);
  });

  it('refuses a stack that was never deployed to this node: a first deploy is cdktf deploy\'s job', async () => {
    const elsewhere = ws.writeSet(integrationSet(ws, 'elsewhere'));
    sim.clearRequests();
    const refused = await runCli(['repair', elsewhere], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: stack "elsewhere" has never been deployed to the node at http:\/\/127\.0\.0\.1:\d+ \(mgmt-[0-9a-f]{6}\.sim\.pexip\.test \(10\.\d+\.\d+\.\d+\)\): nothing to repair\. Deploy it with cdktf deploy elsewhere, or check PEXIP_ADDRESS if it lives on another node\.\n$/);
    expect(sim.writes()).toEqual([]);
  });
});

describe('pexip-cdktf remove', () => {
  it('says plainly when the stack owns nothing, exits 0, and still reminds about Epic', async () => {
    const result = await runCli(['remove', '--stack', 'nothing-here'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Stack "nothing-here" owns nothing in Pexip at ${sim.url}: nothing to remove.\n`);
    expect(result.stdout).toMatch(/^!{100}\n!! Reminder: the integration must also be removed on the Epic side\./m);
  });
});
