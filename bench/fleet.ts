import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateEpicKey } from '../src/epic/encryption-key';
import { PexipSimulator } from '../src/simulator/server';
import { TimingProxy, unionSeconds } from './timing-proxy';

/**
 * `npm run bench:fleet`: K stacks (1, 2, 4, 8), each on its own simulator under the WAN model, deployed from empty by
 * one `cdktf deploy '*' --parallelism K`, against the sum of K single-stack deploys (each from empty too). For each,
 * where the time goes: CPU of cdktf, terraform and the provisioners (user + system of every child process) and API
 * waiting (time with a request in flight at any node). Writes bench/results/fleet.{json,txt}.
 * Options: --k 1,2,4 (stack counts), --n 10 (objects per stack).
 */
const ROOT = resolve(__dirname, '..', '..');
const CDKTF = join(ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');
const APP = join(ROOT, 'dist', 'bench', 'fleet-app.js');
const RESULTS = join(ROOT, 'bench', 'results');
const WAN = { readMs: 50, writeMs: 200, jitterMs: 10 };
const USER = 'admin';
const PASSWORD = 'bench-password';

interface Run {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly apiSeconds: number;
}

interface Row {
  readonly stacks: number;
  readonly fleet: Run;
  readonly singles: Run;
}

function option(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Runs a command under bash and reads the CPU time of all its children from `times`. */
function timed(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ seconds: number; cpuSeconds: number }> {
  const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const script = `${quoted} >/dev/null 2>"$BENCH_ERR"; code=$?; times; exit $code`;
  const started = process.hrtime.bigint();
  return new Promise((done, fail) => {
    const child = spawn('bash', ['-c', script], { cwd, env: { ...env, BENCH_ERR: join(cwd, 'bench-stderr.log') }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return fail(new Error(`${args.join(' ')} exited ${String(code)} (see ${join(cwd, 'bench-stderr.log')})`));
      // `times`: the shell's user and system time, then its children's.
      const children = out.trim().split('\n').at(-1) ?? '';
      const cpuSeconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + 60 * Number(m[1]) + Number(m[2]), 0);
      done({ seconds, cpuSeconds });
    });
  });
}

class Fleet {
  private constructor(
    readonly dir: string,
    readonly sims: PexipSimulator[],
    readonly proxies: TimingProxy[],
  ) {}

  static async start(k: number): Promise<Fleet> {
    const dir = mkdtempSync(join(tmpdir(), 'pexip-bench-fleet-'));
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, join(dir, 'node_modules', 'pexip-telehealth-cdktf'), 'dir');
    writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: `node ${APP}`, output: 'cdktf.out', sendCrashReports: 'false' }));
    const sims: PexipSimulator[] = [];
    const proxies: TimingProxy[] = [];
    for (let i = 0; i < k; i++) {
      const sim = await PexipSimulator.start({ users: { [USER]: PASSWORD }, latency: WAN });
      sims.push(sim);
      proxies.push(await TimingProxy.start(sim.url));
    }
    return new Fleet(dir, sims, proxies);
  }

  env(n: number): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CHECKPOINT_DISABLE: '1',
      CDKTF_DISABLE_PLUGIN_CACHE_ENV: '1',
      CI: '1',
      TF_IN_AUTOMATION: '1',
      BENCH_STACKS: String(this.sims.length),
      BENCH_N: String(n),
      BENCH_STATE_DIR: this.dir,
    };
    this.proxies.forEach((proxy, i) => {
      Object.assign(env, { [`PEXIP_SITE${i}_ADDRESS`]: proxy.url, [`PEXIP_SITE${i}_USERNAME`]: USER, [`PEXIP_SITE${i}_PASSWORD`]: PASSWORD });
      for (const name of ['PATIENT_CLIENT_SECRET', 'PROVIDER_CLIENT_SECRET']) env[`EPIC_SITE${i}_NONPROD_${name}`] = `bench-secret-${i}`;
      env[`EPIC_SITE${i}_NONPROD_ENCRYPTION_KEY`] = generateEpicKey(32);
    });
    return env;
  }

  /** Every node and every state file as before the first deploy. */
  reset(): void {
    for (const sim of this.sims) sim.reset();
    for (const proxy of this.proxies) proxy.clear();
    this.sims.forEach((_, i) => rmSync(join(this.dir, `terraform.site${i}.tfstate`), { force: true }));
  }

  apiSeconds(): number {
    return unionSeconds(this.proxies.flatMap((p) => p.intervals()));
  }

  async stop(): Promise<void> {
    for (const proxy of this.proxies) await proxy.stop();
    for (const sim of this.sims) await sim.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function measure(k: number, n: number): Promise<Row> {
  const fleet = await Fleet.start(k);
  try {
    const env = fleet.env(n);
    // Synthesize once first, so neither side pays for the first compilation.
    await timed(['node', CDKTF, 'synth'], fleet.dir, env);
    fleet.reset();
    const all = await timed(['node', CDKTF, 'deploy', '*', '--auto-approve', '--parallelism', String(k)], fleet.dir, env);
    const fleetRun = { ...all, apiSeconds: fleet.apiSeconds() };
    fleet.reset();
    let singles: Run = { seconds: 0, cpuSeconds: 0, apiSeconds: 0 };
    for (let i = 0; i < k; i++) {
      for (const proxy of fleet.proxies) proxy.clear();
      const one = await timed(['node', CDKTF, 'deploy', `site${i}`, '--auto-approve'], fleet.dir, env);
      singles = { seconds: singles.seconds + one.seconds, cpuSeconds: singles.cpuSeconds + one.cpuSeconds, apiSeconds: singles.apiSeconds + fleet.apiSeconds() };
    }
    return { stacks: k, fleet: fleetRun, singles };
  } finally {
    await fleet.stop();
  }
}

function table(rows: readonly Row[], n: number): string {
  const f = (x: number) => `${x.toFixed(2)} s`;
  const lines = [
    `Fleet: K stacks of ${n} objects, each on its own simulator (WAN model: ${WAN.readMs} ms reads, ${WAN.writeMs} ms writes, up to ${WAN.jitterMs} ms jitter), ${cpus().length} cores`,
    '',
    "| K | cdktf deploy '*' --parallelism K | sum of K single deploys | speed-up | CPU (cdktf, terraform, CLI) | API waiting | CPU / wall |",
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.stacks} | ${f(r.fleet.seconds)} | ${f(r.singles.seconds)} | ${(r.singles.seconds / r.fleet.seconds).toFixed(2)}× | ${f(r.fleet.cpuSeconds)} | ${f(r.fleet.apiSeconds)} | ${(r.fleet.cpuSeconds / r.fleet.seconds).toFixed(2)} |`),
  ];
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const ks = (option(argv, '--k') ?? '1,2,4,8').split(',').map(Number);
  const n = Number(option(argv, '--n') ?? '10');
  if (ks.some((k) => !Number.isInteger(k) || k < 1 || k > 16) || !Number.isInteger(n) || n < 4) throw new Error('--k takes whole numbers 1-16 (e.g. 1,2,4), --n a whole number of at least 4');
  const rows: Row[] = [];
  for (const k of ks) {
    process.stdout.write(`K = ${k}… `);
    rows.push(await measure(k, n));
    process.stdout.write('done\n');
  }
  const text = table(rows, n);
  process.stdout.write(`\n${text}`);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'fleet.json'), `${JSON.stringify({ n, wan: WAN, cores: cpus().length, rows }, null, 2)}\n`);
  writeFileSync(join(RESULTS, 'fleet.txt'), text);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
