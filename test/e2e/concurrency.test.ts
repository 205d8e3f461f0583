import { hasChanges } from '../../src/engine/plan';
import { planAgainstLive } from '../../src/engine/reconcile';
import { loadDesiredSet } from '../../src/engine/desired';
import { KINDS } from '../../src/kinds';
import type { PexipSimulator } from '../../src/simulator/server';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { createProject } from '../helpers/project';
import { clientFor, raw, startSimulator } from '../helpers/simulator';
import { join } from 'node:path';
import { waitFor } from '../helpers/wait';
import { nonprodSecrets } from '../helpers/desired';

/**
 * Two `cdktf deploy` runs of the same stack at once (two checkouts, one shared pg backend on a local PostgreSQL):
 * Terraform's state lock lets one through; the other fails on the lock. Neither corrupts Pexip or state.
 */
const SECRETS = nonprodSecrets('pg-client-secret-1');
let sim: PexipSimulator;
let pg: Postgres;

beforeAll(async () => {
  sim = await startSimulator();
  pg = await startPostgres();
});
afterAll(async () => {
  pg?.stop();
  await sim?.stop();
});

describe('two deploys of one stack at once, pg backend', () => {
  it('lets one through, stops the other on the state lock, and leaves Pexip and state consistent', async () => {
    const a = createProject(sim, SECRETS, { pgConnStr: pg.connStr });
    const b = createProject(sim, SECRETS, { pgConnStr: pg.connStr });
    // The backend exists before anyone deploys (concurrent first-time inits can race on creating its schema).
    expect((await a.cdktf(['diff', 'nonprod'])).code).toBe(0);
    // The first deploy's first create is held inside its apply, so it holds the state lock while the second runs.
    sim.addFault({ match: { method: 'POST' }, action: { type: 'hold' } });
    const firstRun = a.cdktf(['deploy', 'nonprod', '--auto-approve']);
    await waitFor(() => sim.heldCount > 0, 120_000, 'the first deploy reaching Pexip');
    const second = await b.cdktf(['deploy', 'nonprod', '--auto-approve']);
    sim.releaseHeld();
    const first = await firstRun;
    const results = [first, second].sort((x, y) => Number(x.code !== 0) - Number(y.code !== 0));
    expect(results.map((r) => r.code === 0)).toEqual([true, false]);
    expect(results[1].output).toMatch(/Error acquiring the state lock/);
    // Pexip: every object once.
    for (const kind of KINDS) {
      const names = ((await raw(sim, 'GET', `${kind.collectionPath}?limit=0`)).json as { objects: Record<string, unknown>[] }).objects.map((o) => o[kind.naturalKey]);
      expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    }
    const loser = results[1] === first ? a : b;
    const diff = await loser.cdktf(['diff', 'nonprod']);
    expect(diff.code).toBe(0);
    expect(diff.output).toContain('No changes.');
    const client = clientFor(sim);
    try {
      const { set } = loadDesiredSet(join(loser.dir, 'cdktf.out', 'stacks', 'nonprod', 'pexip-desired.json'));
      expect(hasChanges((await planAgainstLive(set, client)).plan)).toBe(false);
    } finally {
      client.close();
    }
  }, 240_000);
});
