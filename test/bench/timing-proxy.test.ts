import { TimingProxy } from '../../bench/timing-proxy';
import { PexipSimulator } from '../../src/simulator/server';

describe('benchmark timing proxy', () => {
  it('counts the time with at least one request in flight, overlaps once and gaps not at all', async () => {
    const proxy = await TimingProxy.start('http://127.0.0.1:9');
    try {
      proxy.exchanges.push(
        { method: 'GET', path: '/a', start: 0, end: 100 },
        { method: 'GET', path: '/b', start: 50, end: 120 },
        { method: 'POST', path: '/c', start: 500, end: 700 },
        { method: 'GET', path: '/d', start: 550, end: 600 },
      );
      expect(proxy.busySeconds()).toBeCloseTo(0.32, 9);
      proxy.clear();
      expect(proxy.busySeconds()).toBe(0);
    } finally {
      await proxy.stop();
    }
  });

  it('forwards requests and answers unchanged, and stamps each one', async () => {
    const sim = await PexipSimulator.start({ users: { admin: 'pw' } });
    const proxy = await TimingProxy.start(sim.url);
    try {
      const answer = await fetch(`${proxy.url}/api/admin/configuration/v1/policy_server/`, { headers: { authorization: `Basic ${Buffer.from('admin:pw').toString('base64')}` } });
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { objects: unknown[] }).objects).toEqual([]);
      expect(proxy.exchanges).toEqual([{ method: 'GET', path: '/api/admin/configuration/v1/policy_server/', start: expect.any(Number), end: expect.any(Number) }]);
      expect(proxy.exchanges[0].end).toBeGreaterThanOrEqual(proxy.exchanges[0].start);
      expect(sim.requests).toHaveLength(1);
    } finally {
      await proxy.stop();
      await sim.stop();
    }
  });
});
