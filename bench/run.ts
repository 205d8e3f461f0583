import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateEpicKey } from '../src/epic/encryption-key';
import { PexipSimulator } from '../src/simulator/server';
import { mixFor } from './mix';
import { type Phase, renderChart, renderTables, type RunResult, targets } from './report';

/**
 * `npm run bench`: first deploy, no-change redeploy, one-field change, drift check and destroy at N = 10, 50, 200
 * against the simulator over HTTP, each beside its floor measured in the same run. Prints a table with ratios and
 * PASS/FAIL per target; writes bench/results/latest.json and bench/results/chart.svg. `--n 10,50` picks sizes.
 */
const ROOT = resolve(__dirname, '..', '..');
const CDKTF = join(ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');
const BIN = join(ROOT, 'bin', 'pexip-cdktf.js');
const RESULTS = join(ROOT, 'bench', 'results');
const USER = 'admin';
const PASSWORD = 'bench-password';

interface Timed {
  seconds: number;
  output: string;
}

function timed(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Timed> {
  const start = process.hrtime.bigint();
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (code !== 0) fail(new Error(`${[command, ...args].join(' ')} exited ${code}:\n${output.slice(-2000)}`));
      else done({ seconds, output });
    });
  });
}

async function phase(sim: PexipSimulator, work: () => Promise<Timed>): Promise<Phase> {
  sim.clearRequests();
  const { seconds } = await work();
  return { seconds, requests: sim.requests.length, writes: sim.writes().length };
}

function project(dir: string, mode: 'ours' | 'floor'): string {
  const path = join(dir, mode);
  mkdirSync(path, { recursive: true });
  // The provisioners find the CLI in node_modules above the stack directory, as in an app's own installation.
  mkdirSync(join(path, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, join(path, 'node_modules', 'pexip-telehealth-cdktf'), 'dir');
  writeFileSync(join(path, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: `node ${join(ROOT, 'dist', 'bench', 'app.js')}`, output: 'cdktf.out', sendCrashReports: 'false' }));
  return path;
}

async function cliStartMs(env: NodeJS.ProcessEnv): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) samples.push((await timed(process.execPath, [BIN, '--version'], ROOT, env)).seconds * 1000);
  return samples.sort((a, b) => a - b)[2];
}

async function measure(n: number, scratch: string, baseEnv: NodeJS.ProcessEnv): Promise<RunResult> {
  const dir = join(scratch, `n${n}`);
  const sim = await PexipSimulator.start({ users: { [USER]: PASSWORD } });
  const env: NodeJS.ProcessEnv = { ...baseEnv, PEXIP_ADDRESS: sim.url, PEXIP_USERNAME: USER, PEXIP_PASSWORD: PASSWORD, BENCH_N: String(n) };
  const cdktf = (cwd: string, e: NodeJS.ProcessEnv, ...args: string[]) => timed(process.execPath, [CDKTF, ...args], cwd, e);
  const stackDir = (p: string) => join(p, 'cdktf.out', 'stacks', 'bench');
  try {
    const floor = project(dir, 'floor');
    const floorEnv = { ...env, BENCH_MODE: 'floor', BENCH_STATE_DIR: floor };
    const ours = project(dir, 'ours');
    const oursEnv = { ...env, BENCH_MODE: 'ours', BENCH_STATE_DIR: ours };
    // First deploys: three fresh cycles, floor and ours interleaved so both medians see the same machine conditions.
    // Floor = Terraform alone (cdktf deploy of provisioner-less carriers) + the API work alone (direct client script).
    const floorDeploys: Phase[] = [];
    const directRuns: Phase[] = [];
    const oursDeploys: Phase[] = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      process.stdout.write(`${cycle === 0 ? `N=${n}: ` : ''}first deploys ${cycle + 1}/3… `);
      sim.reset();
      floorDeploys.push(await phase(sim, () => cdktf(floor, floorEnv, 'deploy', 'bench', '--auto-approve')));
      directRuns.push(await phase(sim, () => timed(process.execPath, [join(ROOT, 'dist', 'bench', 'direct-client.js')], ROOT, env)));
      sim.reset();
      oursDeploys.push(await phase(sim, () => cdktf(ours, oursEnv, 'deploy', 'bench', '--auto-approve')));
      if (cycle < 2) {
        await cdktf(ours, oursEnv, 'destroy', 'bench', '--auto-approve');
        await cdktf(floor, floorEnv, 'destroy', 'bench', '--auto-approve');
      }
    }
    const cdktfDeploy = median(floorDeploys);
    const directClient = median(directRuns);
    const firstDeploy = median(oursDeploys);
    const floorNoChange = await phase(sim, () => cdktf(floor, floorEnv, 'deploy', 'bench', '--auto-approve'));
    // Plain Terraform on the same configuration, in a fresh directory with fresh state: what cdktf itself adds.
    const plain = join(dir, 'plain');
    mkdirSync(plain, { recursive: true });
    const config = JSON.parse(readFileSync(join(stackDir(floor), 'cdk.tf.json'), 'utf8'));
    config.terraform.backend = { local: { path: join(plain, 'terraform.tfstate') } };
    writeFileSync(join(plain, 'main.tf.json'), JSON.stringify(config));
    const terraformApply = await phase(sim, async () => {
      const init = await timed('terraform', ['init', '-input=false', '-no-color'], plain, floorEnv);
      const apply = await timed('terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], plain, floorEnv);
      return { seconds: init.seconds + apply.seconds, output: '' };
    });
    process.stdout.write('no-change… ');
    const noChangeDeploy = await phase(sim, () => cdktf(ours, oursEnv, 'deploy', 'bench', '--auto-approve'));
    // No-op runs alternate ours / floor, so both medians see the same machine conditions.
    const oursApply: Phase[] = [];
    const floorPlan: Phase[] = [];
    for (let i = 0; i < 3; i++) {
      oursApply.push(await phase(sim, () => timed('terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], stackDir(ours), oursEnv)));
      floorPlan.push(await phase(sim, () => timed('terraform', ['plan', '-input=false', '-no-color'], stackDir(floor), floorEnv)));
    }
    process.stdout.write('one-field change… ');
    const oneFieldChange = await phase(sim, () => cdktf(ours, { ...oursEnv, BENCH_CHANGE: '1' }, 'deploy', 'bench', '--auto-approve'));
    const drift = await phase(sim, () => timed(process.execPath, [BIN, 'drift', join(stackDir(ours), 'pexip-desired.json')], ours, oursEnv));
    process.stdout.write('destroy… ');
    const destroy = await phase(sim, () => cdktf(ours, { ...oursEnv, BENCH_CHANGE: '1' }, 'destroy', 'bench', '--auto-approve'));
    process.stdout.write('done\n');
    const mix = mixFor(n);
    return {
      n,
      perKind: { telehealth_profile: mix.profiles, gateway_routing_rule: mix.profiles, ivr_theme: mix.themes + 4, webapp_branding: mix.brandings + 1, policy_server: mix.policies },
      ours: { firstDeploy, noChangeDeploy, noChangeApply: median(oursApply), oneFieldChange, drift, destroy },
      floor: { cdktfDeploy, directClient, terraformApply, noChangeDeploy: floorNoChange, terraformPlan: median(floorPlan) },
      cliStartMs: await cliStartMs(env),
    };
  } finally {
    await sim.stop();
  }
}

/** The median run by time, with the most requests any run made (a no-op must make none in every run). */
function median(runs: readonly Phase[]): Phase {
  const middle = [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)];
  return { ...middle, requests: Math.max(...runs.map((r) => r.requests)), writes: Math.max(...runs.map((r) => r.writes)) };
}

async function main(): Promise<number> {
  const flag = process.argv.indexOf('--n');
  const sizes = flag > 0 ? process.argv[flag + 1].split(',').map(Number) : [10, 50, 200];
  const scratch = mkdtempSync(join(tmpdir(), 'pexip-cdktf-bench-'));
  const tfrc = join(scratch, 'empty.tfrc');
  writeFileSync(tfrc, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CHECKPOINT_DISABLE: '1',
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
    TF_CLI_CONFIG_FILE: tfrc,
    TF_IN_AUTOMATION: '1',
    CI: '1',
    EPIC_NONPROD_PATIENT_CLIENT_SECRET: 'bench-client-secret',
    EPIC_NONPROD_PROVIDER_CLIENT_SECRET: 'bench-client-secret',
    EPIC_NONPROD_ENCRYPTION_KEY: generateEpicKey(32),
  };
  const results: RunResult[] = [];
  try {
    // Untimed warm-up: the first cdktf and terraform runs of a session pay for cold file caches.
    process.stdout.write('warm-up… ');
    await measure(5, join(scratch, 'warm-up'), env);
    for (const n of sizes) results.push(await measure(n, scratch, env));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const text = renderTables(results);
  process.stdout.write(`\n${text}`);
  mkdirSync(RESULTS, { recursive: true });
  const record = { date: new Date().toISOString(), machine: { cpus: cpus().length, node: process.version }, results, targets: targets(results) };
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(record, null, 2)}\n`);
  writeFileSync(join(RESULTS, 'latest.txt'), text);
  writeFileSync(join(RESULTS, 'chart.svg'), renderChart(results));
  process.stdout.write(`\nwrote bench/results/latest.json, latest.txt and chart.svg\n`);
  return targets(results).every((t) => t.pass) ? 0 : 2;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
