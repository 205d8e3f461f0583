import { BIN } from '../helpers/cli';
import { nonprodSecrets } from '../helpers/desired';
import { createProject, type Project } from '../helpers/project';
import { raw, simulatorEnv, startSimulator } from '../helpers/simulator';
import { run, toolEnv } from '../helpers/terraform';
import type { PexipSimulator } from '../../src/simulator/server';

/**
 * The last line of `cdktf deploy` and `cdktf destroy` is the truth: when the stack's ledger in Pexip is damaged or
 * gone, the real cdktf run stops with a non-zero exit, writes nothing, and says how to recover (these runs used to
 * exit 0: a warning at deploy, "Removed 4 objects" at destroy with the theme left behind).
 */
const CONFIG = '/api/admin/configuration/v1';
const SECRETS = nonprodSecrets('verdict-client-secret-P3n');
let sim: PexipSimulator;
let project: Project;

const list = async (resource: string) => ((await raw(sim, 'GET', `${CONFIG}/${resource}/?limit=0`)).json as { objects: Record<string, any>[] }).objects;
const ledger = async () => (await list('policy_server')).find((p) => p.name === 'pexip-cdktf: nonprod');
const flat = (text: string) => text.replace(/\s+/g, ' ');

beforeAll(async () => {
  sim = await startSimulator();
  project = createProject(sim, SECRETS);
});
afterAll(() => sim.stop());

describe('the verdict when the records cannot be trusted', () => {
  it('a damaged ledger: cdktf deploy exits 1 with nothing written and the recovery, not a warning', async () => {
    expect((await project.cdktf(['deploy', 'nonprod', '--auto-approve'])).code).toBe(0);
    const record = (await ledger())!;
    await raw(sim, 'PATCH', record.resource_uri, { json: { internal_service_policy_template: '{not json' } });
    sim.clearRequests();
    const deploy = await project.cdktf(['deploy', 'nonprod', '--auto-approve']);
    expect(deploy.code).not.toBe(0);
    expect(flat(deploy.output)).toContain('pexip-cdktf: stack "nonprod": its records in Pexip cannot be trusted (the ledger of stack "nonprod" (policy profile "pexip-cdktf: nonprod") is damaged: its content is not JSON.');
    expect(flat(deploy.output)).toContain('restore it from a backup, or delete it and adopt the stack\'s objects again.');
    expect(sim.writes()).toEqual([]);
    // Restored, the stack is in sync again: the next deploy converges (recording its token) and the one after is clean.
    await raw(sim, 'PATCH', record.resource_uri, { json: { internal_service_policy_template: record.internal_service_policy_template } });
    expect((await project.cdktf(['deploy', 'nonprod', '--auto-approve'])).code).toBe(0);
    sim.clearRequests();
    const clean = await project.cdktf(['deploy', 'nonprod', '--auto-approve']);
    expect(clean.output).toContain('No changes.');
    expect(sim.writes()).toEqual([]);
  });

  it('a deleted ledger: cdktf destroy exits 1 with nothing removed; after pexip-cdktf adopt it removes everything, the theme included', async () => {
    await raw(sim, 'DELETE', (await ledger())!.resource_uri);
    sim.clearRequests();
    const destroy = await project.cdktf(['destroy', 'nonprod', '--auto-approve']);
    expect(destroy.code).not.toBe(0);
    expect(flat(destroy.output)).toContain('nothing was removed: the stack\'s ledger (policy profile "pexip-cdktf: nonprod") is missing, but');
    expect(flat(destroy.output)).toContain('run pexip-cdktf adopt nonprod to record the declared themes and web proxies in a new ledger, then destroy again.');
    expect(sim.writes()).toEqual([]);
    // The recovery the message names, from the app directory.
    const adopted = await run(process.execPath, [BIN, 'adopt', 'nonprod'], project.dir, toolEnv({ ...simulatorEnv(sim), ...SECRETS }));
    expect(adopted.stderr).toContain('recorded in the stack\'s ledger');
    const again = await project.cdktf(['destroy', 'nonprod', '--auto-approve']);
    expect(again.code).toBe(0);
    expect((await list('ivr_theme')).map((t) => t.name)).not.toContain('Telehealth waiting room (test)');
    expect(await ledger()).toBeUndefined();
    expect((await list('telehealth_profile')).length).toBe(0);
  });
});
