import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { PexipSimulator } from '../../src/simulator/server';
import { linkPackage, ROOT } from '../helpers/project';
import { raw, simulatorEnv, startSimulator } from '../helpers/simulator';
import { run, tempDir, toolEnv } from '../helpers/terraform';
import { nonprodSecrets } from '../helpers/desired';

const PIPELINE = join(ROOT, 'examples', 'gitops', 'pipeline.sh');
const STEPS = ['synth', 'plan', 'show', 'apply', 'drift', 'repair'];

describe('the GitOps pipeline, run locally against the simulator', () => {
  let sim: PexipSimulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.stop());

  it('plans changes (2), applies the saved plan, plans clean (0), and reports a hand edit as drift (2)', async () => {
    const scratch = tempDir('pexip-gitops-');
    // cdktf.out goes to the scratch directory: the provisioners find the CLI in node_modules above it.
    linkPackage(scratch);
    const env = toolEnv({
      ...simulatorEnv(sim),
      CDKTF_OUTDIR: join(scratch, 'cdktf.out'),
      PEXIP_CDKTF_STATE_DIR: scratch,
      ...nonprodSecrets('gitops-client-secret'),
    });
    const step = (...args: string[]) => run('bash', [PIPELINE, ...args], ROOT, env);

    expect((await step('synth')).code).toBe(0);
    const firstPlan = await step('plan', 'nonprod');
    expect(firstPlan.code).toBe(2);
    expect(firstPlan.output).toContain('terraform_data.pexip-reconciler');
    const shown = await step('show', 'nonprod');
    expect(shown.output).toContain('will be created');
    expect(sim.writes()).toHaveLength(0);

    const applied = await step('apply', 'nonprod');
    expect(applied.code).toBe(0);
    expect(applied.output).toContain('Applied: 5 created');
    expect((await step('plan', 'nonprod')).code).toBe(0);
    expect((await step('drift', 'nonprod')).code).toBe(0);

    const rule = ((await raw(sim, 'GET', '/api/admin/configuration/v1/gateway_routing_rule/')).json as { objects: { resource_uri: string }[] }).objects[0];
    await raw(sim, 'PATCH', rule.resource_uri, { json: { priority: 150 } });
    const drift = await step('drift', 'nonprod');
    expect(drift.code).toBe(2);
    expect(drift.output).toContain('priority: 150 → 21');
    // The next pipeline run sees it too: synth checks drift, the plan names it, applying it repairs Pexip.
    expect((await step('synth')).output).toContain('drift in Pexip (epic.rule: priority); the deploy repairs it.');
    const repairPlan = await step('plan', 'nonprod');
    expect(repairPlan.code).toBe(2);
    expect(repairPlan.output).toMatch(/~ "?converge"?\s+= "[^"]*" -> "[0-9a-f]{8} epic\.rule: priority"/);
    expect(repairPlan.output).toMatch(/terraform_data\.pexip-reconciler will be replaced due to changes in replace_triggered_by/);
    expect((await step('apply', 'nonprod')).code).toBe(0);
    expect((await step('drift', 'nonprod')).code).toBe(0);
    // Run 2 of the pipeline, the day after the repair: synth finds Pexip in sync and gives back the token the repair
    // recorded, so the plan is clean (a nightly plan -detailed-exitcode does not report drift that is gone).
    expect((await step('synth')).output).toContain('pexip-cdktf: stack "nonprod": no drift in Pexip.');
    expect((await step('plan', 'nonprod')).code).toBe(0);
    // Or the nightly job repairs by itself.
    await raw(sim, 'PATCH', rule.resource_uri, { json: { priority: 160 } });
    const repaired = await step('repair', 'nonprod');
    expect(repaired.code).toBe(2);
    expect(repaired.output).toContain('1 drifted object repaired.');
    expect((await step('repair', 'nonprod')).code).toBe(0);
    expect((await step('synth')).code).toBe(0);
    expect((await step('plan', 'nonprod')).code).toBe(0);
  }, 300_000);

  it('says what is missing instead of failing obscurely', async () => {
    const result = await run('bash', [PIPELINE, 'apply', 'nowhere'], ROOT, toolEnv({ CDKTF_OUTDIR: tempDir('pexip-gitops-empty-') }));
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^error: .*stacks\/nowhere\/cdk\.tf\.json is missing: run pipeline\.sh synth first$/);
    expect((await run('bash', [PIPELINE, 'deploy'], ROOT, toolEnv())).stderr.trim()).toBe('error: unknown step "deploy"; use synth, plan, show, apply, drift or repair');
  });
});

describe('the CI files', () => {
  const commands = Object.keys((require('../../src/cli/main') as { COMMANDS: Record<string, unknown> }).COMMANDS);

  /** Every shell line of a workflow: GitHub `run:` steps, GitLab `script:` / `before_script:` lists. */
  function shellLines(node: unknown): string[] {
    if (Array.isArray(node)) return node.flatMap(shellLines);
    if (typeof node !== 'object' || node === null) return [];
    return Object.entries(node).flatMap(([key, value]) => {
      if (key === 'run' && typeof value === 'string') return value.split('\n');
      if ((key === 'script' || key === 'before_script') && Array.isArray(value)) return value.flatMap((v) => String(v).split('\n'));
      return shellLines(value);
    });
  }

  it.each(['github-actions.yml', 'gitlab-ci.yml'])('%s parses and calls only pipeline steps and commands that exist', (file) => {
    const doc = parse(readFileSync(join(ROOT, 'examples', 'gitops', file), 'utf8'));
    const lines = shellLines(doc);
    expect(lines.length).toBeGreaterThan(5);
    const steps = lines.flatMap((l) => [...l.matchAll(/pipeline\.sh (\w+)/g)].map((m) => m[1]));
    expect(new Set(steps)).toEqual(new Set(['synth', 'plan', 'show', 'apply', 'drift']));
    for (const s of steps) expect(STEPS).toContain(s);
    const used = lines.flatMap((l) => [...l.matchAll(/pexip-cdktf (\w+)/g)].map((m) => m[1]));
    expect(used.length).toBeGreaterThan(0);
    for (const c of used) expect(commands).toContain(c);
    // Production is applied only after an approval.
    const text = readFileSync(join(ROOT, 'examples', 'gitops', file), 'utf8');
    expect(text).toMatch(file.startsWith('github') ? /environment: \$\{\{ matrix\.stack \}\}\s+# prod: required reviewers/ : /apply:prod:[\s\S]*when: manual/);
  });

  it('the fleet\'s matrix lists its jobs from pexip-cdktf stacks --json, test platforms first, each with its own node', () => {
    const file = join(ROOT, 'examples', 'fleet', 'github-matrix.yml');
    const doc = parse(readFileSync(file, 'utf8')) as { jobs: Record<string, { needs?: string[] | string; strategy?: { matrix?: { include?: string } } }> };
    const lines = shellLines(doc);
    for (const c of lines.flatMap((l) => [...l.matchAll(/pexip-cdktf (\w+)/g)].map((m) => m[1]))) expect(commands).toContain(c);
    for (const s of lines.flatMap((l) => [...l.matchAll(/pipeline\.sh (\w+)/g)].map((m) => m[1]))) expect(STEPS).toContain(s);
    expect(lines.join('\n')).toContain('npx pexip-cdktf stacks --json > stacks.json');
    expect(doc.jobs['deploy-test'].strategy?.matrix?.include).toBe('${{ fromJSON(needs.stacks.outputs.test) }}');
    expect(doc.jobs['deploy-production'].needs).toEqual(['stacks', 'deploy-test']);
  });

  it('takes secrets from the CI store under their environment-variant names', () => {
    const text = readFileSync(join(ROOT, 'examples', 'gitops', 'github-actions.yml'), 'utf8');
    for (const name of ['EPIC_PROD_PATIENT_CLIENT_SECRET', 'EPIC_NONPROD_ENCRYPTION_KEY']) expect(text).toContain(`${name}: \${{ secrets.${name} }}`);
  });
});
