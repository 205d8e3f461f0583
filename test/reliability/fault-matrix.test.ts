import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { PexipClient } from '../../src/api/client';
import { connectionFromEnv, PARALLELISM } from '../../src/api/settings';
import { type DesiredSet, validateDesiredSet } from '../../src/engine/desired';
import { hasChanges } from '../../src/engine/plan';
import { planAgainstLive, reconcile } from '../../src/engine/reconcile';
import { removeStack } from '../../src/engine/remove';
import { KINDS } from '../../src/kinds';
import type { FaultSpec } from '../../src/simulator/faults';
import type { PexipSimulator } from '../../src/simulator/server';
import { BIN } from '../helpers/cli';
import { integrationSet, secretEnv, type Workspace, without, withSpec, workspace } from '../helpers/desired';
import { raw, simulatorEnv, startSimulator } from '../helpers/simulator';
import { waitFor } from '../helpers/wait';

/**
 * The fault matrix: every scenario injects faults into a real reconcile against the simulator, then re-runs until
 * it converges (at most twice more). Each must end with a clean plan, every declared object present once, and
 * nothing the stack does not own touched. The table of outcomes is printed at the end.
 */

type Phase = 'create' | 'update' | 'remove';
interface Scenario {
  readonly name: string;
  /**
   * create: from empty. update: the base set is deployed first, then a set with one changed field and one object
   * fewer. remove: the base set is deployed, then the stack removed (as cdktf destroy does).
   */
  readonly phase: Phase;
  readonly faults?: readonly FaultSpec[];
  /** Client timeout in seconds (default 30). */
  readonly timeout?: number;
  readonly oauth?: boolean;
  /**
   * Run something beside the first run: kill it, interrupt the CLI with a signal (it must stop cleanly), restart
   * the simulator, expire tokens, or (removal) leave a hand-made object that uses one of the stack's, removed by
   * hand before the rerun.
   */
  readonly during?: 'sigkill' | 'SIGINT' | 'SIGTERM' | 'restart' | 'expire-tokens' | 'unowned-reference';
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
  { name: 'SIGINT (Ctrl-C) mid-create', phase: 'create', faults: [{ match: { method: 'POST' }, action: { type: 'delay', ms: 250 }, times: 100 }], during: 'SIGINT', first: 'fails' },
  { name: 'SIGTERM mid-create', phase: 'create', faults: [{ match: { method: 'POST' }, action: { type: 'delay', ms: 250 }, times: 100 }], during: 'SIGTERM', first: 'fails' },
  { name: 'SIGINT (Ctrl-C) mid-remove', phase: 'remove', faults: [{ match: { method: 'DELETE' }, action: { type: 'delay', ms: 250 }, times: 100 }], during: 'SIGINT', first: 'fails' },
  { name: 'SIGTERM mid-remove', phase: 'remove', faults: [{ match: { method: 'DELETE' }, action: { type: 'delay', ms: 250 }, times: 100 }], during: 'SIGTERM', first: 'fails' },
  { name: '503 on a remove (DELETE)', phase: 'remove', faults: [{ match: { method: 'DELETE' }, action: { type: 'status', status: 503 }, times: 2 }], first: 'succeeds' },
  { name: 'remove blocked by an unowned object using an owned one', phase: 'remove', during: 'unowned-reference', first: 'fails' },
];
/** Every scenario runs serially and at the default parallelism: the guarantees must not depend on it. */
const PARALLELISMS = [1, PARALLELISM.fallback];

interface Outcome {
  scenario: string;
  parallelism: number;
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
  const rows = [['scenario', 'parallel', 'first run', 'runs to converge', 'writes', 'end state'], ...outcomes.map((o) => [o.scenario, String(o.parallelism), o.first, String(o.runs), String(o.writes), o.result])];
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

function runCli(args: readonly string[], env: NodeJS.ProcessEnv): { done: Promise<number | null>; kill: (signal: NodeJS.Signals) => void; stderr: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return { done: new Promise((resolve) => child.on('close', resolve)), kill: (signal) => child.kill(signal), stderr: () => stderr };
}

/** What is left of the stack after a removal: nothing it owned, its ledger gone, the unowned objects still there. */
async function checkRemoved(): Promise<string> {
  const left: string[] = [];
  for (const kind of KINDS) {
    if (kind.ownership.style === 'terraform-state' || kind.management) continue;
    const objects = ((await raw(sim, 'GET', `${kind.collectionPath}?limit=0`)).json as { objects: Record<string, unknown>[] }).objects;
    for (const o of objects) if (/\[pexip-cdktf(-ledger)?:nonprod[/\]]/.test(String(o.description ?? '')) || (kind.name === 'ivr_theme' && o.name === 'Telehealth waiting room')) left.push(`${kind.name} ${String(o[kind.naturalKey])}`);
  }
  if (left.length > 0) return `NOT REMOVED: ${left.join(', ')}`;
  const policies = ((await raw(sim, 'GET', '/api/admin/configuration/v1/policy_server/?name=Other%20team')).json as { objects: unknown[] }).objects;
  return policies.length === 1 ? 'removed, unowned kept' : 'UNOWNED OBJECT LOST';
}

describe('fault matrix', () => {
  const cases = SCENARIOS.flatMap((s) => PARALLELISMS.map((p) => [`${s.name} (parallelism ${p})`, s, p] as const));
  it.each(cases)('%s', async (_name, scenario, parallelism) => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    sim = await startSimulator(scenario.oauth ? { oauthClients: { cdktf: publicKey.export({ type: 'spki', format: 'pem' }).toString() } } : {});
    ws = workspace();
    await raw(sim, 'POST', '/api/admin/configuration/v1/policy_server/', { json: { name: 'Other team' } });
    const auth = scenario.oauth
      ? { PEXIP_USERNAME: '', PEXIP_PASSWORD: '', PEXIP_OAUTH2_CLIENT_ID: 'cdktf', PEXIP_OAUTH2_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }
      : {};
    const env: NodeJS.ProcessEnv = { ...simulatorEnv(sim), ...auth, ...secretEnv(), PEXIP_TIMEOUT_SECONDS: String(scenario.timeout ?? 30), PEXIP_PARALLELISM: String(parallelism) };
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
    const remove = async () => {
      const client = clientFor(env);
      try {
        await removeStack(client, 'nonprod', () => {});
      } finally {
        client.close();
      }
    };
    if (scenario.phase !== 'create') await apply(base);
    if (scenario.phase === 'update') set = withSpec(without(base, 'rule.device-pairing'), 'rule', { priority: 12 });
    let handMade: string | undefined;
    if (scenario.during === 'unowned-reference') {
      const branding = ((await raw(sim, 'GET', '/api/admin/configuration/v1/webapp_branding/?name=Telehealth%20branding')).json as { objects: { resource_uri: string }[] }).objects[0];
      handMade = (await raw(sim, 'POST', '/api/admin/configuration/v1/webapp_alias/', { json: { slug: 'by-hand', webapp_type: 'webapp3', branding: branding.resource_uri } })).headers.get('location')!;
    }
    sim.clearRequests();
    for (const fault of scenario.faults ?? []) sim.addFault(fault);

    let firstOk = true;
    let firstError = '';
    try {
      if (scenario.during === 'sigkill' || scenario.during === 'SIGINT' || scenario.during === 'SIGTERM') {
        const method = scenario.phase === 'remove' ? 'DELETE' : 'POST';
        const child = runCli(scenario.phase === 'remove' ? ['remove', '--stack', 'nonprod'] : ['reconcile', ws.writeSet(set)], env);
        await waitFor(() => sim.requests.filter((r) => r.method === method).length >= 3);
        child.kill(scenario.during === 'sigkill' ? 'SIGKILL' : scenario.during);
        const code = await child.done;
        firstOk = code === 0;
        if (scenario.during !== 'sigkill') {
          // A clean stop: the signal's exit code, what was done, no request cut off (every one got its answer).
          expect(code).toBe(scenario.during === 'SIGINT' ? 130 : 143);
          expect(child.stderr()).toMatch(new RegExp(`^error: stopped by ${scenario.during} after the requests in flight; (done|removed so far): .*Nothing is half-written: run it again to converge\\.$`, 'm'));
          expect(sim.requests.filter((r) => r.status === 'reset' || r.status === 0)).toEqual([]);
        }
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
        // Once per request in flight when the token expired, at most; then the one renewed token serves them all.
        expect(sim.requests.filter((r) => r.status === 401).length).toBeLessThanOrEqual(parallelism);
      } else if (scenario.phase === 'remove') {
        await remove();
      } else {
        await apply(set);
      }
    } catch (error) {
      firstOk = false;
      firstError = (error as Error).message;
    }
    expect(`${firstOk ? 'succeeds' : 'fails'}${firstOk === (scenario.first === 'succeeds') ? '' : `: ${firstError}`}`).toBe(scenario.first);
    if (scenario.during === 'unowned-reference') {
      // Refused before the first delete, naming the object that blocks.
      expect(firstError).toContain('web app path "by-hand" (field branding) uses web app branding package "Telehealth branding"');
      expect(sim.writes()).toEqual([]);
      await raw(sim, 'DELETE', handMade!);
    }
    sim.faults.clear();
    // A late commit (timeout scenarios) lands after the client gave up: let it, then converge.
    if (scenario.timeout) await new Promise((r) => setTimeout(r, SETTLE_MS));
    let runs = 1;
    let result: string;
    if (scenario.phase === 'remove') {
      for (; runs <= 3; runs++) {
        if ((await checkRemoved()) === 'removed, unowned kept') break;
        await remove();
      }
      result = await checkRemoved();
    } else {
      for (; runs <= 3; runs++) {
        const { plan } = await planAgainstLive(validateDesiredSet(JSON.parse(JSON.stringify(set))), clientFor(env));
        if (!hasChanges(plan)) break;
        await apply(set);
      }
      result = await checkEndState(validateDesiredSet(JSON.parse(JSON.stringify(set))), env);
    }
    outcomes.push({ scenario: scenario.name, parallelism, first: firstOk ? 'succeeded' : 'failed (clear error)', runs, writes: sim.writes().length, result });
    expect(result).toBe(scenario.phase === 'remove' ? 'removed, unowned kept' : 'clean, no duplicates');
  });
});
