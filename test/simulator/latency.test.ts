import { latencyFor } from '../../src/simulator/latency';
import type { PexipSimulator } from '../../src/simulator/server';
import { PASSWORD, raw, startSimulator, USER } from '../helpers/simulator';

/**
 * Latency on the management API, as across a real network: reads and writes wait their own fixed delay (plus
 * jitter), concurrently; a write waits after its body is read and before it commits; the controls never wait.
 */
const POLICIES = '/api/admin/configuration/v1/policy_server/';
let sim: PexipSimulator;

afterEach(() => sim?.stop());

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}

function policyCount(): number {
  return (sim.exportState() as { config: { policy_server: unknown[] } }).config.policy_server.length;
}

describe('latencyFor', () => {
  it('uses the read delay for GET, the write delay for writes, plus a uniform share of the jitter', () => {
    const latency = { readMs: 100, writeMs: 300, jitterMs: 40 };
    expect(latencyFor('GET', latency, () => 0.5)).toBe(120);
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].map((m) => latencyFor(m, latency, () => 0))).toEqual([300, 300, 300, 300]);
    expect(latencyFor('GET', {}, () => 0.99)).toBe(0);
    expect(latencyFor('HEAD', { readMs: 7 })).toBe(7);
  });
});

describe('reads', () => {
  beforeEach(async () => {
    sim = await startSimulator({ latency: { readMs: 200 } });
  });

  it('a GET takes at least readMs, and a write does not wait for it', async () => {
    const read = await timed(() => raw(sim, 'GET', POLICIES));
    expect(read.result.status).toBe(200);
    expect(read.ms).toBeGreaterThanOrEqual(195);
    const write = await timed(() => raw(sim, 'POST', POLICIES, { json: { name: 'quick' } }));
    expect(write.result.status).toBe(201);
    expect(write.ms).toBeLessThan(150);
  });

  it('also applies to refusals (401) and to status and history', async () => {
    expect((await timed(() => raw(sim, 'GET', POLICIES, { auth: null }))).ms).toBeGreaterThanOrEqual(195);
    expect((await timed(() => raw(sim, 'GET', '/api/admin/history/v1/conference/'))).ms).toBeGreaterThanOrEqual(195);
  });
});

describe('writes', () => {
  beforeEach(async () => {
    sim = await startSimulator({ latency: { writeMs: 300 } });
  });

  it('5 parallel writes are delayed concurrently, not one after another', async () => {
    const all = await timed(() => Promise.all([1, 2, 3, 4, 5].map((n) => timed(() => raw(sim, 'POST', POLICIES, { json: { name: `Policy ${n}` } })))));
    for (const one of all.result) {
      expect(one.result.status).toBe(201);
      expect(one.ms).toBeGreaterThanOrEqual(295);
    }
    // One after another would take at least 1500 ms.
    expect(all.ms).toBeLessThan(1000);
    expect(policyCount()).toBe(5);
  });

  it('waits after the body is read and before the commit, so a client that gives up still sees the write land', async () => {
    const abort = new AbortController();
    const started = performance.now();
    const sent = fetch(`${sim.url}${POLICIES}`, {
      method: 'POST',
      signal: abort.signal,
      headers: { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` },
      body: JSON.stringify({ name: 'Late commit' }),
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(policyCount()).toBe(0);
    abort.abort();
    await expect(sent).rejects.toThrow();
    while (policyCount() === 0 && performance.now() - started < 2000) await new Promise((r) => setTimeout(r, 10));
    expect(policyCount()).toBe(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
    expect(sim.requests.map((r) => [r.method, r.status])).toEqual([['POST', 201]]);
  });

  it('applies to the OAuth2 token endpoint (a POST)', async () => {
    const token = await timed(() => raw(sim, 'POST', '/oauth/token/', { auth: null, body: 'grant_type=password', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }));
    expect(token.result.status).toBe(400);
    expect(token.ms).toBeGreaterThanOrEqual(295);
  });
});

describe('the controls', () => {
  beforeEach(async () => {
    sim = await startSimulator({ latency: { readMs: 500, writeMs: 500, jitterMs: 500 } });
  });

  it('are never delayed', async () => {
    const reads = await timed(() => raw(sim, 'GET', '/_simulator/requests'));
    const writes = await timed(() => raw(sim, 'POST', '/_simulator/faults', { json: { action: { type: 'status', status: 503 } } }));
    const state = await timed(() => raw(sim, 'PUT', '/_simulator/state', { json: sim.exportState({ includeSecrets: true }) }));
    expect([reads.result.status, writes.result.status, state.result.status]).toEqual([200, 201, 204]);
    expect(Math.max(reads.ms, writes.ms, state.ms)).toBeLessThan(250);
  });
});

describe('jitter', () => {
  it('adds at most jitterMs', async () => {
    sim = await startSimulator({ latency: { readMs: 50, jitterMs: 100 } });
    for (let i = 0; i < 5; i++) {
      const read = await timed(() => raw(sim, 'GET', POLICIES));
      expect(read.ms).toBeGreaterThanOrEqual(45);
      expect(read.ms).toBeLessThan(50 + 100 + 150);
    }
  });
});

describe('options', () => {
  it.each([
    ['a negative read delay', { readMs: -1 }, 'latency.readMs must be a number of milliseconds from 0 to 60000 (got -1).'],
    ['a write delay over a minute', { writeMs: 60_001 }, 'latency.writeMs must be a number of milliseconds from 0 to 60000 (got 60001).'],
    ['a jitter that is not a number', { jitterMs: Number.NaN }, 'latency.jitterMs must be a number of milliseconds from 0 to 60000 (got NaN).'],
  ])('refuses %s', async (_case, latency, message) => {
    await expect(startSimulator({ latency })).rejects.toThrow(message);
  });
});
