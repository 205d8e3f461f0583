import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PexipSimulator } from '../../src/simulator/server';
import { runCli } from '../helpers/cli';
import { integrationSet, secretEnv, type Workspace, workspace } from '../helpers/desired';
import { simulatorEnv, startSimulator } from '../helpers/simulator';
import { tempDir } from '../helpers/terraform';
import { BAD_INPUTS, writeBadInputFixtures } from './bad-inputs';

let sim: PexipSimulator;
/** HTTPS, with a certificate for manager.example.org only: reached as 127.0.0.1, its name does not match. */
let tls: PexipSimulator;
let ws: Workspace;
let fixtures: string;

beforeAll(async () => {
  sim = await startSimulator();
  ws = workspace();
  fixtures = tempDir('pexip-bad-inputs-');
  writeBadInputFixtures(fixtures);
  tls = await startSimulator({ tls: { cert: readFileSync(join(fixtures, 'tls-server.pem')), key: readFileSync(join(fixtures, 'tls-server.key')) } });
});
afterAll(async () => {
  await sim.stop();
  await tls.stop();
});

function fill(text: string, desired: string): string {
  if (text === '{desired}') return desired;
  return text.replace(/\{fixtures\}/g, fixtures).replace(/\{sim-port\}/g, String(new URL(sim.url).port)).replace(/\{tls\}/g, tls.url);
}

const count = (text: string, line: string) => text.split('\n').filter((l) => l === line).length;

describe('the bad-input table', () => {
  it('has at least 40 cases in every area', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(BAD_INPUTS.map((b) => b.area))).toEqual(new Set(['environment', 'cli', 'desired set', 'api response']));
  });

  it.each(BAD_INPUTS.map((b) => [`${b.area}: ${b.case}`, b] as const))('%s', async (_name, bad) => {
    sim.reset();
    tls.reset();
    const base = integrationSet(ws);
    const file = ws.writeSet(bad.desired ? bad.desired(base) : base);
    if (bad.desiredText !== undefined) writeFileSync(file, bad.desiredText);
    // The desired set may name fixture files too.
    const text = readFileSync(file, 'utf8');
    if (text.includes('{fixtures}')) writeFileSync(file, text.replace(/\{fixtures\}/g, fixtures));
    if (bad.fault) sim.addFault(bad.fault);
    for (const fault of bad.extraFaults ?? []) sim.addFault(fault);
    const env: NodeJS.ProcessEnv = { ...simulatorEnv(sim), ...secretEnv(), PEXIP_TIMEOUT_SECONDS: '5' };
    for (const [name, value] of Object.entries(bad.env ?? {})) {
      if (value === undefined) delete env[name];
      else env[name] = fill(value, file);
    }
    const result = await runCli(bad.args.map((a) => fill(a, file)), env);
    expect(result.code).toBe(bad.exitCode);
    const firstLine = result.stderr.split('\n').find((line) => line.startsWith('error: ')) ?? '';
    if (typeof bad.stderr === 'string') expect(firstLine).toBe(bad.stderr);
    else if (bad.stderr) expect(firstLine).toMatch(bad.stderr);
    if (bad.stdout) expect(result.stdout).toMatch(bad.stdout);
    for (const warning of bad.warnings ?? []) expect(count(result.stderr, warning)).toBe(1);
    expect(result.stderr).not.toMatch(/\n\s+at [^\n]+:\d+:\d+/);
    // The error is the last word: no "retrying" line of a request still in flight comes after it.
    const lines = result.stderr.split('\n');
    expect(lines.slice(lines.findIndex((l) => l.startsWith('error: ')) + 1).filter((l) => l.startsWith('retrying'))).toEqual([]);
    expect([...sim.writes(), ...tls.writes()]).toHaveLength(bad.writes);
    if (bad.requests !== undefined) expect([...sim.requests, ...tls.requests]).toHaveLength(bad.requests);
  });
});
