import { generateEpicKey } from '../../src/epic/encryption-key';
import type { PexipSimulator } from '../../src/simulator/server';
import { VARIANTS } from '../../src/simulator/variants';
import { createProject } from '../helpers/project';
import { raw, startSimulator } from '../helpers/simulator';

/**
 * A real `cdktf deploy` against simulator variants that behave like other real nodes: on one that spells the
 * encryption algorithm differently the deploy succeeds with the node's value; on one that lacks fields the stack
 * would send it stops before any write, saying which.
 */
const SECRETS = {
  EPIC_NONPROD_PATIENT_CLIENT_SECRET: 'e2e-client-secret-Fc91',
  EPIC_NONPROD_PROVIDER_CLIENT_SECRET: 'e2e-client-secret-Fc91',
  EPIC_NONPROD_ENCRYPTION_KEY: generateEpicKey(32),
};
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

  it('stops before any write on a node without fields the stack sends, naming them', async () => {
    sim = await startSimulator({ variant: VARIANTS['older-version'] });
    const project = createProject(sim, SECRETS);
    sim.clearRequests();
    const deploy = await project.cdktf(['deploy', 'nonprod', '--auto-approve']);
    expect(deploy.code).not.toBe(0);
    expect(deploy.output).toContain('nothing was changed: the Management Node does not accept what this stack would send');
    expect(deploy.output).toContain('call routing rule, field match_incoming_teams: the node has no field match_incoming_teams (an older Pexip version?); this stack would send false.');
    // The licence carrier runs before the reconciler; apart from activating the licence, nothing was written.
    expect(sim.writes().map((w) => `${w.method} ${w.resource}`)).toEqual(['POST licence']);
  }, 180_000);
});
