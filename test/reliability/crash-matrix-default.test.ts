import { CASES, CrashBench, type CrashOutcome } from './crash-matrix';
import { PARALLELISM } from '../../src/api/settings';

/** The crash matrix (crash-matrix.ts) at parallelism the default; its twin file runs the other. */
const parallelism = PARALLELISM.fallback;
let bench: CrashBench;
const outcomes: CrashOutcome[] = [];

beforeAll(async () => {
  bench = await CrashBench.start(parallelism);
});
afterAll(async () => {
  await bench.stop();
  const rows = outcomes.map((o) => `  ${o.phase.padEnd(13)} killed at ${String(o.at).padEnd(5)} (${o.writesBeforeKill} writes) → ${o.recovery === 'repair' ? 'pexip-cdktf repair, then ' : ''}${o.result}`);
  process.stdout.write(`\nCrash matrix at parallelism ${parallelism} (SIGKILL of cdktf, terraform and the provisioner):\n${rows.join('\n')}\n`);
});

describe(`SIGKILL of the whole deploy or destroy at parallelism ${parallelism}: one ordinary run converges`, () => {
  it.each(CASES.map((c) => [c.phase, String(c.at), c.recovery === 'repair' ? 'pexip-cdktf repair and one cdktf run' : 'one cdktf run', c] as const))('%s killed at %s, then %s', async (_phase, _at, _how, c) => {
    await bench.prepare(c.phase);
    const writesBeforeKill = await bench.killAt(c.phase, c.at);
    const result = await bench.recover(c.phase, c.recovery);
    outcomes.push({ phase: c.phase, at: c.at, recovery: c.recovery, writesBeforeKill, result });
  }, 240_000);
});
