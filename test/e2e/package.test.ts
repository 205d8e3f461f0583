import { cpSync, existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, isAbsolute, join, sep } from 'node:path';
import { generateEpicKey } from '../../src/epic/encryption-key';
import { EPIC_ALGORITHM_WIRE } from '../../src/kinds';
import type { PexipSimulator } from '../../src/simulator/server';
import { profileBody, telehealthRuleBody } from '../helpers/fixtures';
import { ROOT } from '../helpers/project';
import { markedBy, nonprodSecrets } from '../helpers/desired';
import { npmEnv } from '../helpers/npm';
import { raw, simulatorEnv, startSimulator } from '../helpers/simulator';
import { run, type Run, tempDir, terraform, toolEnv } from '../helpers/terraform';

/**
 * The package as a team gets it: `npm pack`, then apps made by `pexip-cdktf init` in directories outside this
 * repository, depending on the tarball, with the real cdktf and terraform against the simulator. One real
 * `npm install`; the second app reuses its node_modules (same dependencies), so the suite stays lean.
 */
const CONFIG = '/api/admin/configuration/v1';
const STEP_TIMEOUT = 300_000;
const NONPROD_SECRETS = nonprodSecrets('pkg-client-secret-7Hq');

let sim: PexipSimulator;
let work: string;
let tarball: string;
/** The app `init` made and installed; after the artifact test, the copy at the second checkout path. */
let app: string;

const env = (extra: NodeJS.ProcessEnv = {}) => toolEnv({ ...npmEnv(), ...simulatorEnv(sim), ...extra });
const inDir = (dir: string, command: string, args: readonly string[], extra: NodeJS.ProcessEnv = {}): Promise<Run> => run(command, args, dir, env(extra), STEP_TIMEOUT);
const cdktf = (dir: string, args: readonly string[], extra: NodeJS.ProcessEnv = {}) => inDir(dir, process.execPath, [join(dir, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf'), ...args], extra);
const ok = (result: Run): Run => {
  if (result.code !== 0) throw new Error(`exit ${String(result.code)}:\n${result.output.slice(-4000)}`);
  return result;
};

async function list(resource: string): Promise<Record<string, any>[]> {
  return ((await raw(sim, 'GET', `${CONFIG}/${resource}/?limit=0`)).json as { objects: Record<string, any>[] }).objects;
}

/** Every string in a JSON document that is an absolute path, or names one of the directories the app lived in. */
function absolutePaths(file: string, dirs: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      if (isAbsolute(value) || dirs.some((d) => value.includes(d))) found.push(value);
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(JSON.parse(readFileSync(file, 'utf8')));
  return found;
}

/** A TCP port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  sim = await startSimulator();
  work = tempDir('pexip-package-');
  const packed = ok(await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], ROOT, env(), STEP_TIMEOUT));
  tarball = join(work, packed.stdout.trim().split('\n').pop()!);
}, STEP_TIMEOUT);
afterAll(() => sim?.stop());

describe('the packed package in a fresh app made by pexip-cdktf init', () => {
  it('init writes the app non-interactively, refuses a non-empty directory, and the app passes `npm install && npx cdktf synth` as is', async () => {
    app = join(work, 'checkout-a', 'telehealth');
    const init = ok(
      await inDir(work, process.execPath, [
        join(ROOT, 'bin', 'pexip-cdktf.js'), 'init', app, '--toolkit', 'cdktf', '--package', tarball, '--json',
        '--nonprod-profile-name', 'Clinic (test)', '--nonprod-call-domain', 'clinic-test.example.org', '--nonprod-rule-priority', '41',
        '--prod-profile-name', 'Clinic', '--prod-web-app-base-url', 'https://meet.clinic.example.org/',
      ]),
    );
    const written = JSON.parse(init.stdout) as { files: string[] };
    expect(written.files.sort()).toEqual(
      ['.github/workflows/pexip-telehealth.yml', '.gitignore', '.gitlab-ci.yml', 'README.md', 'cdktf.json', 'ci/pipeline.sh', 'environments.ts', 'integration.ts', 'main.ts', 'package.json', 'tsconfig.json'].sort(),
    );
    const again = await inDir(work, process.execPath, [join(ROOT, 'bin', 'pexip-cdktf.js'), 'init', app]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`error: ${app} is not empty; choose an empty directory or give --force.\n`);

    const installedApp = ok(await inDir(app, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']));
    // No install script of ours for npm to warn about (npm 11 lists unapproved ones; npm 12 will skip them).
    expect(installedApp.output).not.toMatch(/pexip-telehealth-cdktf@\S+ \(/);
    // One copy of cdktf, shared by the app and our constructs (a peer dependency); no cdktf-cli at run time.
    const installed = JSON.parse(readFileSync(join(app, 'node_modules', 'pexip-telehealth-cdktf', 'package.json'), 'utf8'));
    expect(installed.private).toBeUndefined();
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(installed.scripts?.[script]).toBeUndefined();
    expect(existsSync(join(app, 'node_modules', 'pexip-telehealth-cdktf', 'dist', 'src', 'index.js'))).toBe(true);
    expect(Object.keys(installed.peerDependencies).sort()).toEqual(['cdktf', 'cdktn', 'constructs']);
    // cdktn is an optional peer: a cdktf app does not get it (nor the other way round, test/e2e/cdktn.test.ts).
    expect(existsSync(join(app, 'node_modules', 'cdktn'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'pexip-telehealth-cdktf', 'docs', 'migrating-to-cdktn.md'))).toBe(true);
    expect(readFileSync(join(app, 'README.md'), 'utf8')).toContain('node_modules/pexip-telehealth-cdktf/docs/migrating-to-cdktn.md');
    expect(Object.keys(installed.dependencies)).not.toEqual(expect.arrayContaining(['cdktf-cli']));
    expect(existsSync(join(app, 'node_modules', 'pexip-telehealth-cdktf', 'node_modules', 'cdktf'))).toBe(false);

    const synth = ok(await inDir(app, 'npx', ['cdktf', 'synth']));
    expect(synth.output).toContain('Generated Terraform code for the stacks: nonprod, prod');
    const stackDir = join(app, 'cdktf.out', 'stacks', 'nonprod');
    const desired = JSON.parse(readFileSync(join(stackDir, 'pexip-desired.json'), 'utf8'));
    expect(desired.objects.find((o: { kind: string }) => o.kind === 'telehealth_profile').spec).toMatchObject({ name: 'Clinic (test)', telehealth_call_domain: 'clinic-test.example.org' });
    const prod = JSON.parse(readFileSync(join(app, 'cdktf.out', 'stacks', 'prod', 'pexip-desired.json'), 'utf8'));
    expect(prod.objects.find((o: { kind: string }) => o.kind === 'telehealth_profile').spec).toMatchObject({ name: 'Clinic', infinity_webapp_server_base_url: 'https://meet.clinic.example.org/' });
    for (const stack of ['nonprod', 'prod']) {
      for (const file of ['cdk.tf.json', 'pexip-desired.json']) expect(absolutePaths(join(app, 'cdktf.out', 'stacks', stack, file), [work, ROOT])).toEqual([]);
    }
    const tf = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8'));
    expect(tf.terraform.backend.local.path).toBe('../../../terraform.nonprod.tfstate');
    expect(tf.resource.terraform_data['pexip-reconciler'].provisioner[0]['local-exec'].command).toMatch(/^node -e "require\('pexip-telehealth-cdktf\/cli'\)\.run\(\)" -- reconcile pexip-desired\.json /);
  }, STEP_TIMEOUT);

  it('applies cdktf.out from another checkout path (a CI artifact), with the old checkout gone', async () => {
    const moved = join(work, 'checkout-b', 'telehealth');
    cpSync(app, moved, { recursive: true, verbatimSymlinks: true });
    // Anything that still pointed into the first checkout now fails.
    renameSync(join(work, 'checkout-a'), join(work, 'checkout-a-gone'));
    app = moved;
    const stackDir = join(app, 'cdktf.out', 'stacks', 'nonprod');
    ok(await terraform(stackDir, ['init', '-input=false', '-no-color']));
    const applied = ok(await terraform(stackDir, ['apply', '-auto-approve', '-input=false', '-no-color'], { ...simulatorEnv(sim), ...NONPROD_SECRETS }));
    expect(applied.output).toContain('Applied: 2 created');
    expect((await list('telehealth_profile')).map((p) => p.name)).toEqual(['Clinic (test)']);
    expect((await list('gateway_routing_rule')).find(markedBy('nonprod', 'epic.rule'))).toMatchObject({ priority: 41 });
    expect(existsSync(join(app, 'terraform.nonprod.tfstate'))).toBe(true);
    expect(readdirSync(join(work, 'checkout-a-gone', 'telehealth')).filter((f) => f.endsWith('.tfstate'))).toEqual([]);
  }, STEP_TIMEOUT);

  it('shows an edit of environments.ts in the next cdktf diff, without a build step', async () => {
    const file = join(app, 'environments.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace('rulePriority: 41,', 'rulePriority: 47,'));
    const diff = ok(await cdktf(app, ['diff', 'nonprod'], NONPROD_SECRETS));
    expect(diff.output).toMatch(/~ "?priority"?\s+= 41 -> 47/);
    expect(diff.output).toContain('pexip-cdktf-app: compiled main.ts');
    // Not shown as an error: cdktf prefixes an app's stderr with "[ERROR]".
    expect(diff.output).not.toMatch(/\[ERROR\][^\n]*pexip-cdktf-app: compiled/);
    // Nothing changed since: the next command starts the compiled app at once.
    const again = ok(await cdktf(app, ['diff', 'nonprod'], NONPROD_SECRETS));
    expect(again.output).toMatch(/~ "?priority"?\s+= 41 -> 47/);
    expect(again.output).not.toContain('pexip-cdktf-app: compiled');
  }, STEP_TIMEOUT);

  it('destroys from the moved checkout: everything the stack owns is removed', async () => {
    const destroyed = ok(await terraform(join(app, 'cdktf.out', 'stacks', 'nonprod'), ['destroy', '-auto-approve', '-input=false', '-no-color'], { ...simulatorEnv(sim), ...NONPROD_SECRETS }));
    expect(destroyed.output).toContain('Reminder: the integration must also be removed on the Epic side.');
    expect(await list('telehealth_profile')).toEqual([]);
    expect((await list('gateway_routing_rule')).filter((r) => String(r.tag).startsWith('pexip-cdktf:'))).toEqual([]);
  }, STEP_TIMEOUT);

  it('init --from-live declares a hand-made integration; the first deploy adopts it and pexip-cdktf plan is then clean', async () => {
    // Made by hand, over plain HTTP, as an administrator would have clicked it together.
    const key = generateEpicKey(32);
    const profile = (await raw(sim, 'POST', `${CONFIG}/telehealth_profile/`, { json: profileBody({ epic_encryption_key: key, epic_encryption_algorithm: EPIC_ALGORITHM_WIRE['AES-256-CBC'], service_name_template: 'Visit {{unique_encounter_id}}' }) })).headers.get('location')!;
    await raw(sim, 'POST', `${CONFIG}/gateway_routing_rule/`, { json: telehealthRuleBody(profile, { ivr_theme: `${CONFIG}/ivr_theme/2/`, priority: 15 }) });
    const before = { profiles: await list('telehealth_profile'), rules: await list('gateway_routing_rule') };

    const live = join(work, 'onboarded');
    const init = ok(await inDir(work, process.execPath, [join(ROOT, 'bin', 'pexip-cdktf.js'), 'init', live, '--toolkit', 'cdktf', '--from-live', '--package', tarball, '--json']));
    expect(JSON.parse(init.stdout).files).toContain('live-prod.ts');
    const code = readFileSync(join(live, 'live-prod.ts'), 'utf8');
    expect(code).toContain('export function liveIntegration(stack: PexipStack): void {');
    expect(code).toContain("encryptionKey: Secret.fromEnv('EPIC_PROD_ENCRYPTION_KEY'),");
    // Same dependencies as the first app: reuse its installation, then let npm check it.
    cpSync(join(app, 'node_modules'), join(live, 'node_modules'), { recursive: true, verbatimSymlinks: true });
    cpSync(join(app, 'package-lock.json'), join(live, 'package-lock.json'));
    ok(await inDir(live, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']));

    const secrets = { EPIC_PROD_PATIENT_CLIENT_SECRET: 'live-client-secret', EPIC_PROD_PROVIDER_CLIENT_SECRET: 'live-client-secret', EPIC_PROD_ENCRYPTION_KEY: key };
    const deployed = ok(await cdktf(live, ['deploy', 'prod', '--auto-approve'], secrets));
    expect(deployed.output).toContain('Applied: 0 created, 2 updated');
    const plan = await inDir(live, 'npx', ['pexip-cdktf', 'plan', 'cdktf.out/stacks/prod/pexip-desired.json'], secrets);
    expect(plan.code).toBe(0);
    // Adopted, not recreated: the same objects, now marked as owned by the stack.
    const profiles = await list('telehealth_profile');
    expect(profiles.map((p) => p.id)).toEqual(before.profiles.map((p) => p.id));
    expect(profiles[0].description).toMatch(/\[pexip-cdktf:prod\//);
    expect((await list('gateway_routing_rule')).map((r) => [r.id, r.description])).toEqual(before.rules.map((r) => [r.id, expect.stringMatching(/\[pexip-cdktf:prod\//)]));
  }, STEP_TIMEOUT);
  it('the first hour: init with a relative --package, npm install, the app moved elsewhere, then its README\'s simulator commands as written', async () => {
    const first = join(work, 'first-hour', 'telehealth');
    ok(await inDir(work, process.execPath, [join(ROOT, 'bin', 'pexip-cdktf.js'), 'init', first, '--toolkit', 'cdktf', '--package', `./${basename(tarball)}`, '--json']));
    const pkg = JSON.parse(readFileSync(join(first, 'package.json'), 'utf8'));
    expect(pkg.dependencies['pexip-telehealth-cdktf']).toBe(`file:../../${basename(tarball)}`);
    // Same dependencies as the first app: reuse its installation (when the suite made one), then let npm check it.
    if (app !== undefined) {
      cpSync(join(app, 'node_modules'), join(first, 'node_modules'), { recursive: true, verbatimSymlinks: true });
      cpSync(join(app, 'package-lock.json'), join(first, 'package-lock.json'));
    }
    ok(await inDir(first, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']));
    // Moved after the install (a clone elsewhere, a CI workspace): nothing in it may name where it was.
    renameSync(join(work, 'first-hour'), join(work, 'first-hour-moved'));
    const moved = join(work, 'first-hour-moved', 'telehealth');
    for (const file of ['package.json', 'package-lock.json']) expect(absolutePaths(join(moved, file), [join(work, 'first-hour') + sep])).toEqual([]);

    // The README's commands, as written, but for the port: another test run may hold the one it names.
    const readme = readFileSync(join(moved, 'README.md'), 'utf8');
    const block = /## Try it against the simulator first\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)![1];
    expect(block.trim().split('\n')).toHaveLength(3);
    const port = String(await freePort());
    // Job control as in an interactive shell: `kill %1` then stops the simulator's whole job (npx and its child).
    const script = [
      'set -em',
      "trap 'kill %1 2>/dev/null' EXIT",
      block.replace(/8081/g, port),
      'npx pexip-cdktf doctor nonprod',
      'npx pexip-cdktf plan nonprod',
    ].join('\n');
    const tried = await run('bash', ['-c', script], moved, toolEnv({ ...npmEnv() }), STEP_TIMEOUT);
    if (tried.code !== 0) throw new Error(`exit ${String(tried.code)}:\n${tried.output.slice(-4000)}`);
    expect(tried.output).toContain(`listening on http://127.0.0.1:${port}`);
    expect(tried.output).toContain('licence …0001: activated');
    expect(tried.output).toMatch(/OK {4}licences {8}\d+ of \d+ telehealth licences? free; the stack activates entitlement …0001/);
    expect(tried.output).toContain('Ready: stack "nonprod" can be deployed.');
    expect(tried.output).toMatch(/Plan: 0 to create, 0 to update, 0 to prune, \d+ unchanged\./);
    // Our own lines show the entitlement masked; Terraform's plan shows the licence carrier's input, which holds it.
    expect(tried.output.split('\n').filter((l) => l.includes('DEMO-TELEHEALTH-0001') && !/\+ entitlement\s+= "DEMO-TELEHEALTH-0001"$/.test(l))).toEqual([]);
  }, STEP_TIMEOUT);
});
