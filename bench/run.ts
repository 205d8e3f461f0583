import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PARALLELISM as DEFAULT_PARALLELISM } from '../src/api/settings';
import { generateEpicKey } from '../src/epic/encryption-key';
import { KINDS } from '../src/kinds';
import type { JsonObject } from '../src/kinds/types';
import { PexipSimulator } from '../src/simulator/server';
import { mixFor } from './mix';
import { type BenchResults, costModel, type GitopsResult, type GitopsSteps, type LoopbackResult, type Phase, renderChart, renderTables, targets, type WanModel, type WanResult } from './report';
import { TimingProxy } from './timing-proxy';

/**
 * `npm run bench`: three sections, each beside floors measured in the same run, then a table with ratios and
 * PASS/FAIL per target.
 *   loopback  first deploy, no-change redeploy, one-field change, drift and destroy through cdktf (N = 10, 50, 200)
 *   wan       the CLI runs the provisioners make, under the WAN model, at the default parallelism, serially and
 *             against the direct-client floor (N = 10, 50)
 *   gitops    cdktf synth + terraform init + plan -out + apply <plan>, against provisioner-less carriers (N = 200)
 * Options: --n 10,50 (sizes for every section run), --wan-only, --gitops-only, --loopback-only (combinable),
 * --runs 1 (runs per median, default 3). A full default run writes bench/results/latest.{json,txt} and chart.svg;
 * any other writes bench/results/partial.{json,txt}, so a quick run never replaces the published results.
 */
const ROOT = resolve(__dirname, '..', '..');
const CDKTF = join(ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');
const BIN = join(ROOT, 'bin', 'pexip-cdktf.js');
const APP = join(ROOT, 'dist', 'bench', 'app.js');
const DIRECT = join(ROOT, 'dist', 'bench', 'direct-client.js');
const RESULTS = join(ROOT, 'bench', 'results');
const USER = 'admin';
const PASSWORD = 'bench-password';
const STACK = 'bench';
const WAN: WanModel = { readMs: 50, writeMs: 200, jitterMs: 10 };
const PARALLELISM = DEFAULT_PARALLELISM.fallback;
const DEFAULT_SIZES = { loopback: [10, 50, 200], wan: [10, 50], gitops: [200] } as const;
type Section = keyof typeof DEFAULT_SIZES;

interface Options {
  readonly sections: readonly Section[];
  readonly sizes?: readonly number[];
  readonly runs: number;
}

function parseOptions(argv: readonly string[]): Options {
  const only = (['loopback', 'wan', 'gitops'] as const).filter((s) => argv.includes(`--${s}-only`));
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const sizes = value('--n')?.split(',').map(Number);
  if (sizes && sizes.some((n) => !Number.isInteger(n) || n < 5)) throw new Error('--n takes whole numbers of at least 5, e.g. --n 10,50');
  const runs = Number(value('--runs') ?? '3');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a whole number of at least 1');
  return { sections: only.length > 0 ? only : ['loopback', 'wan', 'gitops'], sizes, runs };
}

interface Timed {
  seconds: number;
  output: string;
}

/** Runs a command without blocking this process: the simulator and the proxy answer from its event loop. */
function timed(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, okCodes: readonly number[] = [0]): Promise<Timed> {
  const start = process.hrtime.bigint();
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (!okCodes.includes(code ?? -1)) fail(new Error(`${[command, ...args].join(' ')} (in ${cwd}) exited ${code}:\n${output.slice(-2000)}`));
      else done({ seconds, output });
    });
  });
}

/** A simulator behind a recording proxy: requests and writes counted by the simulator, time by the proxy. */
class Pexip {
  private constructor(
    readonly sim: PexipSimulator,
    readonly proxy: TimingProxy,
  ) {}

  static async start(latency?: WanModel): Promise<Pexip> {
    const sim = await PexipSimulator.start({ users: { [USER]: PASSWORD }, ...(latency ? { latency: { readMs: latency.readMs, writeMs: latency.writeMs, jitterMs: latency.jitterMs } } : {}) });
    return new Pexip(sim, await TimingProxy.start(sim.url));
  }

  async phase(work: () => Promise<Timed>): Promise<Phase> {
    this.sim.clearRequests();
    this.proxy.clear();
    const { seconds } = await work();
    return { seconds, apiSeconds: this.proxy.busySeconds(), requests: this.sim.requests.length, writes: this.sim.writes().length };
  }

  /** Objects of each kind the simulator holds now. */
  perKind(): Record<string, number> {
    const config = this.sim.exportState().config as JsonObject;
    return Object.fromEntries(KINDS.map((kind) => [kind.name, ((config[kind.collectionPath.split('/').filter(Boolean).pop()!] as unknown[] | undefined) ?? []).length]));
  }

  async stop(): Promise<void> {
    await this.proxy.stop();
    await this.sim.stop();
  }
}

/** An app directory for the benchmark app: `ours` or `floor` carriers, its own state file. */
function project(dir: string, name: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, 'node_modules'), { recursive: true });
  // The provisioners find the CLI in node_modules above the stack directory, as in an app's own installation.
  symlinkSync(ROOT, join(path, 'node_modules', 'pexip-telehealth-cdktf'), 'dir');
  writeFileSync(join(path, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: `node ${APP}`, output: 'cdktf.out', sendCrashReports: 'false' }));
  return path;
}

const stackDir = (projectDir: string) => join(projectDir, 'cdktf.out', 'stacks', STACK);
const cdktf = (cwd: string, env: NodeJS.ProcessEnv, ...args: string[]) => timed(process.execPath, [CDKTF, ...args], cwd, env);
const direct = (mode: string, env: NodeJS.ProcessEnv) => timed(process.execPath, [DIRECT, mode], ROOT, env);

/** The run in the middle by `key`, with the most requests and writes any run made (a no-op must make none in every run). */
function median(runs: readonly Phase[], key: 'seconds' | 'apiSeconds' = 'seconds'): Phase {
  const middle = [...runs].sort((a, b) => a[key] - b[key])[Math.floor(runs.length / 2)];
  return { ...middle, requests: Math.max(...runs.map((r) => r.requests)), writes: Math.max(...runs.map((r) => r.writes)) };
}

/** Kinds the benchmark's first deploy writes: those of its objects, and policy profiles for the ledger. */
function kindsWritten(n: number): number {
  const mix = mixFor(n);
  return new Set([...(mix.profiles > 0 ? ['telehealth_profile', 'gateway_routing_rule'] : []), ...(mix.themes > 0 ? ['ivr_theme'] : []), ...(mix.brandings > 0 ? ['webapp_branding'] : []), 'policy_server']).size;
}

async function cliStartMs(env: NodeJS.ProcessEnv): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) samples.push((await timed(process.execPath, [BIN, '--version'], ROOT, env)).seconds * 1000);
  return samples.sort((a, b) => a - b)[2];
}

function connection(target: Pexip, base: NodeJS.ProcessEnv, n: number): NodeJS.ProcessEnv {
  return { ...base, PEXIP_ADDRESS: target.proxy.url, PEXIP_USERNAME: USER, PEXIP_PASSWORD: PASSWORD, PEXIP_PARALLELISM: String(PARALLELISM), BENCH_N: String(n) };
}

async function loopback(n: number, scratch: string, baseEnv: NodeJS.ProcessEnv, runs: number): Promise<LoopbackResult> {
  const dir = join(scratch, `loopback-n${n}`);
  const target = await Pexip.start();
  const env = connection(target, baseEnv, n);
  const envFor = (mode: 'ours' | 'floor' | 'floor-inputs', path: string, extra: NodeJS.ProcessEnv = {}) => ({ ...env, BENCH_MODE: mode, BENCH_STATE_DIR: path, ...(mode === 'floor-inputs' ? { PEXIP_CDKTF_DRIFT_ON_SYNTH: '0' } : {}), ...extra });
  try {
    // First deploys: fresh projects and a fresh Pexip each run (so each is a real first deploy, terraform init
    // included), floor and ours interleaved so both medians see the same machine conditions.
    const floorDeploys: Phase[] = [];
    const sameInputsDeploys: Phase[] = [];
    const directRuns: Phase[] = [];
    const oursDeploys: Phase[] = [];
    let floor = '';
    let ours = '';
    for (let run = 0; run < runs; run++) {
      process.stdout.write(`${run === 0 ? `loopback N=${n}: ` : ''}first deploys ${run + 1}/${runs}… `);
      floor = project(dir, `floor-${run}`);
      ours = project(dir, `ours-${run}`);
      target.sim.reset();
      floorDeploys.push(await target.phase(() => cdktf(floor, envFor('floor', floor), 'deploy', STACK, '--auto-approve')));
      const sameInputs = project(dir, `floor-inputs-${run}`);
      sameInputsDeploys.push(await target.phase(() => cdktf(sameInputs, envFor('floor-inputs', sameInputs), 'deploy', STACK, '--auto-approve')));
      directRuns.push(await target.phase(() => direct('create', env)));
      target.sim.reset();
      oursDeploys.push(await target.phase(() => cdktf(ours, envFor('ours', ours), 'deploy', STACK, '--auto-approve')));
    }
    const perKind = target.perKind();
    const floorNoChange = await target.phase(() => cdktf(floor, envFor('floor', floor), 'deploy', STACK, '--auto-approve'));
    // Plain Terraform on the same configuration, in a fresh directory with fresh state: what cdktf itself adds.
    const plain = join(dir, 'plain');
    mkdirSync(plain, { recursive: true });
    const config = JSON.parse(readFileSync(join(stackDir(floor), 'cdk.tf.json'), 'utf8'));
    config.terraform.backend = { local: { path: join(plain, 'terraform.tfstate') } };
    writeFileSync(join(plain, 'main.tf.json'), JSON.stringify(config));
    const terraformApply = await target.phase(async () => {
      const init = await timed('terraform', ['init', '-input=false', '-no-color'], plain, env);
      const apply = await timed('terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], plain, env);
      return { seconds: init.seconds + apply.seconds, output: '' };
    });
    process.stdout.write('no-change… ');
    const noChangeDeploy = await target.phase(() => cdktf(ours, envFor('ours', ours), 'deploy', STACK, '--auto-approve'));
    // Sub-second runs: two more than the first deploys, for a steadier median.
    const oursApply: Phase[] = [];
    const floorPlan: Phase[] = [];
    const floorApply: Phase[] = [];
    const apply = (path: string, mode: 'ours' | 'floor') => () => timed('terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], stackDir(path), envFor(mode, path));
    for (let i = 0; i < runs + 2; i++) {
      oursApply.push(await target.phase(apply(ours, 'ours')));
      floorPlan.push(await target.phase(() => timed('terraform', ['plan', '-input=false', '-no-color'], stackDir(floor), envFor('floor', floor))));
      floorApply.push(await target.phase(apply(floor, 'floor')));
    }
    process.stdout.write('one-field change… ');
    const oneFieldChange = await target.phase(() => cdktf(ours, envFor('ours', ours, { BENCH_CHANGE: '1' }), 'deploy', STACK, '--auto-approve'));
    const drift = await target.phase(() => timed(process.execPath, [BIN, 'drift', join(stackDir(ours), 'pexip-desired.json')], ours, envFor('ours', ours)));
    process.stdout.write('destroy… ');
    const destroy = await target.phase(() => cdktf(ours, envFor('ours', ours, { BENCH_CHANGE: '1' }), 'destroy', STACK, '--auto-approve'));
    process.stdout.write('done\n');
    return {
      n,
      perKind,
      kindsWritten: kindsWritten(n),
      ours: { firstDeploy: median(oursDeploys), noChangeDeploy, noChangeApply: median(oursApply), oneFieldChange, drift, destroy },
      floor: { cdktfDeploy: median(floorDeploys), sameInputsDeploy: median(sameInputsDeploys), directClient: median(directRuns), terraformApply, noChangeDeploy: floorNoChange, terraformPlan: median(floorPlan), terraformNoOpApply: median(floorApply) },
      cliStartMs: await cliStartMs(env),
    };
  } finally {
    await target.stop();
  }
}

/** Synthesizes the benchmark app into `projectDir` (untimed preparation) and returns the stack directory. */
async function synth(projectDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { PEXIP_ADDRESS: _address, ...withoutNode } = env;
  await timed(process.execPath, [APP], projectDir, { ...withoutNode, BENCH_MODE: 'ours', BENCH_STATE_DIR: projectDir, CDKTF_OUTDIR: join(projectDir, 'cdktf.out') });
  return stackDir(projectDir);
}

/** A provisioner of the synthesized stack, as Terraform would run it: its command, in the stack directory, with its environment. */
function provisioner(dir: string, resource: string): { command: string; environment: Record<string, string> } {
  const config = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, { input?: Record<string, string>; provisioner?: { 'local-exec': { command: string; environment?: Record<string, string> } }[] }>> };
  const carrier = config.resource.terraform_data[resource];
  const exec = carrier?.provisioner?.[0]?.['local-exec'];
  if (!exec) throw new Error(`no provisioner on ${resource} in ${dir}`);
  const environment = Object.fromEntries(Object.entries(exec.environment ?? {}).map(([k, v]) => [k, v.replace(/^\$\{self\.input\.(\w+)\}$/, (_, key: string) => String(carrier.input?.[key]))]));
  return { command: exec.command, environment };
}

async function wan(n: number, scratch: string, baseEnv: NodeJS.ProcessEnv, runs: number, withCdktfDeploy: boolean): Promise<WanResult> {
  const dir = join(scratch, `wan-n${n}`);
  const target = await Pexip.start(WAN);
  const env = connection(target, baseEnv, n);
  try {
    process.stdout.write(`WAN N=${n}: synth… `);
    const base = await synth(project(dir, 'ours'), env);
    const changed = await synth(project(dir, 'ours-changed'), { ...env, BENCH_CHANGE: '1' });
    const reconcile = (stack: string) => provisioner(stack, 'pexip-reconciler');
    const remove = provisioner(base, 'pexip-anchor');
    const sh = (p: { command: string; environment: Record<string, string> }, cwd: string, e: NodeJS.ProcessEnv) => () => timed('sh', ['-c', p.command], cwd, { ...e, ...p.environment });
    const driftRun = (e: NodeJS.ProcessEnv) => () => timed(process.execPath, [BIN, 'drift', 'pexip-desired.json'], changed, e, [0, 2]);
    const keysFile = join(dir, 'direct-keys.json');
    const directEnv = { ...env, BENCH_KEYS_FILE: keysFile };
    const runsOf = { create: [] as Phase[], patch: [] as Phase[], delete: [] as Phase[], slowest: [] as { kind: string; seconds: number }[] };
    const oursRuns = { deploy: [] as Phase[], change: [] as Phase[], drift: [] as Phase[], destroy: [] as Phase[] };
    const serialRuns = { deploy: [] as Phase[], change: [] as Phase[], drift: [] as Phase[], destroy: [] as Phase[] };
    const driftAt = new Map<number, Phase[]>([8, 16].map((p) => [p, []]));
    for (let run = 0; run < runs; run++) {
      process.stdout.write(`run ${run + 1}/${runs}… `);
      target.sim.reset();
      runsOf.create.push(await target.phase(() => direct('create', directEnv)));
      await target.phase(() => direct('lists', directEnv));
      runsOf.slowest.push(slowestList(target.proxy));
      runsOf.patch.push(await target.phase(() => direct('patch', directEnv)));
      runsOf.delete.push(await target.phase(() => direct('delete', directEnv)));
      for (const [runsFor, parallelism] of [[oursRuns, PARALLELISM], [serialRuns, 1]] as const) {
        const e = { ...env, PEXIP_PARALLELISM: String(parallelism) };
        target.sim.reset();
        runsFor.deploy.push(await target.phase(sh(reconcile(base), base, e)));
        runsFor.change.push(await target.phase(sh(reconcile(changed), changed, e)));
        runsFor.drift.push(await target.phase(driftRun(e)));
        if (parallelism === PARALLELISM) for (const [p, list] of driftAt) list.push(await target.phase(driftRun({ ...env, PEXIP_PARALLELISM: String(p) })));
        runsFor.destroy.push(await target.phase(sh(remove, base, e)));
      }
    }
    let cdktfDeploy: Phase | undefined;
    if (withCdktfDeploy) {
      // One whole cdktf deploy under the same model, to check the cost model against.
      process.stdout.write('cdktf deploy… ');
      const full = project(dir, 'ours-cdktf');
      target.sim.reset();
      cdktfDeploy = await target.phase(() => cdktf(full, { ...env, BENCH_MODE: 'ours', BENCH_STATE_DIR: full }, 'deploy', STACK, '--auto-approve'));
    }
    process.stdout.write('done\n');
    const med = (list: Phase[]) => median(list, 'apiSeconds');
    const slowest = [...runsOf.slowest].sort((a, b) => a.seconds - b.seconds)[Math.floor(runsOf.slowest.length / 2)];
    return {
      n,
      ours: { deploy: med(oursRuns.deploy), change: med(oursRuns.change), drift: med(oursRuns.drift), destroy: med(oursRuns.destroy) },
      serial: { deploy: med(serialRuns.deploy), change: med(serialRuns.change), drift: med(serialRuns.drift), destroy: med(serialRuns.destroy) },
      driftAt: [...driftAt].map(([parallelism, list]) => ({ parallelism, phase: med(list) })),
      floor: { create: med(runsOf.create), patch: med(runsOf.patch), delete: med(runsOf.delete), slowestList: slowest },
      ...(cdktfDeploy ? { cdktfDeploy } : {}),
    };
  } finally {
    await target.stop();
  }
}

/** The slowest kind of a `direct-client lists` run: each kind listed alone, timed at the proxy. */
function slowestList(proxy: TimingProxy): { kind: string; seconds: number } {
  const perKind = new Map<string, number>();
  for (const e of proxy.exchanges) {
    const kind = KINDS.find((k) => e.path === k.collectionPath)?.name ?? e.path;
    perKind.set(kind, (perKind.get(kind) ?? 0) + (e.end - e.start) / 1000);
  }
  const [kind, seconds] = [...perKind].sort((a, b) => b[1] - a[1])[0];
  return { kind, seconds };
}

async function gitops(n: number, scratch: string, baseEnv: NodeJS.ProcessEnv, runs: number): Promise<GitopsResult> {
  const dir = join(scratch, `gitops-n${n}`);
  const target = await Pexip.start();
  const env = connection(target, baseEnv, n);
  // The pipeline's steps (examples/gitops/pipeline.sh): synth; init; plan -detailed-exitcode -out; apply <plan>.
  const pipeline = async (path: string, e: NodeJS.ProcessEnv): Promise<GitopsSteps> => {
    const synthStep = await target.phase(() => cdktf(path, e, 'synth'));
    const init = await target.phase(() => timed('terraform', ['init', '-input=false', '-no-color'], stackDir(path), e));
    const plan = await target.phase(() => timed('terraform', ['plan', '-input=false', '-no-color', '-detailed-exitcode', '-out=plan.tfplan'], stackDir(path), e, [0, 2]));
    const apply = await target.phase(() => timed('terraform', ['apply', '-input=false', '-no-color', 'plan.tfplan'], stackDir(path), e));
    return { synth: synthStep, init, plan, apply };
  };
  try {
    const ours: GitopsSteps[] = [];
    const floor: (GitopsSteps & { directClient: Phase })[] = [];
    for (let run = 0; run < runs; run++) {
      process.stdout.write(`${run === 0 ? `GitOps N=${n}: ` : ''}run ${run + 1}/${runs}… `);
      const floorDir = project(dir, `floor-${run}`);
      const oursDir = project(dir, `ours-${run}`);
      target.sim.reset();
      const floorSteps = await pipeline(floorDir, { ...env, BENCH_MODE: 'floor', BENCH_STATE_DIR: floorDir });
      floor.push({ ...floorSteps, directClient: await target.phase(() => direct('create', env)) });
      target.sim.reset();
      ours.push(await pipeline(oursDir, { ...env, BENCH_MODE: 'ours', BENCH_STATE_DIR: oursDir }));
    }
    process.stdout.write('done\n');
    const total = (s: GitopsSteps) => s.synth.seconds + s.init.seconds + s.plan.seconds + s.apply.seconds;
    const mid = <T extends GitopsSteps>(list: T[], extra: (t: T) => number = () => 0) => [...list].sort((a, b) => total(a) + extra(a) - total(b) - extra(b))[Math.floor(list.length / 2)];
    return { n, ours: mid(ours), floor: mid(floor, (f) => f.directClient.seconds) };
  } finally {
    await target.stop();
  }
}

/** Untimed: the first cdktf and terraform runs of a session pay for cold file caches. */
async function warmUp(scratch: string, baseEnv: NodeJS.ProcessEnv): Promise<void> {
  process.stdout.write('warm-up… ');
  const target = await Pexip.start();
  const env = connection(target, baseEnv, 5);
  try {
    for (const mode of ['floor', 'ours'] as const) {
      const path = project(join(scratch, 'warm-up'), mode);
      await cdktf(path, { ...env, BENCH_MODE: mode, BENCH_STATE_DIR: path }, 'deploy', STACK, '--auto-approve');
    }
  } finally {
    await target.stop();
  }
  process.stdout.write('done\n');
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const sizesOf = (section: Section) => (options.sections.includes(section) ? (options.sizes ?? DEFAULT_SIZES[section]) : []);
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
  const started = Date.now();
  const results: { loopback: LoopbackResult[]; wan: WanResult[]; gitops: GitopsResult[] } = { loopback: [], wan: [], gitops: [] };
  try {
    await warmUp(scratch, env);
    for (const n of sizesOf('loopback')) results.loopback.push(await loopback(n, scratch, env, options.runs));
    const wanSizes = sizesOf('wan');
    for (const n of wanSizes) results.wan.push(await wan(n, scratch, env, options.runs, n === Math.max(...wanSizes)));
    for (const n of sizesOf('gitops')) results.gitops.push(await gitops(n, scratch, env, options.runs));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const record: BenchResults = { wanModel: WAN, parallelism: PARALLELISM, runs: options.runs, ...results };
  const text = renderTables(record);
  const minutes = (Date.now() - started) / 60_000;
  process.stdout.write(`\n${text}\n(${minutes.toFixed(1)} minutes)\n`);
  const full = options.sections.length === 3 && !options.sizes && options.runs === 3;
  const name = full ? 'latest' : 'partial';
  mkdirSync(RESULTS, { recursive: true });
  const json = { date: new Date().toISOString(), machine: { cpus: cpus().length, node: process.version }, minutes: Number(minutes.toFixed(1)), results: record, costModel: costModel(record), targets: targets(record) };
  writeFileSync(join(RESULTS, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(RESULTS, `${name}.txt`), text);
  if (full) writeFileSync(join(RESULTS, 'chart.svg'), renderChart(record));
  process.stdout.write(`wrote bench/results/${name}.json and ${name}.txt${full ? ' and chart.svg' : ' (a partial run leaves latest.* alone)'}\n`);
  return targets(record).every((t) => t.pass) ? 0 : 2;
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
