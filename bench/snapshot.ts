import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PexipClient } from '../src/api/client';
import { connectionFromEnv } from '../src/api/settings';
import { generateEpicKey } from '../src/epic/encryption-key';
import { EPIC_ALGORITHM_WIRE, kindByName } from '../src/kinds';
import type { JsonObject } from '../src/kinds/types';
import { PexipSimulator } from '../src/simulator/server';
import { uuidFor } from './mix';

/**
 * `npm run bench:snapshot`: `pexip-cdktf snapshot` of a node holding 2,000 objects (400 each of telehealth profiles
 * with their secrets, routing rules, policy profiles, web proxies with passwords and web app paths), on loopback and
 * under the WAN model's read latency (50 ms, up to 10 ms jitter). Reports the median wall time of 3 runs (the CLI's
 * start-up included), requests, the file's size, whether the runs' files are byte-identical and free of the
 * secrets. Writes bench/results/snapshot.{json,txt}; the main benchmark's results are left alone.
 */
const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'pexip-cdktf.js');
const RESULTS = join(ROOT, 'bench', 'results');
const USER = 'admin';
const PASSWORD = 'bench-password';
const PER_KIND = 400;
const RUNS = 3;
const CANARY = 'BENCHCANARY-secret-4e2a';

function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ seconds: number; output: string }> {
  const start = process.hrtime.bigint();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => (code === 0 ? done({ seconds: Number(process.hrtime.bigint() - start) / 1e9, output }) : fail(new Error(`snapshot exited ${code}: ${output.slice(-1000)}`))));
  });
}

/** 2,000 objects through the API, as a node would have them (defaults filled in, secrets stored). */
async function populate(sim: PexipSimulator): Promise<void> {
  const client = new PexipClient({ connection: connectionFromEnv({ PEXIP_ADDRESS: sim.url, PEXIP_USERNAME: USER, PEXIP_PASSWORD: PASSWORD, PEXIP_PARALLELISM: '16' }) });
  const key = generateEpicKey(32);
  const jobs: (() => Promise<unknown>)[] = [];
  for (let i = 0; i < PER_KIND; i++) {
    const uuid = uuidFor(i + 1);
    jobs.push(async () => {
      const profile = await client.create(kindByName('telehealth_profile'), {
        name: `Profile ${i}`, uuid, telehealth_call_domain: `th${i}.example.org`, telehealth_integration_base_url: 'https://epic.example.org/',
        telehealth_integration_oauth2_base_api_url: 'https://epic.example.org/oauth', infinity_webapp_server_base_url: 'https://meet.example.org/',
        epic_patient_app_client_id: 'p', epic_patient_app_client_secret: CANARY, epic_provider_app_client_id: 'q', epic_provider_app_client_secret: CANARY,
        epic_encryption_algorithm: EPIC_ALGORITHM_WIRE['AES-256-CBC'], epic_encryption_key: key, epic_encryption_key_type: 'base64key',
        patient_oauth2_redirect_url: `https://meet.example.org/api/telehealth/v1/patient/oauth2authorized/${uuid}`,
        provider_oauth2_redirect_url: `https://meet.example.org/api/telehealth/v1/provider/oauth2authorized/${uuid}/`,
      });
      await client.create(kindByName('gateway_routing_rule'), { name: `Rule ${i}`, priority: 1 + (i % 200), match_string: `.*@th${i}\\.example\\.org`, called_device_type: 'telehealth_profile', telehealth_profile: profile.uri });
    });
    jobs.push(() => client.create(kindByName('policy_server'), { name: `Policy ${i}`, url: 'https://policy.example.org/', username: 'u', password: CANARY }));
    jobs.push(() => client.create(kindByName('http_proxy'), { name: `Proxy ${i}`, address: `proxy${i}.example.org`, port: 3128, username: 'u', password: CANARY }));
    jobs.push(() => client.create(kindByName('webapp_alias'), { slug: `path-${i}`, webapp_type: 'webapp3', is_enabled: true }));
  }
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < jobs.length) await jobs[next++]();
  }));
  client.close();
}

interface Measured {
  readonly model: string;
  readonly seconds: number;
  readonly runs: readonly number[];
  readonly requests: number;
  readonly bytes: number;
  readonly objects: number;
  readonly identical: boolean;
  readonly secretFree: boolean;
}

async function measure(sim: PexipSimulator, model: string, dir: string): Promise<Measured> {
  const env = { PATH: process.env.PATH, PEXIP_ADDRESS: sim.url, PEXIP_USERNAME: USER, PEXIP_PASSWORD: PASSWORD };
  const runs: number[] = [];
  const files: Buffer[] = [];
  let requests = 0;
  for (let i = 0; i < RUNS; i++) {
    const file = join(dir, `${model}-${i}.json`);
    sim.clearRequests();
    runs.push((await run(['snapshot', '--out', file], env)).seconds);
    requests = sim.requests.length;
    files.push(readFileSync(file));
  }
  const text = files[0].toString('utf8');
  const kinds = (JSON.parse(text) as { kinds: Record<string, { objects: unknown[] }> }).kinds;
  return {
    model,
    seconds: [...runs].sort((a, b) => a - b)[Math.floor(RUNS / 2)],
    runs,
    requests,
    bytes: files[0].length,
    objects: Object.values(kinds).reduce((sum, k) => sum + k.objects.length, 0),
    identical: files.every((f) => f.equals(files[0])),
    secretFree: !text.includes(CANARY) && !text.includes('$~!1'),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pexip-cdktf-bench-snapshot-'));
  const loopback = await PexipSimulator.start({ users: { [USER]: PASSWORD } });
  const wan = await PexipSimulator.start({ users: { [USER]: PASSWORD }, latency: { readMs: 50, writeMs: 200, jitterMs: 10 } });
  try {
    process.stdout.write(`populating ${5 * PER_KIND} objects… `);
    await populate(loopback);
    wan.importState(loopback.exportState({ includeSecrets: true }) as unknown as JsonObject);
    process.stdout.write('done\n');
    const results = [await measure(loopback, 'loopback', dir), await measure(wan, 'wan', dir)];
    const lines = [
      `Snapshot of a node with ${results[0].objects} objects (${5 * PER_KIND} created, plus what a fresh node ships), median of ${RUNS} runs, CLI start-up included:`,
      '| model | time | runs | requests | file size | byte-identical | secret-free |',
      '|---|---|---|---|---|---|---|',
      ...results.map((r) => `| ${r.model === 'wan' ? 'WAN model (50 ms reads)' : 'loopback'} | ${r.seconds.toFixed(2)} s | ${r.runs.map((s) => s.toFixed(2)).join(', ')} | ${r.requests} | ${(r.bytes / 1024 / 1024).toFixed(2)} MiB (${r.bytes} bytes) | ${r.identical ? 'yes' : 'NO'} | ${r.secretFree ? 'yes' : 'NO'} |`),
    ];
    const text = `${lines.join('\n')}\n`;
    process.stdout.write(`\n${text}`);
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, 'snapshot.json'), `${JSON.stringify({ date: new Date().toISOString(), machine: { cpus: cpus().length, node: process.version }, results }, null, 2)}\n`);
    writeFileSync(join(RESULTS, 'snapshot.txt'), text);
    process.stdout.write('wrote bench/results/snapshot.json and snapshot.txt\n');
    if (results.some((r) => !r.identical || !r.secretFree)) process.exitCode = 2;
  } finally {
    await loopback.stop();
    await wan.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
