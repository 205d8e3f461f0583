import { TimingProxy, type Exchange } from '../../bench/timing-proxy';
import { PexipClient } from '../../src/api/client';
import { connectionFromEnv } from '../../src/api/settings';
import { validateDesiredSet } from '../../src/engine/desired';
import { reconcile } from '../../src/engine/reconcile';
import { removeStack } from '../../src/engine/remove';
import type { PexipSimulator } from '../../src/simulator/server';
import { integrationSet, secretEnv, workspace } from '../helpers/desired';
import { simulatorEnv, startSimulator } from '../helpers/simulator';

/**
 * PEXIP_PARALLELISM bounds what a Management Node sees at once, over the whole run (lists, schema reads, writes,
 * deletes): counted at a recording proxy in front of a simulator slow enough for requests to overlap.
 */
let sim: PexipSimulator;
let proxy: TimingProxy;

beforeAll(async () => {
  sim = await startSimulator({ latency: { readMs: 15, writeMs: 30 } });
  proxy = await TimingProxy.start(sim.url);
});
afterAll(async () => {
  await proxy.stop();
  await sim.stop();
});

/** The most requests the proxy had in flight at one moment. */
function mostInFlight(exchanges: readonly Exchange[]): number {
  const events = exchanges.flatMap((e) => [[e.start, 1] as const, [e.end, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, delta] of events) most = Math.max(most, (now += delta));
  return most;
}

it.each([1, 4])('at PEXIP_PARALLELISM=%i, a deploy and a removal never have more requests in flight', async (parallelism) => {
  const ws = workspace();
  const client = new PexipClient({ connection: connectionFromEnv(simulatorEnv(sim, { PEXIP_ADDRESS: proxy.url, PEXIP_PARALLELISM: String(parallelism) })) });
  try {
    proxy.clear();
    await reconcile(validateDesiredSet(JSON.parse(JSON.stringify(integrationSet(ws)))), { client, env: secretEnv(), baseDir: ws.dir, progress: () => {} });
    const deploy = mostInFlight(proxy.exchanges);
    proxy.clear();
    await removeStack(client, 'nonprod', () => {});
    const removal = mostInFlight(proxy.exchanges);
    expect(Math.max(deploy, removal)).toBeLessThanOrEqual(parallelism);
    // Not merely serial: with room for more, independent requests do overlap.
    if (parallelism > 1) expect(deploy).toBeGreaterThan(1);
  } finally {
    client.close();
  }
});
