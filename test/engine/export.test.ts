import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import type { PexipClient } from '../../src/api/client';
import { validateDesiredSet } from '../../src/engine/desired';
import { exportCode } from '../../src/engine/export';
import { emptyLedger, findLedger, ledgerBody } from '../../src/engine/ledger';
import { observe } from '../../src/engine/live';
import { hasChanges } from '../../src/engine/plan';
import { planAgainstLive, reconcile } from '../../src/engine/reconcile';
import { EPIC_ALGORITHM_WIRE, KINDS } from '../../src/kinds';
import type { JsonObject } from '../../src/kinds/types';
import type { PexipSimulator } from '../../src/simulator/server';
import { profileBody, telehealthRuleBody } from '../helpers/fixtures';
import { clientFor, raw, startSimulator } from '../helpers/simulator';
import { tempDir } from '../helpers/terraform';

const CONFIG = '/api/admin/configuration/v1';
const DIST = resolve(__dirname, '..', '..', 'dist', 'src', 'index.js');
const SECRETS = {
  EPIC_PROD_PATIENT_CLIENT_SECRET: 'p-secret-1234',
  EPIC_PROD_PROVIDER_CLIENT_SECRET: 'p-secret-1234',
  EPIC_PROD_ENCRYPTION_KEY: String(profileBody().epic_encryption_key),
  EPIC_PROD_POLICY_SERVER_PASSWORD: 'policy-pw-1234',
  EPIC_PROD_WEB_PROXY_PASSWORD: 'proxy-pw-1234',
};

/** Runs exported code as an app (compiled like a user's) and reads the desired set it synthesized. */
function synthesize(code: string) {
  const dir = tempDir('pexip-export-');
  writeFileSync(join(dir, 'app.js'), ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, strict: true } }).outputText);
  // NODE_PATH: the generated app imports cdktf like a user's app, from this project's node_modules.
  const env = { ...process.env, NODE_PATH: resolve(__dirname, '..', '..', 'node_modules'), ...SECRETS };
  execFileSync(process.execPath, [join(dir, 'app.js')], { cwd: dir, env, stdio: 'pipe' });
  const set = validateDesiredSet(JSON.parse(readFileSync(join(dir, 'cdktf.out', 'stacks', 'prod', 'pexip-desired.json'), 'utf8')));
  return { set, env, dir };
}
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
    const { set, env, dir } = synthesize(code);
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

describe('export --all: web proxies and locations', () => {
  /** A policy profile and a web proxy made by hand, assigned by hand to two locations; a third uses only the proxy. */
  async function assignByHand(): Promise<{ policy: string; proxy: string }> {
    const created = async (resource: string, json: JsonObject) => {
      const answer = await raw(sim, 'POST', `${CONFIG}/${resource}/`, { json });
      expect(answer.status).toBe(201);
      return answer.headers.get('location')!.replace(/^https?:\/\/[^/]+/, '');
    };
    const policy = await created('policy_server', { name: 'Site policy', url: 'https://policy.example.org/', username: 'policy-user', password: SECRETS.EPIC_PROD_POLICY_SERVER_PASSWORD });
    const proxy = await created('http_proxy', { name: 'Epic egress proxy', address: 'proxy.example.org', port: 3128, username: 'proxy-user', password: SECRETS.EPIC_PROD_WEB_PROXY_PASSWORD });
    await created('system_location', { name: 'Hospital DC', policy_server: policy, http_proxy: proxy });
    await created('system_location', { name: 'Hospital Remote', policy_server: policy, http_proxy: proxy });
    await created('system_location', { name: 'Clinic North', http_proxy: proxy });
    return { policy, proxy };
  }
  const locations = async () => ((await raw(sim, 'GET', `${CONFIG}/system_location/?limit=0`)).json as { objects: JsonObject[] }).objects;

  it('declares web proxies, assigns them and policy profiles to the locations using them (one assignment per pair), and leaves out ledgers', async () => {
    await assignByHand();
    // Stack "other" keeps its ledger in Pexip, recording a web proxy as its own.
    const otherProxy = (await raw(sim, 'POST', `${CONFIG}/http_proxy/`, { json: { name: 'Other stack proxy', address: 'other.example.org' } })).headers.get('location')!;
    const ledger = { ...emptyLedger('other'), objects: { proxy: { kind: 'http_proxy' as const, key: otherProxy.replace(/\/$/, '').split('/').pop()! } } };
    expect((await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: ledgerBody(ledger) })).status).toBe(201);

    const { code, skipped } = exportCode(await observe(client, KINDS), { stack: 'prod', environment: 'production', scope: 'all' });
    expect(skipped).toEqual([{ kind: 'http_proxy', name: 'Other stack proxy', reason: 'owned by stack "other"' }]);
    expect(code).toContain(
      [
        "const epicEgressProxy = new WebProxy(stack, 'epic-egress-proxy', {",
        "  name: 'Epic egress proxy',",
        "  address: 'proxy.example.org',",
        '  port: 3128,',
        "  username: 'proxy-user',",
        "  password: Secret.fromEnv('EPIC_PROD_WEB_PROXY_PASSWORD'),",
        '  adopt: true,',
        '});',
      ].join('\n'),
    );
    // Its own variable: a web proxy's password is not the policy server's.
    expect(code).toContain("  password: Secret.fromEnv('EPIC_PROD_POLICY_SERVER_PASSWORD'),");
    expect(code).toContain(
      [
        '// system locations using policy profile "Site policy" and web proxy "Epic egress proxy": they already do, so the first deploy records both without a change',
        "new LocationAssignment(stack, 'locations-site-policy', {",
        "  locations: ['Hospital DC', 'Hospital Remote'],",
        '  policyProfile: sitePolicy,',
        '  webProxy: epicEgressProxy,',
        '});',
        '',
        '// system locations using web proxy "Epic egress proxy": they already do, so the first deploy records it without a change',
        "new LocationAssignment(stack, 'locations-epic-egress', {",
        "  locations: ['Clinic North'],",
        '  webProxy: epicEgressProxy,',
        '});',
      ].join('\n'),
    );
    expect(code).toMatch(/^import \{ [^}]*\bLocationAssignment\b[^}]*\bWebProxy\b[^}]*\} from/m);
    expect(code).not.toContain('pexip-cdktf: other');
    expect(code).not.toContain('Default location');
    expect(code).not.toContain('proxy-pw-1234');
  });

  it('gives every secret its own variable, even two of one kind', async () => {
    for (const name of ['Proxy A', 'Proxy B']) await raw(sim, 'POST', `${CONFIG}/http_proxy/`, { json: { name, address: 'proxy.example.org', username: 'u' } });
    const { code } = exportCode(await observe(client, KINDS), { stack: 'prod', environment: 'production', scope: 'all' });
    expect(code.match(/Secret\.fromEnv\('EPIC_PROD_WEB_PROXY_PASSWORD(_2)?'\)/g)).toEqual([
      "Secret.fromEnv('EPIC_PROD_WEB_PROXY_PASSWORD')",
      "Secret.fromEnv('EPIC_PROD_WEB_PROXY_PASSWORD_2')",
    ]);
  });

  it('round-trips: the first deploy adopts the policy profile and web proxy, records the location fields as they are (no takeOver), and the next plan is clean', async () => {
    const { policy, proxy } = await assignByHand();
    const { code } = exportCode(await observe(client, KINDS), { stack: 'prod', environment: 'production', scope: 'all', importFrom: DIST });
    const { set, env, dir } = synthesize(code);
    expect(set.objects.filter((o) => o.kind === 'system_location').every((o) => o.takeOver === undefined)).toBe(true);

    const { plan } = await planAgainstLive(set, client);
    // The locations already hold the exported objects: nothing to set, nothing someone else set.
    expect(plan.actions.filter((a) => a.kind === 'system_location').map((a) => [a.type, a.name])).toEqual([
      ['unchanged', 'Hospital DC'],
      ['unchanged', 'Hospital Remote'],
      ['unchanged', 'Clinic North'],
    ]);
    const updates = plan.actions.filter((a) => a.type !== 'unchanged');
    expect(updates.map((a) => [a.kind, a.name])).toEqual(
      expect.arrayContaining([
        ['http_proxy', 'Epic egress proxy'],
        ['policy_server', 'Site policy'],
      ]),
    );
    for (const action of updates) expect(action).toMatchObject({ type: 'update', takeover: 'adopt', changes: [] });

    const before = await locations();
    sim.clearRequests();
    await reconcile(set, { client, env, baseDir: join(dir, 'cdktf.out', 'stacks', 'prod'), progress: () => {} });
    expect(sim.writes().filter((w) => w.resource === 'system_location')).toEqual([]);
    expect(await locations()).toEqual(before);
    const { ledger } = findLedger(await observe(client, KINDS), 'prod')!;
    // The web proxy has no free-text field for a marker: the ledger records it as the stack's.
    expect(Object.values(ledger.objects)).toContainEqual(expect.objectContaining({ kind: 'http_proxy', key: proxy.split('/').at(-2) }));
    const recorded = ledger.fields;
    const record = (value: string, by: string) => ({ value, previous: value, by });
    expect(Object.values(recorded).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'Clinic North', fields: { http_proxy: record(proxy, expect.stringMatching(/^locations-epic-egress\./)) } },
      { name: 'Hospital DC', fields: { policy_server: record(policy, expect.stringMatching(/^locations-site-policy\./)), http_proxy: record(proxy, expect.stringMatching(/^locations-site-policy\./)) } },
      { name: 'Hospital Remote', fields: { policy_server: record(policy, expect.stringMatching(/^locations-site-policy\./)), http_proxy: record(proxy, expect.stringMatching(/^locations-site-policy\./)) } },
    ]);
    expect(hasChanges((await planAgainstLive(set, client)).plan)).toBe(false);
  });
});
