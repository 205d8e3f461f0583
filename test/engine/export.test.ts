import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import type { PexipClient } from '../../src/api/client';
import { validateDesiredSet } from '../../src/engine/desired';
import { exportCode } from '../../src/engine/export';
import { observe } from '../../src/engine/live';
import { hasChanges } from '../../src/engine/plan';
import { planAgainstLive, reconcile } from '../../src/engine/reconcile';
import { EPIC_ALGORITHM_WIRE, KINDS } from '../../src/kinds';
import type { PexipSimulator } from '../../src/simulator/server';
import { profileBody, telehealthRuleBody } from '../helpers/fixtures';
import { clientFor, raw, startSimulator } from '../helpers/simulator';
import { tempDir } from '../helpers/terraform';

const CONFIG = '/api/admin/configuration/v1';
const DIST = resolve(__dirname, '..', '..', 'dist', 'src', 'index.js');
let sim: PexipSimulator;
let client: PexipClient;

beforeEach(async () => {
  sim = await startSimulator();
  client = clientFor(sim);
  // A hand-made production integration, as an admin would have clicked it together.
  const profile = (await raw(sim, 'POST', `${CONFIG}/telehealth_profile/`, { json: profileBody({ epic_encryption_algorithm: EPIC_ALGORITHM_WIRE['AES-256-CBC'], service_name_template: 'Visit {{unique_encounter_id}}' }) })).headers.get('location')!;
  await raw(sim, 'POST', `${CONFIG}/gateway_routing_rule/`, { json: telehealthRuleBody(profile, { ivr_theme: `${CONFIG}/ivr_theme/2/`, priority: 15, description: 'clicked in the UI' }) });
  await raw(sim, 'POST', `${CONFIG}/gateway_routing_rule/`, { json: { name: 'Unrelated rule', priority: 90, match_string: '.*' } });
  await raw(sim, 'POST', `${CONFIG}/licence/`, { json: { entitlement_id: 'DEMO-TELEHEALTH-0001' } });
});
afterEach(async () => {
  client.close();
  await sim.stop();
});

describe('export', () => {
  it('writes construct code for the telehealth objects only, with adoption and environment-named secrets', async () => {
    const { code, skipped } = exportCode(await observe(client, KINDS), { stack: 'prod', environment: 'production', scope: 'telehealth' });
    expect(skipped).toEqual([]);
    expect(code).toContain("const stack = new PexipStack(app, 'prod', { environment: 'production' });");
    expect(code).toContain("const healthcareOrg = new EpicTelehealthProfile(stack, 'healthcare-org', {");
    expect(code).toContain(`  uuid: '${profileBody().uuid}',`);
    expect(code).toContain("  epicEncryptionAlgorithm: 'AES-256-CBC',");
    expect(code).toContain("  encryptionKey: Secret.fromEnv('EPIC_PROD_ENCRYPTION_KEY'),");
    expect(code).toContain('  telehealthProfile: healthcareOrg,');
    expect(code).toContain("  ivrTheme: Theme.fromName('Pexip theme (English_UK)'),");
    expect(code).toContain("  description: 'clicked in the UI',");
    expect(code).toContain("new TelehealthLicence(stack, 'demo-telehealth-0001', {");
    expect(code).not.toContain('Unrelated rule');
    expect(code).not.toContain('patient-secret-q8Zt');
  });

  it('round-trips: the exported app synthesizes, adopts the objects without changing a field, then plans clean', async () => {
    const { code } = exportCode(await observe(client, KINDS), { stack: 'prod', environment: 'production', scope: 'telehealth', importFrom: DIST });
    const dir = tempDir('pexip-export-');
    writeFileSync(join(dir, 'app.js'), ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, strict: true } }).outputText);
    // NODE_PATH: the generated app imports cdktf like a user's app, from this project's node_modules.
    const env = { ...process.env, NODE_PATH: resolve(__dirname, '..', '..', 'node_modules'), EPIC_PROD_PATIENT_CLIENT_SECRET: 'p-secret-1234', EPIC_PROD_PROVIDER_CLIENT_SECRET: 'p-secret-1234', EPIC_PROD_ENCRYPTION_KEY: String(profileBody().epic_encryption_key) };
    execFileSync(process.execPath, [join(dir, 'app.js')], { cwd: dir, env, stdio: 'pipe' });
    const set = validateDesiredSet(JSON.parse(readFileSync(join(dir, 'cdktf.out', 'stacks', 'prod', 'pexip-desired.json'), 'utf8')));
    const { plan } = await planAgainstLive(set, client);
    const updates = plan.actions.filter((a) => a.type !== 'unchanged');
    expect(updates.map((a) => [a.type, a.id, a.type === 'update' ? a.takeover : undefined])).toEqual([
      ['update', 'healthcare-org', 'adopt'],
      ['update', 'epic-telehealth', 'adopt'],
    ]);
    // Adoption changes no field the user sees: only the ownership marker is added.
    for (const action of updates) if (action.type === 'update') expect(action.changes).toEqual([]);
    await reconcile(set, { client, env, baseDir: join(dir, 'cdktf.out', 'stacks', 'prod'), progress: () => {} });
    expect(hasChanges((await planAgainstLive(set, client)).plan)).toBe(false);
    expect(((await raw(sim, 'GET', `${CONFIG}/gateway_routing_rule/?limit=0`)).json as { objects: unknown[] }).objects).toHaveLength(2);
  });

  it('leaves out objects another stack owns, and says so', async () => {
    const rule = ((await raw(sim, 'GET', `${CONFIG}/gateway_routing_rule/?name=Epic%20telehealth`)).json as { objects: { resource_uri: string }[] }).objects[0];
    await raw(sim, 'PATCH', rule.resource_uri, { json: { tag: 'pexip-cdktf:nonprod/epic.rule' } });
    const { code, skipped } = exportCode(await observe(client, KINDS), { stack: 'prod', environment: 'production', scope: 'telehealth' });
    expect(skipped).toEqual([{ kind: 'gateway_routing_rule', name: 'Epic telehealth', reason: 'owned by stack "nonprod"' }]);
    expect(code).not.toContain("'Epic telehealth'");
  });
});
