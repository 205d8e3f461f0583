import type { PexipClient } from '../../src/api/client';
import { ConfigError } from '../../src/api/errors';
import { PlanConflictError } from '../../src/engine/apply';
import type { DesiredSet } from '../../src/engine/desired';
import { validateDesiredSet } from '../../src/engine/desired';
import { hasChanges } from '../../src/engine/plan';
import { planAgainstLive, reconcile } from '../../src/engine/reconcile';
import { derivedUuid } from '../../src/kinds/ownership';
import { RemovalBlockedError, removeStack } from '../../src/engine/remove';
import { adoptObjects } from '../../src/engine/adopt';
import type { PexipSimulator } from '../../src/simulator/server';
import { brandingPackage, themePackage } from '../helpers/packages';
import { integrationSet, markedBy, markerPattern, PROFILE_UUID, secretEnv, type Workspace, withObject, without, withSpec, workspace } from '../helpers/desired';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientFor, multipartBody, raw, startSimulator } from '../helpers/simulator';

const CONFIG = '/api/admin/configuration/v1';
let sim: PexipSimulator;
let client: PexipClient;
let ws: Workspace;
let env: NodeJS.ProcessEnv;
let lines: string[];

beforeEach(async () => {
  sim = await startSimulator();
  client = clientFor(sim);
  ws = workspace();
  env = secretEnv();
  lines = [];
});
afterEach(async () => {
  client.close();
  await sim.stop();
});

const run = (set: DesiredSet) => reconcile(validateDesiredSet(JSON.parse(JSON.stringify(set))), { client, env, baseDir: ws.dir, progress: (line) => lines.push(line) });
const list = async (resource: string) => ((await raw(sim, 'GET', `${CONFIG}/${resource}/?limit=0`)).json as { objects: Record<string, any>[] }).objects;
const writes = () => sim.writes().map((r) => `${r.method} ${r.resource ?? r.path}`);

describe('reconcile', () => {
  it('creates every object from empty, in dependency order, with one request per object', async () => {
    const { result } = await run(integrationSet(ws));
    expect(result).toMatchObject({ created: 7, updated: 0, pruned: 0 });
    // The ledger is created with the first requests (the theme is recorded as pending before it exists) and completed
    // last; each object comes after the objects it refers to (independent kinds run together, in any order).
    const w = writes();
    expect(w[w.length - 1]).toBe('PATCH policy_server');
    expect(w.slice(0, -1).sort()).toEqual(['POST gateway_routing_rule', 'POST gateway_routing_rule', 'POST ivr_theme', 'POST policy_server', 'POST policy_server', 'POST telehealth_profile', 'POST webapp_alias', 'POST webapp_branding']);
    // Progress lines come as each create completes, so they show the order per object (the device-pairing rule refers
    // to nothing of ours and may go early; the telehealth rule waits for its profile and theme).
    const at = (prefix: string) => {
      const index = lines.findIndex((l) => l.startsWith(prefix));
      expect(index).toBeGreaterThanOrEqual(0);
      return index;
    };
    expect(at('+ create web app path')).toBeGreaterThan(at('+ create web app branding'));
    expect(at('+ create theme')).toBeGreaterThan(at('+ create ledger of stack'));
    expect(at('+ create call routing rule "Epic telehealth')).toBeGreaterThan(Math.max(at('+ create Epic telehealth profile'), at('+ create theme')));
    const [profile] = await list('telehealth_profile');
    expect(profile).toMatchObject({ name: 'Healthcare Org', uuid: PROFILE_UUID, description: expect.stringMatching(/^Epic non-production \[pexip-cdktf:nonprod\/profile;sv=1;h=[0-9a-f]{8}\]$/) });
    const rule = (await list('gateway_routing_rule')).find((r) => r.name === 'Epic telehealth (non-prod)')!;
    expect(rule).toMatchObject({ tag: '', description: expect.stringMatching(markerPattern('nonprod', 'rule')), telehealth_profile: profile.resource_uri });
    expect(rule.ivr_theme.name).toBe('Telehealth waiting room');
    expect((await list('webapp_alias'))[0].branding.name).toBe('Telehealth branding');
    expect(lines).toContain('+ create ledger of stack "nonprod" (policy profile "pexip-cdktf: nonprod")');
  });

  it('sends the secrets on create and stores them in Pexip, never in progress output', async () => {
    await run(integrationSet(ws));
    const stored = (sim.exportState({ includeSecrets: true }) as any).config.telehealth_profile[0].data;
    expect(stored.epic_provider_app_client_secret).toBe(env.EPIC_NONPROD_PROVIDER_CLIENT_SECRET);
    expect(stored.epic_encryption_key).toBe(env.EPIC_NONPROD_ENCRYPTION_KEY);
    expect(lines.join('\n')).not.toContain('Zq81');
  });

  it('makes zero writes on a second run', async () => {
    const set = integrationSet(ws);
    await run(set);
    sim.clearRequests();
    const { result, plan } = await run(set);
    expect(writes()).toEqual([]);
    expect(result.unchanged).toBe(7);
    expect(plan.actions.every((a) => a.type === 'unchanged')).toBe(true);
    // Observing costs one list per kind, whatever the number of objects.
    expect(sim.requests).toHaveLength(9);
  });

  it('changes one field with exactly one PATCH of that field', async () => {
    const set = integrationSet(ws);
    await run(set);
    sim.clearRequests();
    const { plan } = await run(withSpec(set, 'profile', { service_name_template: 'Visit {{unique_encounter_id}}' }));
    expect(writes()).toEqual(['PATCH telehealth_profile']);
    expect(plan.actions.find((a) => a.id === 'profile')).toMatchObject({ type: 'update', changes: [{ field: 'service_name_template', from: 'Appointment {{unique_encounter_id}}', to: 'Visit {{unique_encounter_id}}' }], sendSecrets: false });
    expect(lines.at(-1)).toBe('~ update Epic telehealth profile "Healthcare Org" (profile): service_name_template');
  });

  it('migrates a rule an earlier version marked in its tag: no duplicate, no orphan, and the tag is the user\'s again', async () => {
    const set = integrationSet(ws);
    const pairing = set.objects.find((o) => o.id === 'rule.device-pairing')!;
    const old = await raw(sim, 'POST', `${CONFIG}/gateway_routing_rule/`, { json: { ...pairing.spec, tag: 'pexip-cdktf:nonprod/rule.device-pairing' } });
    expect(old.status).toBe(201);
    await run(set);
    expect(lines).toContain('~ update call routing rule "Epic device pairing (non-prod)" (rule.device-pairing): tag');
    const rules = (await list('gateway_routing_rule')).filter((r) => r.name === pairing.spec.name);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ resource_uri: old.headers.get('location'), tag: '', description: expect.stringMatching(markerPattern('nonprod', 'rule.device-pairing')) });

    const tagged = withSpec(set, 'rule.device-pairing', { tag: 'usage:telehealth-pairing' });
    await run(tagged);
    sim.clearRequests();
    const again = await run(tagged);
    expect(writes()).toEqual([]);
    expect(again.result.unchanged).toBe(7);
    expect((await list('gateway_routing_rule')).find((r) => r.name === pairing.spec.name)).toMatchObject({ tag: 'usage:telehealth-pairing', description: expect.stringMatching(markerPattern('nonprod', 'rule.device-pairing')) });
    await removeStack(client, 'nonprod', () => {});
    expect(await list('gateway_routing_rule')).toEqual([]);
  });

  it('renames in place: same id, one PATCH', async () => {
    const set = integrationSet(ws);
    await run(set);
    const before = (await list('gateway_routing_rule')).find(markedBy('nonprod', 'rule'))!;
    sim.clearRequests();
    await run(withSpec(set, 'rule', { name: 'Epic telehealth (test)' }));
    expect(writes()).toEqual(['PATCH gateway_routing_rule']);
    const after = (await list('gateway_routing_rule')).find(markedBy('nonprod', 'rule'))!;
    expect([after.id, after.name]).toEqual([before.id, 'Epic telehealth (test)']);
  });

  it('prunes what the stack no longer declares, after updating what referred to it', async () => {
    const set = integrationSet(ws);
    await run(set);
    sim.clearRequests();
    const { rule, ...rest } = set.objects.find((o) => o.id === 'rule')!.spec as Record<string, unknown>;
    void rule;
    const noTheme = withSpec(without(set, 'theme', 'rule.device-pairing'), 'rule', { ...rest, ivr_theme: null });
    await run(noTheme);
    expect(writes()).toEqual(['PATCH gateway_routing_rule', 'DELETE gateway_routing_rule', 'DELETE ivr_theme', 'PATCH policy_server']);
    expect((await list('ivr_theme')).map((t) => t.name)).not.toContain('Telehealth waiting room');
  });

  it('leaves objects made by hand alone, even when they look like ours', async () => {
    await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'Hand-made policy', description: 'pexip-cdktf:nonprod/policy' } });
    await run(integrationSet(ws));
    await run(without(integrationSet(ws), 'policy'));
    expect((await list('policy_server')).map((p) => p.name)).toEqual(['Hand-made policy', 'pexip-cdktf: nonprod']);
  });

  it('refuses an unowned object with a declared name, with a clear error and no write', async () => {
    await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'Telehealth local policy' } });
    sim.clearRequests();
    const error = await run(integrationSet(ws)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanConflictError);
    expect((error as Error).message).toBe(
      'nothing was changed: 1 conflict:\n  policy profile "policy" ("Telehealth local policy"): name "Telehealth local policy" already exists in Pexip and is not owned by this stack. Adopt it (pexip-cdktf adopt, or adopt: true on the construct) or choose another name.',
    );
    expect(writes()).toEqual([]);
  });

  it('adopts an unowned object when asked: marker added, fields aligned, no duplicate', async () => {
    await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'Telehealth local policy', description: 'made by hand' } });
    await run(withObject(integrationSet(ws), 'policy', { adopt: true }));
    const policies = (await list('policy_server')).filter((p) => p.name === 'Telehealth local policy');
    expect(policies).toHaveLength(1);
    expect(policies[0]).toMatchObject({ id: 1, description: expect.stringMatching(markerPattern('nonprod', 'policy', 'made by hand')), enable_internal_service_policy: true });
  });

  it('refuses to take another stack\'s object', async () => {
    await run(integrationSet(ws, 'other'));
    await expect(run(integrationSet(ws, 'nonprod'))).rejects.toThrow(/belongs to stack "other"; a stack never takes another stack's objects/);
  });

  it('refuses a profile uuid change unless explicitly allowed', async () => {
    const set = integrationSet(ws);
    await run(set);
    const moved = withSpec(set, 'profile', {
      uuid: '11111111-2222-4333-8444-555555555555',
      patient_oauth2_redirect_url: 'https://meet-test.example.org/api/telehealth/v1/patient/oauth2authorized/11111111-2222-4333-8444-555555555555',
      provider_oauth2_redirect_url: 'https://meet-test.example.org/api/telehealth/v1/provider/oauth2authorized/11111111-2222-4333-8444-555555555555/',
    });
    sim.clearRequests();
    await expect(run(moved)).rejects.toThrow(/changing the profile uuid from 5a0d7a9e-.* breaks Epic's launch and redirect URLs; set allowUuidChange/);
    expect(writes()).toEqual([]);
    await run(withObject(moved, 'profile', { allowUuidChange: true }));
    expect((await list('telehealth_profile'))[0].uuid).toBe('11111111-2222-4333-8444-555555555555');
  });

  it('warns, without failing, when the provider and patient client secrets differ', async () => {
    env.EPIC_NONPROD_PROVIDER_CLIENT_SECRET = 'a-different-provider-secret';
    await run(integrationSet(ws));
    expect(lines[0]).toBe('warning: Epic telehealth profile "profile": the provider and patient client secrets differ; Epic currently issues one value for both, so check that neither is another environment\'s or an old one.');
    expect(lines.join('\n')).not.toContain('a-different-provider-secret');
  });

  it('re-sends secrets only when secretsVersion changes', async () => {
    const set = integrationSet(ws);
    await run(set);
    const fingerprint = () => (sim.exportState() as any).config.telehealth_profile[0].data.epic_provider_app_client_secret;
    const before = fingerprint();
    env.EPIC_NONPROD_PROVIDER_CLIENT_SECRET = 'rotated-provider-secret-77';
    await run(set);
    expect(fingerprint()).toBe(before);
    sim.clearRequests();
    await run(withObject(set, 'profile', { secretsVersion: '2' }));
    expect(fingerprint()).not.toBe(before);
    expect(writes()).toEqual(['PATCH telehealth_profile']);
    expect(lines.at(-1)).toBe('~ update Epic telehealth profile "Healthcare Org" (profile): secrets sent');
    expect((await list('telehealth_profile'))[0].description).toMatch(/^Epic non-production \[pexip-cdktf:nonprod\/profile;sv=2;h=[0-9a-f]{8}\]$/);
  });

  it('uploads a changed theme package with one multipart PATCH', async () => {
    const set = integrationSet(ws);
    await run(set);
    const [before] = (await list('ivr_theme')).filter((t) => t.name === 'Telehealth waiting room');
    sim.clearRequests();
    await run(withObject(set, 'theme', { package: ws.writePackage('theme2.zip', themePackage('v2')) }));
    // The ledger records the new package hash only once it is uploaded.
    expect(writes()).toEqual(['PATCH ivr_theme', 'PATCH policy_server']);
    const [after] = (await list('ivr_theme')).filter((t) => t.name === 'Telehealth waiting room');
    expect(after.id).toBe(before.id);
    // Same theme: its id and uuid stay (the uuid is never sent; the ledger keeps the package hash).
    expect(after.uuid).toBe(before.uuid);
  });

  it('takes over a theme an earlier version marked by a derived uuid: recorded in the ledger, no duplicate, uuid kept', async () => {
    const set = integrationSet(ws);
    const theme = set.objects.find((o) => o.id === 'theme')!;
    const uuid = derivedUuid('nonprod', 'theme', theme.package!.sha256.slice(0, 12));
    const upload = multipartBody({ name: String(theme.spec.name), uuid }, { field: 'package', fileName: 'theme.zip', content: readFileSync(join(ws.dir, theme.package!.path)) });
    expect((await raw(sim, 'POST', `${CONFIG}/ivr_theme/`, { body: upload.body, headers: { 'Content-Type': upload.contentType } })).status).toBe(201);
    await run(set);
    const themes = (await list('ivr_theme')).filter((t) => t.name === theme.spec.name);
    expect(themes.map((t) => t.uuid)).toEqual([uuid]);
    sim.clearRequests();
    expect(hasChanges((await planAgainstLive(validateDesiredSet(JSON.parse(JSON.stringify(set))), client)).plan)).toBe(false);
    await removeStack(client, 'nonprod', () => {});
    expect((await list('ivr_theme')).filter((t) => t.name === theme.spec.name)).toEqual([]);
  });

  it('stops before writing when the ledger is gone while the stack\'s marked objects remain, and says how to recover', async () => {
    const set = integrationSet(ws);
    await run(set);
    const ledger = (await list('policy_server')).find((p) => p.name === 'pexip-cdktf: nonprod')!;
    await raw(sim, 'DELETE', ledger.resource_uri);
    sim.clearRequests();
    const error = (await run(set).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(PlanConflictError);
    expect(error.message).toContain(
      'policy profile "(ledger)" ("pexip-cdktf: nonprod"): the stack\'s ledger (policy profile "pexip-cdktf: nonprod") is missing, but 6 objects carry the stack\'s marker (',
    );
    expect(error.message).toContain('Restore it from a backup, or run pexip-cdktf adopt nonprod to record the declared themes and web proxies in a new ledger, then deploy again.');
    expect(error.message).toContain(
      'theme "theme" ("Telehealth waiting room"): name "Telehealth waiting room" already exists in Pexip and is not owned by this stack. Adopt it (pexip-cdktf adopt, or adopt: true on the construct) or choose another name. (A theme is recorded in the stack\'s ledger, policy profile "pexip-cdktf: nonprod", which is missing: if this is the stack\'s own, adopt it.)',
    );
    expect(sim.writes()).toEqual([]);
    // The recovery the message names: adopt records the theme in a new ledger; then the stack converges.
    await adoptObjects(validateDesiredSet(JSON.parse(JSON.stringify(set))), client, undefined, () => {});
    await run(set);
    expect((await list('ivr_theme')).filter((t) => t.name === 'Telehealth waiting room')).toHaveLength(1);
    expect(hasChanges((await planAgainstLive(validateDesiredSet(JSON.parse(JSON.stringify(set))), client)).plan)).toBe(false);
  });

  it('replaces a branding package: upload new, re-point the path, delete the old one', async () => {
    const set = integrationSet(ws);
    await run(set);
    const [old] = await list('webapp_branding').then((b) => b.filter((x) => x.name === 'Telehealth branding'));
    sim.clearRequests();
    await run(withObject(set, 'branding', { package: ws.writePackage('branding2.zip', brandingPackage('webapp3', 'v2')) }));
    expect(writes()).toEqual(['POST webapp_branding', 'PATCH webapp_alias', 'DELETE webapp_branding', 'PATCH policy_server']);
    const brandings = (await list('webapp_branding')).filter((x) => x.name === 'Telehealth branding');
    expect(brandings).toHaveLength(1);
    expect(brandings[0].uuid).not.toBe(old.uuid);
    expect((await list('webapp_alias'))[0].branding.uuid).toBe(brandings[0].uuid);
  });

  it('takes over an object whose logical id was renamed, instead of deleting and recreating it', async () => {
    const set = integrationSet(ws);
    await run(set);
    sim.clearRequests();
    const renamed = { ...set, objects: set.objects.map((o) => (o.id === 'policy' ? { ...o, id: 'policy.local' } : o)) };
    await run(renamed);
    expect(writes()).toEqual(['PATCH policy_server', 'PATCH policy_server']);
    expect((await list('policy_server')).find(markedBy('nonprod', 'policy.local'))).toBeDefined();
  });

  it('resolves a lookup of an existing theme it does not own, and reports a missing one as a conflict', async () => {
    const set = withSpec(without(integrationSet(ws), 'theme'), 'rule', { ivr_theme: { $lookup: { name: 'Pexip theme (English_UK)' } } });
    await run(set);
    const rule = (await list('gateway_routing_rule')).find(markedBy('nonprod', 'rule'))!;
    expect(rule.ivr_theme.uuid).toBe('defaultplushash');
    await expect(run(withSpec(set, 'rule', { ivr_theme: { $lookup: { name: 'No such theme' } } }))).rejects.toThrow(/field ivr_theme: no theme matches \{"name":"No such theme"\}/);
  });
});

describe('bad input fails before any request', () => {
  it.each([
    ['a dangling reference', (s: DesiredSet) => withSpec(s, 'rule', { telehealth_profile: { $ref: 'nope' } }), /call routing rule "rule", field telehealth_profile: refers to "nope", which this stack does not declare\./],
    ['a reference to the wrong kind', (s: DesiredSet) => withSpec(s, 'rule', { telehealth_profile: { $ref: 'theme' } }), /refers to theme "theme", but must refer to a Epic telehealth profile/],
    ['a duplicate logical id', (s: DesiredSet) => ({ ...s, objects: [...s.objects, s.objects[0]] }), /Epic telehealth profile "profile": duplicate logical id: also used by Epic telehealth profile "profile"\./],
    ['a duplicate name', (s: DesiredSet) => withSpec(s, 'rule.device-pairing', { name: 'Epic telehealth (non-prod)' }), /call routing rule "rule.device-pairing", field name: name "Epic telehealth \(non-prod\)" is also declared by call routing rule "rule"\./],
    ['an unknown field', (s: DesiredSet) => withSpec(s, 'policy', { colour: 'red' }), /policy profile "policy", field colour: unknown or read-only field colour\./],
    ['a secret in the spec', (s: DesiredSet) => withSpec(s, 'profile', { epic_encryption_key: 'x' }), /field epic_encryption_key: is a secret: give it in "secrets"/],
    ['a production secret in a non-production stack', (s: DesiredSet) => withObject(s, 'profile', { secrets: { epic_provider_app_client_secret: { env: 'EPIC_PROD_PROVIDER_CLIENT_SECRET' } } }), /this is a non-production stack, but the environment variable EPIC_PROD_PROVIDER_CLIENT_SECRET is the production variant\./],
    ['an invalid field value', (s: DesiredSet) => withSpec(s, 'rule', { priority: 500 }), /call routing rule "rule", field priority: Ensure this value is less than or equal to 200\./],
  ])('%s', async (_what, change, message) => {
    expect(() => validateDesiredSet(JSON.parse(JSON.stringify(change(integrationSet(ws)))))).toThrow(message);
    expect(sim.requests).toHaveLength(0);
  });

  it('a missing secret environment variable', async () => {
    delete env.EPIC_NONPROD_ENCRYPTION_KEY;
    const error = await run(integrationSet(ws)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe('Epic telehealth profile "profile", field epic_encryption_key: environment variable EPIC_NONPROD_ENCRYPTION_KEY is not set.');
    expect(sim.requests).toHaveLength(0);
  });

  it('a weak encryption key, naming the rule and not the key', async () => {
    env.EPIC_NONPROD_ENCRYPTION_KEY = Buffer.alloc(16, 3).toString('base64');
    const error = (await run(integrationSet(ws)).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/field epic_encryption_key: AES-256-CBC needs a 32-byte key .* \[epic-key\/length\]$/);
    expect(error.message).not.toContain(env.EPIC_NONPROD_ENCRYPTION_KEY);
    expect(sim.requests).toHaveLength(0);
  });

  it('a missing secret file and a missing package file', async () => {
    const fileSecret = withObject(integrationSet(ws), 'profile', {
      secrets: { epic_encryption_key: { file: 'secrets/nonprod-encryption-key' }, epic_provider_app_client_secret: { env: 'EPIC_NONPROD_PROVIDER_CLIENT_SECRET' } },
    });
    await expect(run(fileSecret)).rejects.toThrow(/field epic_encryption_key: cannot read secret file .*secrets\/nonprod-encryption-key \(ENOENT\)/);
    await expect(run(withObject(integrationSet(ws), 'theme', { package: { path: 'gone.zip', sha256: 'a'.repeat(64) } }))).rejects.toThrow(/theme "theme", field package: cannot read package .*gone\.zip \(ENOENT\)/);
    expect(sim.requests).toHaveLength(0);
  });
});

describe('remove', () => {
  it('deletes in the documented order and leaves unowned objects alone', async () => {
    await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'Other team policy' } });
    await run(integrationSet(ws));
    sim.clearRequests();
    const removed = await removeStack(client, 'nonprod', (line) => lines.push(line));
    // The deletes of one removal step run together: the two rules in either order, both before the profile.
    expect(removed.slice(0, 2).map((r) => r.name).sort()).toEqual(['Epic device pairing (non-prod)', 'Epic telehealth (non-prod)']);
    expect(removed.slice(2).map((r) => `${r.kind}:${r.name}`)).toEqual([
      'telehealth_profile:Healthcare Org',
      'webapp_alias:telehealth-test',
      'webapp_branding:Telehealth branding',
      'ivr_theme:Telehealth waiting room',
      'policy_server:Telehealth local policy',
    ]);
    expect(writes()).toEqual(['DELETE gateway_routing_rule', 'DELETE gateway_routing_rule', 'DELETE telehealth_profile', 'DELETE webapp_alias', 'DELETE webapp_branding', 'DELETE ivr_theme', 'DELETE policy_server', 'DELETE policy_server']);
    expect(lines.at(-1)).toBe('- remove ledger of stack "nonprod" (policy profile "pexip-cdktf: nonprod")');
    expect((await list('policy_server')).map((p) => p.name)).toEqual(['Other team policy']);
    expect(await list('ivr_theme')).toHaveLength(4);
  });

  it('finishes the job when re-run after an interruption', async () => {
    await run(integrationSet(ws));
    sim.addFault({ match: { method: 'DELETE', path: '/telehealth_profile/' }, action: { type: 'status', status: 500 } });
    await expect(removeStack(client, 'nonprod', () => {})).rejects.toThrow(/Epic telehealth profile "Healthcare Org" — DELETE .*: the Management Node answered HTTP 500\./);
    expect((await list('gateway_routing_rule'))).toHaveLength(0);
    expect(await list('telehealth_profile')).toHaveLength(1);
    const removed = await removeStack(client, 'nonprod', () => {});
    expect(removed.map((r) => r.kind)).toEqual(['telehealth_profile', 'webapp_alias', 'webapp_branding', 'ivr_theme', 'policy_server']);
    expect(await removeStack(client, 'nonprod', () => {})).toEqual([]);
  });

  it('refuses before the first delete when objects it does not own still use owned ones, naming each', async () => {
    await run(integrationSet(ws));
    const [profile] = await list('telehealth_profile');
    const [branding] = (await list('webapp_branding')).filter((b) => b.name === 'Telehealth branding');
    await raw(sim, 'POST', `${CONFIG}/gateway_routing_rule/`, { json: { name: 'Hand-made rule', priority: 50, match_string: '.*', called_device_type: 'telehealth_profile', telehealth_profile: profile.resource_uri } });
    await raw(sim, 'POST', `${CONFIG}/webapp_alias/`, { json: { slug: 'hand-made', webapp_type: 'webapp3', branding: branding.resource_uri } });
    sim.clearRequests();
    const error = await removeStack(client, 'nonprod', () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemovalBlockedError);
    expect((error as Error).message).toBe(
      'nothing was removed: 2 objects this stack does not own still use objects it would remove (Pexip refuses to delete an object in use):\n' +
        '  call routing rule "Hand-made rule" (field telehealth_profile) uses Epic telehealth profile "Healthcare Org"\n' +
        '  web app path "hand-made" (field branding) uses web app branding package "Telehealth branding"\n' +
        'Re-point or remove them in Pexip, then run the removal again.',
    );
    expect(writes()).toEqual([]);
  });
});

describe('plan (drift)', () => {
  it('names the field changed by hand, and the prune of an object deleted by hand shows as a create', async () => {
    const set = integrationSet(ws);
    await run(set);
    const rule = (await list('gateway_routing_rule')).find(markedBy('nonprod', 'rule'))!;
    await raw(sim, 'PATCH', rule.resource_uri, { json: { priority: 99 } });
    const policy = (await list('policy_server')).find(markedBy('nonprod', 'policy'))!;
    await raw(sim, 'DELETE', policy.resource_uri);
    sim.clearRequests();
    const { plan } = await planAgainstLive(validateDesiredSet(JSON.parse(JSON.stringify(set))), client);
    expect(writes()).toEqual([]);
    expect(plan.actions.filter((a) => a.type !== 'unchanged').map((a) => [a.type, a.id, a.type === 'update' ? a.changes : undefined])).toEqual([
      ['create', 'policy', undefined],
      ['update', 'rule', [{ field: 'priority', from: 99, to: 10 }]],
    ]);
    // Both are hand edits of what the stack last applied (the ledger recorded the policy; the rule's marker holds
    // the hash of its spec), not changes the code asks for.
    expect(plan.actions.filter((a) => a.type !== 'unchanged').map((a) => (a as { cause?: string }).cause)).toEqual(['drift', 'drift']);
    const changed = withSpec(set, 'rule', { priority: 12 });
    const { plan: pending } = await planAgainstLive(validateDesiredSet(JSON.parse(JSON.stringify(changed))), client);
    expect(pending.actions.find((a) => a.id === 'rule')).toMatchObject({ type: 'update', cause: 'pending' });
  });
});

describe('duplicates carrying one marker (a create that committed twice)', () => {
  it('keeps the copy other objects use, even when it is listed second, and prunes the other', async () => {
    const set = integrationSet(ws);
    await run(set);
    const [first] = (await list('webapp_branding')).filter((b) => b.name === 'Telehealth branding');
    // A second copy with the same marker, as a late commit leaves it; the web app path ends up using that one.
    const { body, contentType } = multipartBody(
      { name: 'Telehealth branding', webapp_type: 'webapp3', description: first.description },
      { field: 'branding_file', fileName: 'b.zip', content: readFileSync(join(ws.dir, 'branding.zip')) },
    );
    const second = (await raw(sim, 'POST', `${CONFIG}/webapp_branding/`, { body, headers: { 'Content-Type': contentType } })).headers.get('location')!;
    const [alias] = await list('webapp_alias');
    await raw(sim, 'PATCH', alias.resource_uri, { json: { branding: second } });
    sim.clearRequests();
    await run(set);
    // The ledger records the copy that stays.
    expect(writes()).toEqual(['DELETE webapp_branding', 'PATCH policy_server']);
    const left = (await list('webapp_branding')).filter((b) => b.name === 'Telehealth branding');
    expect(left.map((b) => b.resource_uri)).toEqual([second]);
  });
});

describe('pruning something an unowned object uses', () => {
  it('stops before the first write, naming what blocks, and goes ahead once it is gone', async () => {
    const set = integrationSet(ws);
    await run(set);
    const [theme] = (await list('ivr_theme')).filter((t) => t.name === 'Telehealth waiting room');
    const hand = await raw(sim, 'POST', `${CONFIG}/gateway_routing_rule/`, { json: { name: 'Hand-made rule', priority: 150, match_string: '.*@x\\.example\\.org', ivr_theme: theme.resource_uri } });
    const { rule, ...rest } = set.objects.find((o) => o.id === 'rule')!.spec as Record<string, unknown>;
    void rule;
    const noTheme = withSpec(without(set, 'theme'), 'rule', { ...rest, ivr_theme: null });
    sim.clearRequests();
    const error = await run(noTheme).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanConflictError);
    expect((error as Error).message).toContain('theme "theme" ("Telehealth waiting room"): cannot be removed: objects this stack does not own still use it (Pexip refuses to delete an object in use):\n  call routing rule "Hand-made rule" (field ivr_theme) uses theme "Telehealth waiting room"');
    expect(writes()).toEqual([]);
    await raw(sim, 'DELETE', hand.headers.get('location')!);
    await run(noTheme);
    expect((await list('ivr_theme')).filter((t) => t.name === 'Telehealth waiting room')).toEqual([]);
  });
});
