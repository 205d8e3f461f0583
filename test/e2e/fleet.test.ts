import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateEpicKey } from '../../src/epic/encryption-key';
import type { PexipSimulator } from '../../src/simulator/server';
import { BIN } from '../helpers/cli';
import { ROOT } from '../helpers/project';
import { raw, startSimulator } from '../helpers/simulator';
import { run, toolEnv } from '../helpers/terraform';

/**
 * Each stack on its own Management Node: the fleet example (examples/fleet, one stack per site) deployed by one
 * `cdktf deploy '*'` to three simulators, each with its own credentials. Every stack's requests, objects and
 * secrets reach its own node only; a stack pointed at another node is refused before any write. The example runs
 * from a copy in the repository's ignored tmp/ directory, where it resolves this package by self-reference.
 */
const CDKTF = join(ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');
const COPY = join(ROOT, 'tmp', `fleet-${process.pid}`);
const CONFIG = '/api/admin/configuration/v1';
const SITES = [
  { stack: 'test', variant: 'TEST', secrets: 'TEST_NONPROD', password: 'pw-test-4kQ' },
  { stack: 'north', variant: 'NORTH', secrets: 'NORTH_PROD', password: 'pw-north-9xZ' },
  { stack: 'south', variant: 'SOUTH', secrets: 'SOUTH_PROD', password: 'pw-south-2mV' },
] as const;
type SiteName = (typeof SITES)[number]['stack'];

const sims = new Map<SiteName, PexipSimulator>();
const secretValues = new Map<SiteName, string>();
const sim = (site: SiteName) => sims.get(site)!;

/** Each site's node and secrets under its own names; nothing unsuffixed. */
function fleetEnv(override: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PEXIP_CDKTF_STATE_DIR: COPY };
  for (const site of SITES) {
    env[`PEXIP_${site.variant}_ADDRESS`] = sim(site.stack).url;
    env[`PEXIP_${site.variant}_USERNAME`] = 'admin';
    env[`PEXIP_${site.variant}_PASSWORD`] = site.password;
    env[`EPIC_${site.secrets}_PATIENT_CLIENT_SECRET`] = secretValues.get(site.stack);
    env[`EPIC_${site.secrets}_PROVIDER_CLIENT_SECRET`] = secretValues.get(site.stack);
    env[`EPIC_${site.secrets}_ENCRYPTION_KEY`] = generateEpicKey(32);
  }
  return toolEnv({ ...env, ...override });
}

const cdktf = (args: readonly string[], env: NodeJS.ProcessEnv) => run(process.execPath, [CDKTF, ...args], COPY, env, 300_000);

beforeAll(async () => {
  for (const site of SITES) {
    sims.set(site.stack, await startSimulator({ users: { admin: site.password } }));
    secretValues.set(site.stack, `client-secret-of-${site.stack}-Hq7`);
  }
  rmSync(COPY, { recursive: true, force: true });
  mkdirSync(COPY, { recursive: true });
  cpSync(join(ROOT, 'examples', 'fleet'), COPY, { recursive: true });
});
afterAll(async () => {
  for (const s of sims.values()) await s.stop();
  rmSync(COPY, { recursive: true, force: true });
  rmSync(join(ROOT, 'node_modules', '.cache', 'pexip-cdktf-app', `${encodeURIComponent(`tmp/fleet-${process.pid}/main.ts`)}.json`), { force: true });
});

describe('a fleet: one stack per site, each on its own Management Node', () => {
  it('lists the stacks and the variable naming each one\'s node, for a GitOps matrix', async () => {
    expect((await cdktf(['synth'], fleetEnv())).code).toBe(0);
    const listed = await run(process.execPath, [BIN, 'stacks', '--json'], COPY, fleetEnv());
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).stacks).toEqual(
      [...SITES].sort((a, b) => a.stack.localeCompare(b.stack)).map((s) => expect.objectContaining({ stack: s.stack, variant: s.variant, addressVariable: `PEXIP_${s.variant}_ADDRESS`, address: sim(s.stack).url })),
    );
  });

  it('one cdktf deploy \'*\' sends every stack\'s requests, objects and secrets to its own node only', async () => {
    for (const s of sims.values()) s.clearRequests();
    const deploy = await cdktf(['deploy', '*', '--auto-approve'], fleetEnv());
    expect(deploy.code).toBe(0);
    for (const site of SITES) {
      const node = sim(site.stack);
      // Only its own objects: every marked object and the ledger name this stack.
      const profiles = ((await raw(node, 'GET', `${CONFIG}/telehealth_profile/`, { auth: `Basic ${Buffer.from(`admin:${site.password}`).toString('base64')}` })).json as { objects: { description: string }[] }).objects;
      expect(profiles).toHaveLength(1);
      expect(profiles[0].description).toContain(`[pexip-cdktf:${site.stack}/`);
      const state = JSON.stringify(node.exportState({ includeSecrets: true }));
      expect(state).toContain(`pexip-cdktf: ${site.stack}`);
      for (const other of SITES.filter((o) => o.stack !== site.stack)) {
        expect(state).not.toContain(`pexip-cdktf: ${other.stack}`);
        expect(state).not.toContain(secretValues.get(other.stack));
      }
      expect(state).toContain(secretValues.get(site.stack));
      // Every request carried this node's own credentials (a wrong password would have been answered 401).
      expect(node.requests.filter((r) => r.status === 401)).toEqual([]);
      expect(node.writes().length).toBeGreaterThan(0);
    }
    // In sync afterwards: the next deploy of all three is "No changes" and writes nothing anywhere.
    for (const s of sims.values()) s.clearRequests();
    const again = await cdktf(['deploy', '*', '--auto-approve'], fleetEnv());
    expect(again.code).toBe(0);
    expect(again.output.match(/No changes\./g)?.length).toBe(3);
    for (const s of sims.values()) expect(s.writes()).toEqual([]);
  });

  it('refuses a stack pointed at another node before any write, naming both nodes and how to move it', async () => {
    for (const s of sims.values()) s.clearRequests();
    // The test platform's variables pointed at the north node (its address and credentials).
    const wrong = fleetEnv({ PEXIP_TEST_ADDRESS: sim('north').url, PEXIP_TEST_PASSWORD: 'pw-north-9xZ' });
    const refused = await cdktf(['deploy', 'test', '--auto-approve'], wrong);
    expect(refused.code).not.toBe(0);
    const north = `${sim('north').identity.hostname}.sim.pexip.test (${sim('north').identity.address})`;
    const test = `${sim('test').identity.hostname}.sim.pexip.test (${sim('test').identity.address})`;
    expect(refused.output.replace(/\s+/g, ' ')).toContain(`stack "test" lives on Management Node ${test} (recorded in its Terraform state when it was first deployed), but PEXIP_TEST_ADDRESS (${sim('north').url}) reaches ${north}; nothing was written and no secret was sent.`);
    expect(refused.output.replace(/\s+/g, ' ')).toContain(`set moveToNode: '${north}' on PexipStack "test"`);
    expect(sim('north').writes()).toEqual([]);
    expect(sim('test').writes()).toEqual([]);

    // As in a shell with only the unsuffixed variables: a production site aimed at the test node is refused too.
    const plain = toolEnv({ ...Object.fromEntries(Object.entries(fleetEnv()).filter(([k]) => !k.startsWith('PEXIP_NORTH_'))), PEXIP_ADDRESS: sim('test').url, PEXIP_USERNAME: 'admin', PEXIP_PASSWORD: 'pw-test-4kQ' });
    const production = await cdktf(['deploy', 'north', '--auto-approve'], plain);
    expect(production.code).not.toBe(0);
    expect(production.output.replace(/\s+/g, ' ')).toContain(`stack "north" lives on Management Node ${north}`);
    expect(sim('test').writes()).toEqual([]);
    expect(JSON.stringify(sim('test').exportState({ includeSecrets: true }))).not.toContain(secretValues.get('north'));
  });
});
