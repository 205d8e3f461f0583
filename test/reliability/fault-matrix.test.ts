import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { PexipClient } from '../../src/api/client';
import { connectionFromEnv } from '../../src/api/settings';
import { type DesiredSet, validateDesiredSet } from '../../src/engine/desired';
import { hasChanges } from '../../src/engine/plan';
import { planAgainstLive, reconcile } from '../../src/engine/reconcile';
import { KINDS } from '../../src/kinds';
import type { FaultSpec } from '../../src/simulator/faults';
import type { PexipSimulator } from '../../src/simulator/server';
import { BIN } from '../helpers/cli';
import { integrationSet, secretEnv, type Workspace, without, withSpec, workspace } from '../helpers/desired';
import { raw, simulatorEnv, startSimulator } from '../helpers/simulator';

/**
 * The fault matrix: every scenario injects faults into a real reconcile against the simulator, then re-runs until
 * it converges (at most twice more). Each must end with a clean plan, every declared object present once, and
 * nothing the stack does not own touched. The table of outcomes is printed at the end.
 */

type Phase = 'create' | 'update';
interface Scenario {
  readonly name: string;
  /** create: from empty. update: the base set is deployed first, then a set with one changed field and one object fewer. */
  readonly phase: Phase;
  readonly faults?: readonly FaultSpec[];
  /** Client timeout in seconds (default 30). */
  readonly timeout?: number;
  readonly oauth?: boolean;
  /** Run something beside the first reconcile (kill it, restart the simulator, expire tokens). */
  readonly during?: 'sigkill' | 'restart' | 'expire-tokens';
  /** Expected outcome of the first run. */
  readonly first: 'succeeds' | 'fails';
}

const SCENARIOS: readonly Scenario[] = [
  { name: '500 on a read', phase: 'create', faults: [{ match: { method: 'GET' }, action: { type: 'status', status: 500 } }], first: 'fails' },
  { name: '502 HTML page on reads (reverse proxy)', phase: 'create', faults: [{ match: { method: 'GET' }, action: { type: 'html', status: 502 }, times: 2 }], first: 'succeeds' },
  { name: '503 on reads, three times', phase: 'create', faults: [{ match: { method: 'GET' }, action: { type: 'status', status: 503 }, times: 3 }], first: 'succeeds' },
  { name: '504 on a read', phase: 'create', faults: [{ match: { method: 'GET' }, action: { type: 'html', status: 504 } }], first: 'succeeds' },
  { name: '500 on a create (POST)', phase: 'create', faults: [{ match: { method: 'POST', path: '/telehealth_profile/' }, action: { type: 'status', status: 500 } }], first: 'fails' },
  { name: '502 on a create (POST)', phase: 'create', faults: [{ match: { method: 'POST', path: '/gateway_routing_rule/' }, action: { type: 'status', status: 502 } }], first: 'succeeds' },
  { name: '503 on an update (PATCH)', phase: 'update', faults: [{ match: { method: 'PATCH' }, action: { type: 'status', status: 503 }, times: 2 }], first: 'succeeds' },
  { name: '500 on an update (PATCH)', phase: 'update', faults: [{ match: { method: 'PATCH' }, action: { type: 'status', status: 500 } }], first: 'fails' },
  { name: '504 on a prune (DELETE)', phase: 'update', faults: [{ match: { method: 'DELETE' }, action: { type: 'status', status: 504 } }], first: 'succeeds' },
  { name: '429 + Retry-After on a create', phase: 'create', faults: [{ match: { method: 'POST' }, action: { type: 'status', status: 429, retryAfterSeconds: 1 } }], first: 'succeeds' },
  { name: '429 + Retry-After on reads', phase: 'create', faults: [{ match: { method: 'GET' }, action: { type: 'status', status: 429, retryAfterSeconds: 1 }, times: 2 }], first: 'succeeds' },
  { name: 'timeout on a read', phase: 'create', timeout: 1, faults: [{ match: { method: 'GET' }, action: { type: 'delay', ms: 1500 } }], first: 'succeeds' },
  { name: 'timeout on a create; the server commits late (unique name)', phase: 'create', timeout: 1, faults: [{ match: { method: 'POST', path: '/policy_server/' }, action: { type: 'delay', ms: 1600 } }], first: 'succeeds' },
  { name: 'timeout on a create; the server commits late (branding: name not unique)', phase: 'create', timeout: 1, faults: [{ match: { method: 'POST', path: '/webapp_branding/' }, action: { type: 'delay', ms: 1600 } }], first: 'succeeds' },
  { name: 'connection reset before a create is handled', phase: 'create', faults: [{ match: { method: 'POST', path: '/ivr_theme/' }, action: { type: 'reset-before' } }], first: 'succeeds' },
  { name: 'connection reset after a create was committed', phase: 'create', faults: [{ match: { method: 'POST', path: '/telehealth_profile/' }, action: { type: 'reset-after' } }], first: 'succeeds' },
  { name: 'connection reset after an update was committed', phase: 'update', faults: [{ match: { method: 'PATCH' }, action: { type: 'reset-after' } }], first: 'succeeds' },
  { name: '401 mid-run: OAuth2 token expired, refreshed once', phase: 'create', oauth: true, faults: [{ match: { method: 'POST' }, action: { type: 'delay', ms: 150 }, times: 100 }], during: 'expire-tokens', first: 'succeeds' },
  { name: 'reconcile process killed (SIGKILL) half-way', phase: 'create', faults: [{ match: { method: 'POST' }, action: { type: 'delay', ms: 250 }, times: 100 }], during: 'sigkill', first: 'fails' },
  { name: 'simulator restarted mid-apply', phase: 'create', faults: [{ match: { method: 'POST' }, action: { type: 'delay', ms: 250 }, times: 100 }], during: 'restart', first: 'succeeds' },
  { name: '20% of all requests answered 503', phase: 'update', faults: [{ action: { type: 'status', status: 503 }, probability: 0.2 }], first: 'succeeds' },
];

interface Outcome {
  scenario: string;
  first: string;
  runs: number;
  writes: number;
  result: string;
}

const outcomes: Outcome[] = [];
let sim: PexipSimulator;
let ws: Workspace;

afterEach(() => sim?.stop());
afterAll(() => {
  const rows = [['scenario', 'first run', 'runs to converge', 'writes', 'end state'], ...outcomes.map((o) => [o.scenario, o.first, String(o.runs), String(o.writes), o.result])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  process.stdout.write(`\nFault matrix\n${rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')}`).join('\n')}\n`);
});

function clientFor(env: NodeJS.ProcessEnv): PexipClient {
  return new PexipClient({ connection: connectionFromEnv(env), retry: { baseDelayMs: 50 } });
}

const SETTLE_MS = 1_700;

async function checkEndState(set: DesiredSet, env: NodeJS.ProcessEnv): Promise<string> {
  const client = clientFor(env);
  try {
    const { plan } = await planAgainstLive(set, client);
    if (hasChanges(plan)) return `NOT CLEAN: ${plan.actions.filter((a) => a.type !== 'unchanged').map((a) => `${a.type} ${a.id}`).join(', ')}`;
    for (const kind of KINDS) {
      const names = ((await raw(sim, 'GET', `${kind.collectionPath}?limit=0`)).json as { objects: Record<string, unknown>[] }).objects.map((o) => String(o[kind.naturalKey]));
      const dupes = names.filter((n, i) => names.indexOf(n) !== i);
      if (dupes.length > 0) return `DUPLICATE ${kind.name} ${dupes.join(', ')}`;
    }
    const policies = ((await raw(sim, 'GET', '/api/admin/configuration/v1/policy_server/?name=Other%20team')).json as { objects: unknown[] }).objects;
    if (policies.length !== 1) return 'UNOWNED OBJECT LOST';
    return 'clean, no duplicates';
  } finally {
    client.close();
  }
}

function runCliReconcile(file: string, env: NodeJS.ProcessEnv): { done: Promise<number | null>; kill: () => void } {
  const child = spawn(process.execPath, [BIN, 'reconcile', file], { env: { PATH: process.env.PATH, ...env }, stdio: 'ignore' });
  return { done: new Promise((resolve) => child.on('close', resolve)), kill: () => child.kill('SIGKILL') };
}

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('fault matrix', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    sim = await startSimulator(scenario.oauth ? { oauthClients: { cdktf: publicKey.export({ type: 'spki', format: 'pem' }).toString() } } : {});
    ws = workspace();
    await raw(sim, 'POST', '/api/admin/configuration/v1/policy_server/', { json: { name: 'Other team' } });
    const auth = scenario.oauth
      ? { PEXIP_USERNAME: '', PEXIP_PASSWORD: '', PEXIP_OAUTH2_CLIENT_ID: 'cdktf', PEXIP_OAUTH2_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }
      : {};
    const env: NodeJS.ProcessEnv = { ...simulatorEnv(sim), ...auth, ...secretEnv(), PEXIP_TIMEOUT_SECONDS: String(scenario.timeout ?? 30) };
    const base = integrationSet(ws);
    let set = base;
    const apply = async (target: DesiredSet) => {
      const client = clientFor(env);
      try {
        await reconcile(validateDesiredSet(JSON.parse(JSON.stringify(target))), { client, env, baseDir: ws.dir, progress: () => {}, settleMs: 1_500 });
      } finally {
        client.close();
      }
    };
    if (scenario.phase === 'update') {
      await apply(base);
      set = withSpec(without(base, 'rule.device-pairing'), 'rule', { priority: 12 });
    }
    sim.clearRequests();
    for (const fault of scenario.faults ?? []) sim.addFault(fault);

    let firstOk = true;
    let firstError = '';
    try {
      if (scenario.during === 'sigkill') {
        const child = runCliReconcile(ws.writeSet(set), env);
        await waitFor(() => sim.requests.filter((r) => r.method === 'POST').length >= 3);
        child.kill();
        firstOk = (await child.done) === 0;
      } else if (scenario.during === 'restart') {
        const running = apply(set);
        await waitFor(() => sim.requests.filter((r) => r.method === 'POST' && r.status === 201).length >= 2);
        await sim.restart();
        await running;
      } else if (scenario.during === 'expire-tokens') {
        const running = apply(set);
        await waitFor(() => sim.requests.some((r) => r.method === 'POST' && r.status === 201));
        sim.expireTokens();
        await running;
        expect(sim.requests.filter((r) => r.path === '/oauth/token/')).toHaveLength(2);
        expect(sim.requests.filter((r) => r.status === 401).length).toBeLessThanOrEqual(1);
      } else {
        await apply(set);
      }
    } catch (error) {
      firstOk = false;
      firstError = (error as Error).message;
    }
    expect(`${firstOk ? 'succeeds' : 'fails'}${firstOk === (scenario.first === 'succeeds') ? '' : `: ${firstError}`}`).toBe(scenario.first);
    sim.faults.clear();
    // A late commit (timeout scenarios) lands after the client gave up: let it, then converge.
    if (scenario.timeout) await new Promise((r) => setTimeout(r, SETTLE_MS));
    let runs = 1;
    for (; runs <= 3; runs++) {
      const { plan } = await planAgainstLive(validateDesiredSet(JSON.parse(JSON.stringify(set))), clientFor(env));
      if (!hasChanges(plan)) break;
      await apply(set);
    }
    const result = await checkEndState(validateDesiredSet(JSON.parse(JSON.stringify(set))), env);
    outcomes.push({ scenario: scenario.name, first: firstOk ? 'succeeded' : 'failed (clear error)', runs, writes: sim.writes().length, result });
    expect(result).toBe('clean, no duplicates');
  });
});
