import { MultipleFailuresError, runPool, StopToken } from '../../src/engine/pool';

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

describe('bounded parallel work', () => {
  it('never has more than `limit` tasks in flight, and returns results in item order', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await runPool([5, 1, 4, 2, 3, 0], { limit: 3 }, async (n) => {
      most = Math.max(most, ++inFlight);
      await tick(n);
      inFlight--;
      return n * 10;
    });
    expect(most).toBe(3);
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
  });

  it('starts nothing new after the first failure, lets the rest finish, and reports every failure', async () => {
    const started: number[] = [];
    let halted = 0;
    const error = await runPool([1, 2, 3, 4, 5, 6], { limit: 2, onFirstFailure: () => halted++ }, async (n) => {
      started.push(n);
      await tick(n === 1 ? 1 : 10);
      if (n <= 2) throw new Error(`task ${n} failed`);
    }).catch((e: unknown) => e);
    expect(started).toEqual([1, 2]);
    expect(halted).toBe(1);
    expect(error).toBeInstanceOf(MultipleFailuresError);
    expect((error as Error).message).toBe('2 requests failed:\n  task 1 failed\n  task 2 failed');
  });

  it('stops starting work once stopped, and says which signal', async () => {
    const stop = new StopToken();
    const done: number[] = [];
    await runPool([1, 2, 3, 4], { limit: 1, stop }, async (n) => {
      done.push(n);
      if (n === 2) stop.stop('SIGINT');
    });
    expect(done).toEqual([1, 2]);
    expect(stop.reason).toBe('SIGINT');
    await expect(stop.whenStopped()).resolves.toBeUndefined();
  });

  it('starts an item once what it waits for is done, without a waiting item holding a place', async () => {
    // Item 1 waits for the slow item 0; items 2 and 3 are free and take the second place meanwhile.
    const events: string[] = [];
    const items = [30, 1, 1, 1].map((ms, index) => ({ ms, index }));
    await runPool(items, { limit: 2, after: (i) => (i === 1 ? [0] : []) }, async ({ ms, index }) => {
      events.push(`start ${index}`);
      await tick(ms);
      events.push(`end ${index}`);
    });
    expect(events.filter((e) => e.startsWith('start'))).toEqual(['start 0', 'start 2', 'start 3', 'start 1']);
    expect(events.indexOf('start 1')).toBeGreaterThan(events.indexOf('end 0'));
  });

  it('runs dependants in order after their dependencies, and never starts work that waits on a failure', async () => {
    const order: string[] = [];
    const after = (i: number) => [[], [0], [1], []][i];
    const error = await runPool(['a', 'b', 'c', 'd'], { limit: 4, after }, async (name) => {
      order.push(name);
      await tick(name === 'a' ? 10 : 1);
      if (name === 'b') throw new Error('b failed');
    }).catch((e: unknown) => e);
    expect(order).toEqual(['a', 'd', 'b']);
    expect((error as Error).message).toBe('b failed');
  });

  it('refuses an item that would wait for a later one (it could never start)', async () => {
    await expect(runPool([1, 2], { limit: 2, after: (i) => (i === 0 ? [1] : []) }, async () => undefined)).rejects.toThrow(/item 0 would wait for a later item/);
  });
});
