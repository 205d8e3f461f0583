import { defaultToolkit } from '../../src/cli/commands/init';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { dependencyFor } from '../../src/cli/commands/init';
import { liveTs } from '../../src/init/scaffold';
import type { PexipSimulator } from '../../src/simulator/server';
import { runCli } from '../helpers/cli';
import { simulatorEnv, startSimulator } from '../helpers/simulator';
import { tempDir } from '../helpers/terraform';

/** `pexip-cdktf init` without installing anything (test/e2e/package.test.ts installs and deploys what it writes). */
const ROOT = resolve(__dirname, '..', '..');
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

describe('pexip-cdktf init', () => {
  it('writes every file non-interactively, with each value from its flag and the package from --package', async () => {
    const dir = join(tempDir('pexip-init-'), 'My Telehealth');
    const result = await runCli(['init', dir, '--json', '--prod-profile-name', "St. Mary's", '--prod-rule-priority', '7', '--nonprod-epic-client-id-unused', 'x']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('unknown option --nonprod-epic-client-id-unused');

    const args = ['init', dir, '--json', '--toolkit', 'cdktn', '--prod-profile-name', "St. Mary's", '--prod-rule-priority', '7', '--nonprod-patient-client-id', 'np-pat', '--prod-epic-oauth2-base-url', 'https://epic.example.org/oauth2'];
    const written = await runCli(args);
    expect(written.code).toBe(0);
    expect(JSON.parse(written.stdout)).toEqual({
      dir,
      files: ['package.json', 'cdktf.json', 'tsconfig.json', 'main.ts', 'environments.ts', 'integration.ts', '.gitignore', 'ci/pipeline.sh', '.github/workflows/pexip-telehealth.yml', '.gitlab-ci.yml', 'README.md'],
      dependency: { name: 'pexip-telehealth-cdktf', spec: `^${version}` },
    });
    const pkg = JSON.parse(read(dir, 'package.json'));
    expect(pkg.name).toBe('my-telehealth');
    // New apps get CDK Terrain, the maintained toolkit.
    expect(pkg.dependencies).toEqual({ cdktn: '^0.24.0', constructs: '>=10.6.0 <10.8.0', 'pexip-telehealth-cdktf': `^${version}` });
    expect(pkg.devDependencies).toEqual({ '@types/node': '^22', 'cdktn-cli': '^0.24.0', typescript: '^5' });
    expect(pkg.engines).toEqual({ node: '^22.19.0 || ^24.0.0' });
    expect(pkg.scripts.synth).toBe('cdktn synth');
    expect(read(dir, 'main.ts')).toContain("import { App, LocalBackend, PgBackend } from 'cdktn';");
    expect(JSON.parse(read(dir, 'tsconfig.json')).compilerOptions.paths).toEqual({ cdktf: ['./node_modules/cdktn'], 'cdktf/*': ['./node_modules/cdktn/*'] });
    expect(read(dir, 'README.md')).toMatch(/a CDK Terrain \(cdktn\) app .*\n[^]*`npx cdktn deploy nonprod`/);
    expect(read(dir, 'README.md')).toContain('\nnpx cdktn deploy nonprod --auto-approve\n');
    expect(read(dir, 'README.md')).not.toMatch(/npx cdktf /);
    expect(JSON.parse(read(dir, 'cdktf.json')).app).toBe(`node -e "require('pexip-telehealth-cdktf/app').run()" -- main.ts`);
    const environments = read(dir, 'environments.ts');
    expect(environments).toContain("profileName: 'St. Mary\\'s',");
    expect(environments).toContain('rulePriority: 7,');
    expect(environments).toContain("patientClientId: 'np-pat',");
    expect(environments).toContain("epicOauth2BaseUrl: 'https://epic.example.org/oauth2',");
    expect(read(dir, '.gitignore').split('\n')).toEqual(expect.arrayContaining(['cdktf.out/', '*.tfstate', '*.tfstate.*', 'node_modules/', 'dist/']));
  });

  it('--toolkit cdktf writes a CDK for Terraform app: its library, CLI, Node lines and commands', async () => {
    const dir = join(tempDir('pexip-init-'), 'app');
    expect((await runCli(['init', dir, '--toolkit', 'cdktf'])).code).toBe(0);
    const pkg = JSON.parse(read(dir, 'package.json'));
    expect(pkg.dependencies).toEqual({ cdktf: '^0.21.0', constructs: '>=10.6.0 <10.8.0', 'pexip-telehealth-cdktf': `^${version}` });
    expect(pkg.devDependencies).toEqual({ '@types/node': '^20', 'cdktf-cli': '^0.21.0', typescript: '^5' });
    expect(pkg.engines).toEqual({ node: '^20.9.0 || ^22.0.0 || ^24.0.0' });
    expect(read(dir, 'main.ts')).toContain("import { App, LocalBackend, PgBackend } from 'cdktf';");
    expect(JSON.parse(read(dir, 'tsconfig.json')).compilerOptions.paths).toBeUndefined();
    expect(read(dir, 'ci/pipeline.sh')).toContain('npx cdktf synth --output "$out"');
    expect(read(dir, '.gitlab-ci.yml')).toContain('Node 20, 22 or 24');
    expect(read(dir, 'README.md')).toContain('docs/migrating-to-cdktn.md');
    const bad = await runCli(['init', join(dir, '..', 'other'), '--toolkit', 'pulumi']);
    expect([bad.code, bad.stderr]).toEqual([1, 'error: --toolkit must be cdktn or cdktf (got "pulumi").\n']);
  });

  it('gives each environment of each app its own profile uuid, written into environments.ts (never a shared default)', async () => {
    const uuids = async (extra: string[] = []) => {
      const dir = join(tempDir('pexip-init-'), 'app');
      expect((await runCli(['init', dir, '--json', ...extra])).code).toBe(0);
      const found = [...read(dir, 'environments.ts').matchAll(/profileUuid: '([0-9a-f-]{36})',/g)].map((m) => m[1]);
      expect(read(dir, 'integration.ts')).toContain('    profileUuid: env.profileUuid,');
      return found;
    };
    const [a, b] = await Promise.all([uuids(), uuids(['--nonprod-profile-uuid', '0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5'])]);
    expect(a).toHaveLength(2);
    expect(new Set([...a, ...b]).size).toBe(4);
    expect(b[1]).toBe('0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5');
    const refused = await runCli(['init', join(tempDir('pexip-init-'), 'app'), '--prod-profile-uuid', 'not-a-uuid']);
    expect(refused.stderr).toBe('error: --prod-profile-uuid: Enter a valid UUID (8-4-4-4-12 hexadecimal digits).\n');
  });

  it('picks cdktn by default where its CLI runs (Node 22.19 or later), cdktf on an older Node', async () => {
    expect([defaultToolkit('20.20.2'), defaultToolkit('22.18.0'), defaultToolkit('22.19.0'), defaultToolkit('24.1.0')]).toEqual(['cdktf', 'cdktf', 'cdktn', 'cdktn']);
    const dir = join(tempDir('pexip-init-'), 'app');
    expect((await runCli(['init', dir])).code).toBe(0);
    const manifest = JSON.parse(read(dir, 'package.json')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    const deps = { ...manifest.dependencies, ...manifest.devDependencies };
    expect(Object.keys(deps)).toContain(defaultToolkit(process.versions.node));
  });

  it('adapts the GitOps pipeline to the app layout', async () => {
    const dir = join(tempDir('pexip-init-'), 'app');
    expect((await runCli(['init', dir, '--toolkit', 'cdktn'])).code).toBe(0);
    const pipeline = read(dir, 'ci/pipeline.sh');
    expect(pipeline).toContain('npx cdktn synth --output "$out"');
    expect(pipeline).toContain('#   pipeline.sh synth                  cdktn synth (all stacks)');
    expect(read(dir, '.github/workflows/pexip-telehealth.yml')).toContain('Node 22.19 or later');
    expect(pipeline).toContain('cd "$(dirname "$0")/.."\n');
    expect(pipeline).toContain('npx pexip-cdktf "$step" "$dir/pexip-desired.json"');
    expect(pipeline).not.toMatch(/examples\/gitops|bin\/pexip-cdktf\.js/);
    expect(statSync(join(dir, 'ci', 'pipeline.sh')).mode & 0o111).toBe(0o111);
    for (const file of ['.github/workflows/pexip-telehealth.yml', '.gitlab-ci.yml']) {
      const text = read(dir, file);
      expect(() => parse(text)).not.toThrow();
      expect(text).not.toContain('examples/gitops');
      expect(text).toContain('ci/pipeline.sh synth');
    }
  });

  it('refuses a non-empty directory unless --force, and then leaves other files alone', async () => {
    const dir = tempDir('pexip-init-');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const refused = await runCli(['init', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`error: ${dir} is not empty; choose an empty directory or give --force.\n`);
    expect((await runCli(['init', dir, '--force'])).code).toBe(0);
    expect(read(dir, 'notes.txt')).toBe('mine');
    expect(read(dir, 'main.ts')).toContain('app.synth();');
  });

  it('names the flag whose value makes no valid integration, and writes nothing', async () => {
    const dir = join(tempDir('pexip-init-'), 'app');
    const cases: [string[], string][] = [
      [['--prod-web-app-base-url', 'http://meet.example.org/'], 'error: --prod-web-app-base-url: Enter a valid HTTPS URL (https://host/...).\n'],
      [['--nonprod-call-domain', 'bad_domain!'], 'error: --nonprod-call-domain: Enter a valid host name or IP address.\n'],
      [['--nonprod-rule-priority', '201'], 'error: --nonprod-rule-priority must be a whole number from 1 to 200 (got 201).\n'],
      [['--live-stack', 'prod'], 'error: --live-stack needs --from-live.\n'],
    ];
    for (const [flags, message] of cases) {
      const result = await runCli(['init', dir, ...flags]);
      expect([result.code, result.stderr]).toEqual([1, message]);
    }
    expect(() => statSync(dir)).toThrow();
  });

  describe('--from-live', () => {
    let sim: PexipSimulator;
    beforeAll(async () => {
      sim = await startSimulator();
    });
    afterAll(() => sim.stop());

    it('needs PEXIP_ADDRESS, and refuses a node with no telehealth configuration', async () => {
      const dir = join(tempDir('pexip-init-'), 'app');
      expect((await runCli(['init', dir, '--from-live'])).stderr).toMatch(/^error: --from-live reads the node named by PEXIP_ADDRESS .*it is not set\.\n$/);
      const empty = await runCli(['init', dir, '--from-live'], simulatorEnv(sim));
      expect(empty.stderr).toBe(`error: --from-live: ${sim.url} holds no telehealth configuration to export (no profile, telehealth rule or licence that another stack does not own).\n`);
    });
  });
});

describe('the live stack file', () => {
  const exported = [
    '// Exported by pexip-cdktf export from live Pexip configuration.',
    "import { App } from 'cdktf';",
    "import { CallRoutingRule, EpicTelehealthProfile, Secret } from 'pexip-telehealth-cdktf';",
    '',
    'const app = new App({ skipValidation: true });',
    "const stack = new PexipStack(app, 'prod', { environment: 'production' });",
    '',
    "const p = new EpicTelehealthProfile(stack, 'p', {",
    '  adopt: true,',
    '});',
    '',
    'app.synth();',
    '',
  ].join('\n');

  it('turns the exported program into a function declaring the constructs in a given stack', () => {
    const code = liveTs({ stack: 'prod', exportedCode: exported, source: 'https://manager.example.org' }, 'pexip-telehealth-cdktf');
    expect(code).toContain("import { CallRoutingRule, EpicTelehealthProfile, PexipStack, Secret } from 'pexip-telehealth-cdktf';");
    expect(code).toContain("export function liveIntegration(stack: PexipStack): void {\n  const p = new EpicTelehealthProfile(stack, 'p', {\n    adopt: true,\n  });\n}\n");
    expect(code).not.toMatch(/new App|app\.synth|from 'cdktf'/);
  });

  it('refuses export code of another shape rather than guess', () => {
    expect(() => liveTs({ stack: 'prod', exportedCode: exported.replace('app.synth();', ''), source: 'x' }, 'pexip-telehealth-cdktf')).toThrow(/unexpected shape/);
  });
});

describe('dependencyFor (the --package spec)', () => {
  it.each([
    ['pexip-telehealth-cdktf@^0.2.0', { name: 'pexip-telehealth-cdktf', spec: '^0.2.0' }],
    ['@hospital/pexip-telehealth-cdktf@1.x', { name: '@hospital/pexip-telehealth-cdktf', spec: '1.x' }],
    ['@hospital/pexip-telehealth-cdktf', { name: '@hospital/pexip-telehealth-cdktf', spec: 'latest' }],
    // Local paths: typed relative to where init runs (/work), written relative to the app (/work/apps/telehealth).
    ['./dist/pexip-telehealth-cdktf-0.1.0.tgz', { name: 'pexip-telehealth-cdktf', spec: 'file:../../dist/pexip-telehealth-cdktf-0.1.0.tgz' }],
    ['pexip-telehealth-cdktf-0.1.0.tgz', { name: 'pexip-telehealth-cdktf', spec: 'file:../../pexip-telehealth-cdktf-0.1.0.tgz' }],
    ['/srv/pkgs/p.tgz', { name: 'pexip-telehealth-cdktf', spec: 'file:../../../srv/pkgs/p.tgz' }],
    ['file:../p.tgz', { name: 'pexip-telehealth-cdktf', spec: 'file:../../../p.tgz' }],
    ['./apps/telehealth/vendor/p.tgz', { name: 'pexip-telehealth-cdktf', spec: 'file:vendor/p.tgz' }],
    ['https://npm.example.org/p-0.1.0.tgz', { name: 'pexip-telehealth-cdktf', spec: 'https://npm.example.org/p-0.1.0.tgz' }],
    ['github:hospital/pexip-telehealth-cdktf#v0.1.0', { name: 'pexip-telehealth-cdktf', spec: 'github:hospital/pexip-telehealth-cdktf#v0.1.0' }],
  ])('%s', (spec, expected) => {
    expect(dependencyFor(spec, 'pexip-telehealth-cdktf', '/work', '/work/apps/telehealth')).toEqual(expected);
  });
});

