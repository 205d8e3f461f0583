import type { PexipSimulator } from '../../src/simulator/server';
import { VARIANTS } from '../../src/simulator/variants';
import { createProject } from '../helpers/project';
import { raw, startSimulator } from '../helpers/simulator';
import { nonprodSecrets } from '../helpers/desired';

/**
 * A real `cdktf deploy` against simulator variants that behave like other real nodes: on one that spells the
 * encryption algorithm differently the deploy succeeds with the node's value; on an older one that lacks fields it
 * succeeds while the stack sends them at their default, and stops before any write, saying which, otherwise.
 */
const SECRETS = nonprodSecrets('e2e-client-secret-Fc91');
let sim: PexipSimulator;
afterEach(() => sim?.stop());

describe('cdktf deploy on first contact with other nodes', () => {
  it('succeeds on a node with other algorithm spellings, using the node\'s value', async () => {
    sim = await startSimulator({ variant: VARIANTS['algorithm-choices'] });
    const deploy = await createProject(sim, SECRETS).cdktf(['deploy', 'nonprod', '--auto-approve']);
    expect(deploy.code).toBe(0);
    const [profile] = ((await raw(sim, 'GET', '/api/admin/configuration/v1/telehealth_profile/')).json as { objects: Record<string, unknown>[] }).objects;
    expect(profile.epic_encryption_algorithm).toBe('AES256');
  }, 180_000);

  it('on an older node: refuses, activating nothing, a value for a field it lacks; deploys, leaving such fields out, when they keep their default', async () => {
    sim = await startSimulator({ variant: VARIANTS['older-version'] });
    const project = createProject(sim, SECRETS);
    project.configure({ dialOutRule: { denoiseAudio: false } });
    sim.clearRequests();
    const refused = await project.cdktf(['deploy', 'nonprod', '--auto-approve']);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('nothing was changed: the Management Node does not accept what this stack would send');
    expect(refused.output).toContain('call routing rule, field denoise_audio: the node has no field denoise_audio (an older Pexip version?); this stack would send false: leave it unset (default true) to deploy to this node.');
    // The licence carrier runs reconcile's checks before activating: nothing at all was written, the licence neither.
    expect(sim.writes()).toEqual([]);

    project.configure({ dialOutRule: {} });
    const deploy = await project.cdktf(['deploy', 'nonprod', '--auto-approve']);
    expect(deploy.code).toBe(0);
    expect(deploy.output).toContain('licence …0003: activated');
    expect(deploy.output).toContain('note: call routing rule, field match_incoming_teams: the node has no field match_incoming_teams (an older Pexip version?); left out, since this stack sends only its default (false).');
    // The synth drift check and the plan agree with the node: nothing to change, nothing written.
    sim.clearRequests();
    const again = await project.cdktf(['deploy', 'nonprod', '--auto-approve']);
    expect(again.code).toBe(0);
    expect(again.output).toContain('No changes');
    expect(sim.writes()).toEqual([]);
  }, 240_000);
});
