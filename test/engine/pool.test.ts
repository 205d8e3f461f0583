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
});
