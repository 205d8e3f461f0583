import type { PexipSimulator } from '../../src/simulator/server';
import { runCli } from '../helpers/cli';
import { raw, simulatorEnv, startSimulator } from '../helpers/simulator';

/**
 * Names made by hand on a node may hold characters that change how text reads (U+202E turns "enaJ" into "Jane") or
 * are not seen at all. Whatever prints them shows them escaped; JSON output keeps the same value.
 */
const INVISIBLE = /[\u0080-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;
const RLO_NAME = '\u202eenaJ eoD policy';
const ZW_NAME = 'Epic\u200b egress';

let sim: PexipSimulator;
beforeAll(async () => {
  sim = await startSimulator();
  const made = await Promise.all([
    raw(sim, 'POST', '/api/admin/configuration/v1/policy_server/', { json: { name: RLO_NAME } }),
    raw(sim, 'POST', '/api/admin/configuration/v1/http_proxy/', { json: { name: ZW_NAME, address: 'proxy.example.org', port: 3128 } }),
  ]);
  expect(made.map((m) => m.status)).toEqual([201, 201]);
});
afterAll(() => sim.stop());

describe('names read from the node, printed', () => {
  it('export shows them as \\u escapes, in code that still means the same name', async () => {
    const r = await runCli(['export', '--stack', 'nonprod', '--environment', 'non-production', '--all'], simulatorEnv(sim));
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(INVISIBLE);
    expect(r.stdout).toContain("'\\u202eenaJ eoD policy'");
    expect(r.stdout).toContain("'Epic\\u200b egress'");
  });

  it('export --json keeps the value: the escapes are JSON escapes', async () => {
    const r = await runCli(['export', '--stack', 'nonprod', '--environment', 'non-production', '--all', '--json'], simulatorEnv(sim));
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(INVISIBLE);
    const { code } = JSON.parse(r.stdout) as { code: string };
    // The code's own text holds the escape (as written to a file), not the character.
    expect(code).toContain("'\\u202eenaJ eoD policy'");
    expect(code).not.toMatch(INVISIBLE);
  });
});
