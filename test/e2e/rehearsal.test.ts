import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapshotNode } from '../../src/simulator/node-model';
import type { PexipSimulator } from '../../src/simulator/server';
import { VARIANTS } from '../../src/simulator/variants';
import { parseSnapshot } from '../../src/snapshot/format';
import { runCli } from '../helpers/cli';
import { nonprodSecrets } from '../helpers/desired';
import { createProject } from '../helpers/project';
import { simulatorEnv, startSimulator } from '../helpers/simulator';
import { tempDir } from '../helpers/terraform';

/**
 * docs/rehearsing.md with the real cdktf and terraform: snapshot an (older) node, deploy to its twin, where the
 * refusal the node would give shows first and nothing is written; then the deploy and the destroy on the twin; then
 * the same deploy on the node itself makes the same writes.
 */
const SECRETS = nonprodSecrets('e2e-rehearsal-secret-Lq40');
const sims: PexipSimulator[] = [];
afterEach(async () => Promise.all(sims.splice(0).map((s) => s.stop())));

const writes = (sim: PexipSimulator) => sim.writes().map((w) => `${w.method} ${w.path} ${w.status}`).sort();

describe('rehearsing a change on a twin', () => {
  it('snapshot → twin: the refusal, deploy and destroy there; the same deploy on the node makes the same writes', async () => {
    const node = await startSimulator({ variant: VARIANTS['older-version'] });
    sims.push(node);
    const file = join(tempDir('pexip-rehearsal-'), 'node.json');
    expect((await runCli(['snapshot', '--out', file], simulatorEnv(node))).code).toBe(0);
    const twin = await startSimulator({ node: snapshotNode(parseSnapshot(JSON.parse(readFileSync(file, 'utf8')), file)) });
    sims.push(twin);

    const rehearsal = createProject(twin, SECRETS, { dialOutRule: { denoiseAudio: false } });
    const refused = await rehearsal.cdktf(['deploy', 'nonprod', '--auto-approve']);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('call routing rule, field denoise_audio: the node has no field denoise_audio (an older Pexip version?); this stack would send false: leave it unset (default true) to deploy to this node.');
    expect(twin.writes()).toEqual([]);

    rehearsal.configure({ dialOutRule: {} });
    twin.clearRequests();
    const deployed = await rehearsal.cdktf(['deploy', 'nonprod', '--auto-approve']);
    expect(deployed.code).toBe(0);
    const rehearsedWrites = writes(twin);
    expect(rehearsedWrites.length).toBeGreaterThan(5);
    const destroyed = await rehearsal.cdktf(['destroy', 'nonprod', '--auto-approve']);
    expect(destroyed.code).toBe(0);
    expect(destroyed.output).toContain('Removed');

    node.clearRequests();
    const real = await createProject(node, SECRETS).cdktf(['deploy', 'nonprod', '--auto-approve']);
    expect(real.code).toBe(0);
    expect(writes(node)).toEqual(rehearsedWrites);
    const applied = (output: string) => output.match(/Applied: [^\n]*/)?.[0];
    expect(applied(deployed.output)).toMatch(/^Applied: \d+ created, 0 updated/);
    expect(applied(real.output)).toBe(applied(deployed.output));
  }, 300_000);
});
