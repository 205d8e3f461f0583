import { writeFileSync } from 'node:fs';
import type { PexipSimulator } from '../../src/simulator/server';
import { runCli } from '../helpers/cli';
import { integrationSet, secretEnv, type Workspace, workspace } from '../helpers/desired';
import { simulatorEnv, startSimulator } from '../helpers/simulator';
import { BAD_INPUTS } from './bad-inputs';

let sim: PexipSimulator;
let ws: Workspace;

beforeAll(async () => {
  sim = await startSimulator();
  ws = workspace();
});
afterAll(() => sim.stop());

describe('the bad-input table', () => {
  it('has at least 40 cases in every area', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(BAD_INPUTS.map((b) => b.area))).toEqual(new Set(['environment', 'cli', 'desired set', 'api response']));
  });

  it.each(BAD_INPUTS.map((b) => [`${b.area}: ${b.case}`, b] as const))('%s', async (_name, bad) => {
    sim.reset();
    const base = integrationSet(ws);
    const file = ws.writeSet(bad.desired ? bad.desired(base) : base);
    if (bad.desiredText !== undefined) writeFileSync(file, bad.desiredText);
    if (bad.fault) sim.addFault(bad.fault);
    const env: NodeJS.ProcessEnv = { ...simulatorEnv(sim), ...secretEnv(), PEXIP_TIMEOUT_SECONDS: '5' };
    for (const [name, value] of Object.entries(bad.env ?? {})) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    const result = await runCli(bad.args.map((a) => (a === '{desired}' ? file : a)), env);
    expect(result.code).toBe(bad.exitCode);
    const firstLine = result.stderr.split('\n').find((line) => line.startsWith('error: ')) ?? '';
    if (typeof bad.stderr === 'string') expect(firstLine).toBe(bad.stderr);
    else if (bad.stderr) expect(firstLine).toMatch(bad.stderr);
    if (bad.stdout) expect(result.stdout).toMatch(bad.stdout);
    expect(result.stderr).not.toMatch(/\n\s+at [^\n]+:\d+:\d+/);
    expect(sim.writes()).toHaveLength(bad.writes);
    if (bad.requests !== undefined) expect(sim.requests).toHaveLength(bad.requests);
  });
});
