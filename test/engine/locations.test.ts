import type { PexipClient } from '../../src/api/client';
import { adoptObjects } from '../../src/engine/adopt';
import { PlanConflictError } from '../../src/engine/apply';
import { type DesiredObject, type DesiredSet, validateDesiredSet } from '../../src/engine/desired';
import { hasChanges } from '../../src/engine/plan';
import { planAgainstLive, reconcile } from '../../src/engine/reconcile';
import { removeStack } from '../../src/engine/remove';
import { InterruptedError, StopToken } from '../../src/engine/pool';
import type { PexipSimulator } from '../../src/simulator/server';
import { integrationSet, secretEnv, type Workspace, without, withSpec, workspace } from '../helpers/desired';
import { spawn } from 'node:child_process';
import { BIN } from '../helpers/cli';
import { waitFor } from '../helpers/wait';
import { clientFor, raw, simulatorEnv, startSimulator } from '../helpers/simulator';

/**
 * Field claims on system locations: a stack assigns its policy profile and web proxy to existing locations, never
 * clobbers a value someone else set, records what was there, and gives it back on removal.
 */
const CONFIG = '/api/admin/configuration/v1';
/** Which of the two claimed fields a location read back leaves out (a cleared field is absent on a real node). */
const cleared = (location: object) => ['http_proxy', 'policy_server'].filter((f) => !(f in location));
let sim: PexipSimulator;
let client: PexipClient;
let ws: Workspace;
let lines: string[];

beforeEach(async () => {
  sim = await startSimulator();
  client = clientFor(sim);
  ws = workspace();
  lines = [];
  for (const name of ['Hospital DC', 'Hospital Remote']) expect((await raw(sim, 'POST', `${CONFIG}/system_location/`, { json: { name } })).status).toBe(201);
});
afterEach(async () => {
  client.close();
  await sim.stop();
});

const PROXY: DesiredObject = { kind: 'http_proxy', id: 'proxy', spec: { name: 'Epic egress proxy', address: 'proxy.example.org', port: 3128 } };
const claim = (name: string, extra: Partial<DesiredObject> = {}): DesiredObject => ({
  kind: 'system_location',
  id: `locations.${name.toLowerCase().replace(/\W+/g, '-')}`,
  spec: { name, policy_server: { $ref: 'policy' }, http_proxy: { $ref: 'proxy' } },
  ...extra,
});
const withLocations = (set: DesiredSet, ...claims: DesiredObject[]): DesiredSet => ({ ...set, objects: [...set.objects, PROXY, ...claims] });
const run = (set: DesiredSet) => reconcile(validateDesiredSet(JSON.parse(JSON.stringify(set))), { client, env: secretEnv(), baseDir: ws.dir, progress: (line) => lines.push(line) });
const plan = async (set: DesiredSet) => (await planAgainstLive(validateDesiredSet(JSON.parse(JSON.stringify(set))), client)).plan;
const location = async (name: string) => (((await raw(sim, 'GET', `${CONFIG}/system_location/?name=${encodeURIComponent(name)}`)).json as { objects: Record<string, any>[] }).objects[0]);
const byName = async (resource: string, name: string) => (((await raw(sim, 'GET', `${CONFIG}/${resource}/?name=${encodeURIComponent(name)}`)).json as { objects: Record<string, any>[] }).objects[0]);
const writes = () => sim.writes().map((r) => `${r.method} ${r.resource}`);


describe('assigning a policy profile and a web proxy to locations', () => {
  it('sets both fields, records them, updates the proxy in place, and restores the fields when the declaration goes', async () => {
    const set = withLocations(integrationSet(ws), claim('Hospital DC'));
    await run(set);
    const policy = await byName('policy_server', 'Telehealth local policy');
    const proxy = await byName('http_proxy', 'Epic egress proxy');
    expect(await location('Hospital DC')).toMatchObject({ policy_server: policy.resource_uri, http_proxy: proxy.resource_uri });
    // Cleared fields read back absent, as on a real node.
    expect(cleared(await location('Hospital Remote'))).toEqual(['http_proxy', 'policy_server']);
    expect(lines).toContain('~ update system location "Hospital DC" (locations.hospital-dc): policy_server, http_proxy');
    expect(hasChanges(await plan(set))).toBe(false);

    sim.clearRequests();
    await run(withSpec(set, 'proxy', { port: 8080 }));
    expect(writes()).toEqual(['PATCH http_proxy', 'PATCH policy_server']);
    expect((await byName('http_proxy', 'Epic egress proxy')).id).toBe(proxy.id);

    sim.clearRequests();
    const noLocations = without(withSpec(set, 'proxy', { port: 8080 }), 'locations.hospital-dc');
    const pending = await plan(noLocations);
    expect(pending.actions.find((a) => a.type === 'restore')).toMatchObject({ name: 'Hospital DC', restorations: [{ field: 'http_proxy', to: null }, { field: 'policy_server', to: null }] });
    await run(noLocations);
    expect(cleared(await location('Hospital DC'))).toEqual(['http_proxy', 'policy_server']);
    expect(lines.filter((l) => l.startsWith('<'))).toEqual(['< restore system location "Hospital DC", field http_proxy: null', '< restore system location "Hospital DC", field policy_server: null']);
  });

  it('refuses a field someone else set, naming location, field and value; takeOver replaces it and removal gives it back', async () => {
    const other = await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'Site policy (by hand)' } });
    const otherUri = other.headers.get('location')!;
    await raw(sim, 'PATCH', (await location('Hospital DC')).resource_uri, { json: { policy_server: otherUri } });
    sim.clearRequests();
    const error = await run(withLocations(integrationSet(ws), claim('Hospital DC'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanConflictError);
    expect((error as Error).message).toContain(
      `system location "Hospital DC", field policy_server: holds "${otherUri}", which this stack did not set. Set takeOver: true to replace it (removal then restores it), or leave the field out.`,
    );
    expect(writes()).toEqual([]);

    await run(withLocations(integrationSet(ws), claim('Hospital DC', { takeOver: true })));
    const ours = await byName('policy_server', 'Telehealth local policy');
    expect((await location('Hospital DC')).policy_server).toBe(ours.resource_uri);
    await removeStack(client, 'nonprod', (line) => lines.push(line));
    expect(await location('Hospital DC')).toMatchObject({ policy_server: otherUri });
    expect(await location('Hospital DC')).not.toHaveProperty('http_proxy');
    expect(await byName('policy_server', 'Telehealth local policy')).toBeUndefined();
    // Fields first, then the objects they pointed at.
    expect(lines.findIndex((l) => l.startsWith('< restore'))).toBeLessThan(lines.findIndex((l) => l.startsWith('- remove')));
  });

  it('a run killed after setting a location field has already recorded what it held before: removal gives it back', async () => {
    const other = await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'Site policy (by hand)' } });
    const otherUri = other.headers.get('location')!;
    await raw(sim, 'PATCH', (await location('Hospital DC')).resource_uri, { json: { policy_server: otherUri } });
    // The location's PATCH is held; the process is killed meanwhile; the PATCH then commits. No later ledger write.
    sim.addFault({ match: { method: 'PATCH', path: '/system_location/' }, action: { type: 'hold', maxMs: 15_000 } });
    const set = withLocations(integrationSet(ws), claim('Hospital DC', { takeOver: true }));
    const child = spawn(process.execPath, [BIN, 'reconcile', ws.writeSet(set)], { env: { PATH: process.env.PATH, ...simulatorEnv(sim), ...secretEnv() }, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('close', resolve));
    await waitFor(() => sim.heldCount === 1);
    child.kill('SIGKILL');
    await exited;
    const held = sim.requests.find((r) => r.method === 'PATCH' && r.resource === 'system_location')!;
    sim.releaseHeld();
    await waitFor(() => held.status === 202 || held.status === 200);
    const ours = await byName('policy_server', 'Telehealth local policy');
    expect((await location('Hospital DC')).policy_server).toBe(ours.resource_uri);

    // A re-run converges without a conflict (the stack's own value is recorded), and removal restores the hand-set one.
    await run(set);
    expect(hasChanges(await plan(set))).toBe(false);
    await removeStack(client, 'nonprod', (line) => lines.push(line));
    expect(await location('Hospital DC')).toMatchObject({ policy_server: otherUri });
    expect(await location('Hospital DC')).not.toHaveProperty('http_proxy');
  });

  it('a run killed before its location PATCH leaves the field as it was; removal leaves it too', async () => {
    const other = await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'Site policy (by hand)' } });
    const otherUri = other.headers.get('location')!;
    await raw(sim, 'PATCH', (await location('Hospital DC')).resource_uri, { json: { policy_server: otherUri } });
    sim.clearRequests();
    sim.addFault({ match: { method: 'PATCH', path: '/system_location/' }, action: { type: 'status', status: 503 }, times: 50 });
    const set = withLocations(integrationSet(ws), claim('Hospital DC', { takeOver: true }));
    const child = spawn(process.execPath, [BIN, 'reconcile', ws.writeSet(set)], { env: { PATH: process.env.PATH, ...simulatorEnv(sim), ...secretEnv() }, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('close', resolve));
    await waitFor(() => sim.requests.some((r) => r.method === 'PATCH' && r.resource === 'system_location'));
    child.kill('SIGKILL');
    await exited;
    sim.faults.clear();
    expect((await location('Hospital DC')).policy_server).toBe(otherUri);
    await removeStack(client, 'nonprod', (line) => lines.push(line));
    expect(await location('Hospital DC')).toMatchObject({ policy_server: otherUri });
    expect(await location('Hospital DC')).not.toHaveProperty('http_proxy');
    expect(await byName('policy_server', 'Telehealth local policy')).toBeUndefined();
    expect(lines.join('\n')).toContain('already back to the value from before');
  });

  it('shows a hand change as drift and repairs it', async () => {
    const set = withLocations(integrationSet(ws), claim('Hospital DC'));
    await run(set);
    await raw(sim, 'PATCH', (await location('Hospital DC')).resource_uri, { json: { http_proxy: null } });
    const drifted = await plan(set);
    expect(drifted.actions.find((a) => a.kind === 'system_location')).toMatchObject({ type: 'update', cause: 'drift', changes: [{ field: 'http_proxy', from: null }] });
    await run(set);
    expect((await location('Hospital DC')).http_proxy).toBe((await byName('http_proxy', 'Epic egress proxy')).resource_uri);
  });

  it('never clobbers a value someone set after the stack: removal leaves it and says so', async () => {
    const set = withLocations(integrationSet(ws), claim('Hospital DC'));
    await run(set);
    const other = (await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'Later policy (by hand)' } })).headers.get('location')!;
    await raw(sim, 'PATCH', (await location('Hospital DC')).resource_uri, { json: { policy_server: other } });
    await removeStack(client, 'nonprod', (line) => lines.push(line));
    expect(await location('Hospital DC')).toMatchObject({ policy_server: other });
    expect(await location('Hospital DC')).not.toHaveProperty('http_proxy');
    expect(lines).toContain(`! leave system location "Hospital DC", field policy_server: changed since this stack set it (now ${other}); not restored, so nobody's later change is lost`);
  });

  it('refuses a location that does not exist, naming the ones that do; and a field another stack manages', async () => {
    await expect(run(withLocations(integrationSet(ws), claim('Hospital Nowhere')))).rejects.toThrow(
      'system location "locations.hospital-nowhere" ("Hospital Nowhere"): no system location named "Hospital Nowhere" exists in Pexip (a stack sets fields on existing system locations, never creates one); system locations: "Default location", "Hospital DC", "Hospital Remote".',
    );
    await run(withLocations(integrationSet(ws), claim('Hospital DC')));
    const otherStack: DesiredSet = {
      ...integrationSet(ws, 'prod2'),
      environment: 'non-production',
      objects: [{ kind: 'policy_server', id: 'policy', spec: { name: 'Prod2 policy' } }, { kind: 'system_location', id: 'loc', spec: { name: 'Hospital DC', policy_server: { $ref: 'policy' } } }],
    };
    await expect(run(otherStack)).rejects.toThrow('system location "Hospital DC", field policy_server: managed by stack "nonprod"; two stacks cannot manage one field.');
  });

  it('clears, rather than restores, a field whose value from before is an object removed in the same run', async () => {
    // A proxy made by hand and already assigned, then adopted by the stack: giving the field back would point the
    // location at the proxy being deleted, and the delete would be refused.
    const handMade = (await raw(sim, 'POST', `${CONFIG}/http_proxy/`, { json: { name: 'Epic egress proxy', address: 'old.example.org', port: 3128 } })).headers.get('location')!;
    await raw(sim, 'PATCH', (await location('Hospital DC')).resource_uri, { json: { http_proxy: handMade } });
    const set = withLocations(integrationSet(ws));
    const adopting: DesiredSet = {
      ...set,
      objects: [...set.objects.map((o) => (o.id === 'proxy' ? { ...o, adopt: true } : o)), { kind: 'system_location', id: 'loc', spec: { name: 'Hospital DC', http_proxy: { $ref: 'proxy' } }, takeOver: true }],
    };
    await run(adopting);
    expect((await location('Hospital DC')).http_proxy).toBe(handMade);
    sim.clearRequests();
    await removeStack(client, 'nonprod', (line) => lines.push(line));
    expect(await location('Hospital DC')).not.toHaveProperty('http_proxy');
    expect(await byName('http_proxy', 'Epic egress proxy')).toBeUndefined();
    expect(lines).toContain('< restore system location "Hospital DC", field http_proxy: null (the value from before, web proxy "Epic egress proxy", is removed too)');
  });

  it('adopt takes over objects, never a location, even with takeOver: reconcile records its fields, removal gives them back', async () => {
    const handMade = (await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'Site policy (by hand)' } })).headers.get('location')!;
    await raw(sim, 'PATCH', (await location('Hospital DC')).resource_uri, { json: { policy_server: handMade } });
    await raw(sim, 'POST', `${CONFIG}/http_proxy/`, { json: { name: 'Epic egress proxy', address: 'old.example.org', port: 3128 } });
    const set = validateDesiredSet(JSON.parse(JSON.stringify(withLocations(integrationSet(ws), claim('Hospital DC', { takeOver: true })))));
    const result = await adoptObjects(set, client, undefined, (line) => lines.push(line));
    expect(result.adopted).toEqual(['proxy']);
    expect((await location('Hospital DC')).policy_server).toBe(handMade);
    await run(set);
    await removeStack(client, 'nonprod', (line) => lines.push(line));
    expect(await location('Hospital DC')).toMatchObject({ policy_server: handMade });
    expect(await location('Hospital DC')).not.toHaveProperty('http_proxy');
    expect(await byName('http_proxy', 'Epic egress proxy')).toBeUndefined();
  });

  it.each([
    ['stops (SIGINT) right after', 'stop'],
    ['fails on the ledger write right after', 'fail'],
  ])('a run that %s setting a location field still records what was there, so removal gives it back', async (_what, how) => {
    const handMade = (await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'Site policy (by hand)' } })).headers.get('location')!;
    await raw(sim, 'PATCH', (await location('Hospital DC')).resource_uri, { json: { policy_server: handMade } });
    const set = validateDesiredSet(JSON.parse(JSON.stringify(withLocations(integrationSet(ws), claim('Hospital DC', { takeOver: true })))));
    const stop = new StopToken();
    const progress = (line: string) => {
      lines.push(line);
      if (!line.startsWith('~ update system location')) return;
      // Once the field is set: stop, or make the ledger's final write (the next PATCH of a policy profile) fail once.
      if (how === 'stop') stop.stop('SIGINT');
      else sim.faults.add({ match: { method: 'PATCH', path: '/policy_server/' }, action: { type: 'status', status: 500 }, times: 1 });
    };
    const error = await reconcile(set, { client, env: secretEnv(), baseDir: ws.dir, progress, stop }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(how === 'stop' ? InterruptedError : Error);
    const ours = await byName('policy_server', 'Telehealth local policy');
    expect((await location('Hospital DC')).policy_server).toBe(ours.resource_uri);
    await removeStack(client, 'nonprod', (line) => lines.push(line));
    expect((await location('Hospital DC')).policy_server).toBe(handMade);
    expect(await byName('policy_server', 'Telehealth local policy')).toBeUndefined();
  });

  it('refuses, when removing, an object a location uses that the stack did not assign', async () => {
    await run(withLocations(integrationSet(ws)));
    const proxy = await byName('http_proxy', 'Epic egress proxy');
    await raw(sim, 'PATCH', (await location('Hospital Remote')).resource_uri, { json: { http_proxy: proxy.resource_uri } });
    sim.clearRequests();
    await expect(removeStack(client, 'nonprod', () => {})).rejects.toThrow('  system location "Hospital Remote" (field http_proxy) uses web proxy "Epic egress proxy"');
    expect(writes()).toEqual([]);
  });
});
