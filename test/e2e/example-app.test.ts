import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PexipSimulator } from '../../src/simulator/server';
import { ROOT } from '../helpers/project';
import { simulatorEnv, startSimulator } from '../helpers/simulator';
import { run, toolEnv } from '../helpers/terraform';
import { nonprodSecrets } from '../helpers/desired';

/**
 * Edits take effect: cdktf.json runs the example app through the app runner, so an edit of examples/app/environments.ts
 * shows in the next `cdktf diff` with no `npm run build`. The test works on a byte-for-byte copy of cdktf.json and
 * examples/app in the repository's ignored tmp/ directory (where the app still resolves this package by
 * self-reference, as the original does), because other tests run the original at the same time.
 */
const CDKTF = join(ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');
const NAME = `example-app-${process.pid}`;
const COPY = join(ROOT, 'tmp', NAME);
const SECRETS = nonprodSecrets('example-client-secret');
let sim: PexipSimulator;
const cdktf = (...args: string[]) => run(process.execPath, [CDKTF, ...args], COPY, toolEnv({ ...simulatorEnv(sim), ...SECRETS }), 240_000);

beforeAll(async () => {
  sim = await startSimulator();
  rmSync(COPY, { recursive: true, force: true });
  mkdirSync(COPY, { recursive: true });
  cpSync(join(ROOT, 'cdktf.json'), join(COPY, 'cdktf.json'));
  cpSync(join(ROOT, 'examples', 'app'), join(COPY, 'examples', 'app'), { recursive: true });
});
afterAll(async () => {
  await sim?.stop();
  rmSync(COPY, { recursive: true, force: true });
  rmSync(join(ROOT, 'node_modules', '.cache', 'pexip-cdktf-app', `${encodeURIComponent(`tmp/${NAME}/examples/app/main.ts`)}.json`), { force: true });
});

describe('the example app', () => {
  it('shows an edit of environments.ts in the next cdktf diff, without a build', async () => {
    const deploy = await cdktf('deploy', 'nonprod', '--auto-approve');
    expect(deploy.code).toBe(0);
    expect(deploy.output).toContain('Applied: 5 created');
    const file = join(COPY, 'examples', 'app', 'environments.ts');
    const source = readFileSync(file, 'utf8');
    expect(source).toContain('rulePriority: 21,');
    writeFileSync(file, source.replace('rulePriority: 21,', 'rulePriority: 27,'));
    const diff = await cdktf('diff', 'nonprod');
    expect(diff.code).toBe(0);
    expect(diff.output).toContain('pexip-cdktf-app: compiled examples/app/main.ts');
    expect(diff.output).toMatch(/~ "?priority"?\s+= 21 -> 27/);
  }, 300_000);
});
