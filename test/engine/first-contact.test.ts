import { validateDesiredSet, type DesiredSet } from '../../src/engine/desired';
import { hasChanges } from '../../src/engine/plan';
import { planAgainstLive, reconcile } from '../../src/engine/reconcile';
import { removeStack } from '../../src/engine/remove';
import { SchemaMismatchError } from '../../src/engine/schema-check';
import type { PexipSimulator } from '../../src/simulator/server';
import { VARIANTS } from '../../src/simulator/variants';
import { integrationSet, secretEnv, type Workspace, withNewerRuleFields, withObject, withSpec, workspace } from '../helpers/desired';
import { multipartBody, raw, clientFor, startSimulator } from '../helpers/simulator';
import { themePackage } from '../helpers/packages';

/**
 * First contact with nodes that are not the one our reading of the API describes (simulator variants): reconcile
 * reads the schema of what it writes before the first write, adapts where our description only guesses, and
 * otherwise refuses with nothing written. Theme identity rests on nothing a node may ignore.
 */
const CONFIG = '/api/admin/configuration/v1';
let ws: Workspace;
let sim: PexipSimulator;
let debug: string[];
let lines: string[];

beforeEach(() => {
  ws = workspace();
  debug = [];
  lines = [];
});
afterEach(() => sim?.stop());

async function run(set: DesiredSet) {
  const client = clientFor(sim);
  try {
    return await reconcile(validateDesiredSet(JSON.parse(JSON.stringify(set))), { client, env: secretEnv(), baseDir: ws.dir, progress: (line) => lines.push(line), debug: (line) => debug.push(line) });
  } finally {
    client.close();
  }
}
const list = async (resource: string) => ((await raw(sim, 'GET', `${CONFIG}/${resource}/?limit=0`)).json as { objects: Record<string, any>[] }).objects;
/** After a deploy fitted to the node: a plan (made before any schema read) is clean, and a redeploy writes nothing. */
async function expectSettled(set: DesiredSet): Promise<void> {
  const client = clientFor(sim);
  try {
    expect(hasChanges((await planAgainstLive(validateDesiredSet(JSON.parse(JSON.stringify(set))), client)).plan)).toBe(false);
  } finally {
    client.close();
  }
  sim.clearRequests();
  await run(set);
  expect(sim.writes()).toEqual([]);
}

describe('reconcile against other nodes', () => {
  it('sends the node\'s own spelling of the encryption algorithm, says so at debug level, and plans clean afterwards', async () => {
    sim = await startSimulator({ variant: VARIANTS['algorithm-choices'] });
    const set = integrationSet(ws);
    await run(set);
    expect((await list('telehealth_profile'))[0]).toMatchObject({ epic_encryption_algorithm: 'AES256', epic_encryption_key_type: 'base64_key' });
    expect(debug).toContain('telehealth_profile.epic_encryption_algorithm: sending "AES256", the node\'s value for AES-256-CBC (this project\'s default spelling is "aes256cbc").');
    expect(debug).toContain('telehealth_profile.epic_encryption_key_type: sending "base64_key", the node\'s value for base64key (this project\'s default spelling is "base64key").');
    // The markers record the spec as declared, not as fitted to the node.
    await expectSettled(set);
  });

  it('leaves out fields an older node lacks where the stack sends only their default; plans clean, redeploys with no write', async () => {
    sim = await startSimulator({ variant: VARIANTS['older-version'] });
    const set = withNewerRuleFields(integrationSet(ws));
    const { result } = await run(set);
    expect(result.created).toBe(7);
    expect(lines).toContain('note: call routing rule, field denoise_audio: the node has no field denoise_audio (an older Pexip version?); left out, since this stack sends only its default (true).');
    // Plans made without the node's schema skip the fields it lacks.
    await expectSettled(set);
  });

  it('refuses before any write a value other than the default for a field the node lacks, naming kind, field and value', async () => {
    sim = await startSimulator({ variant: VARIANTS['older-version'] });
    const error = await run(withNewerRuleFields(integrationSet(ws), { denoise_audio: false, live_captions_enabled: 'yes' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaMismatchError);
    expect((error as Error).message).toBe(
      'nothing was changed: the Management Node does not accept what this stack would send (2 problems):\n' +
        '  call routing rule, field denoise_audio: the node has no field denoise_audio (an older Pexip version?); this stack would send false: leave it unset (default true) to deploy to this node.\n' +
        '  call routing rule, field live_captions_enabled: the node has no field live_captions_enabled (an older Pexip version?); this stack would send "yes": leave it unset (default "default") to deploy to this node.\n' +
        'Run pexip-cdktf doctor for the full comparison.',
    );
    expect(sim.writes()).toEqual([]);
    // At most one schema request per kind written, before anything else is sent.
    const schemaReads = sim.requests.filter((r) => r.path.endsWith('/schema/')).map((r) => r.path);
    expect(new Set(schemaReads).size).toBe(schemaReads.length);
  });

  it('takes the web app types a node offers from its valid_choices: webapp1 deploys where offered, is refused with nothing written where not', async () => {
    const webapp1 = withSpec(withSpec(integrationSet(ws), 'path', { webapp_type: 'webapp1' }), 'branding', { webapp_type: 'webapp1' });
    sim = await startSimulator();
    await run(webapp1);
    expect((await list('webapp_alias')).map((p) => p.webapp_type)).toContain('webapp1');
    await sim.stop();
    sim = await startSimulator({ variant: { version: '38.1.0', kinds: { webapp_alias: { fields: { webapp_type: { values: ['webapp2', 'webapp3'] } } } } } });
    await expect(run(webapp1)).rejects.toThrow('  web app path, field webapp_type: this stack would send "webapp1"; the node accepts "webapp2", "webapp3".\n');
    expect(sim.writes()).toEqual([]);
  });

  it('refuses a value longer than the node allows, with nothing written', async () => {
    sim = await startSimulator({ variant: VARIANTS['short-lengths'] });
    const long = withSpec(integrationSet(ws), 'profile', { name: 'Healthcare Org (non-production)' });
    await expect(run(long)).rejects.toThrow('  Epic telehealth profile, field name: "Healthcare Org (non-production)" is 31 characters; the node allows at most 20.\n');
    expect(sim.writes()).toEqual([]);
  });
});

describe('theme identity', () => {
  it.each(['default', 'ignores-theme-uuid'] as const)('on the %s node: a content change keeps id and uuid; ownership, prune and removal still work', async (variant) => {
    sim = await startSimulator({ variant: VARIANTS[variant] });
    const set = integrationSet(ws);
    await run(set);
    const [before] = (await list('ivr_theme')).filter((t) => t.name === 'Telehealth waiting room');
    const changed = withObject(set, 'theme', { package: ws.writePackage('theme-v2.zip', themePackage('v2')) });
    await run(changed);
    const after = (await list('ivr_theme')).filter((t) => t.name === 'Telehealth waiting room');
    expect(after.map((t) => [t.id, t.uuid])).toEqual([[before.id, before.uuid]]);
    sim.clearRequests();
    await run(changed);
    expect(sim.writes()).toEqual([]);
    const { rule, ...rest } = changed.objects.find((o) => o.id === 'rule')!.spec as Record<string, unknown>;
    void rule;
    await run(withSpec({ ...changed, objects: changed.objects.filter((o) => o.id !== 'theme') }, 'rule', { ...rest, ivr_theme: null }));
    expect((await list('ivr_theme')).filter((t) => t.name === 'Telehealth waiting room')).toEqual([]);
    await run(changed);
    const client = clientFor(sim);
    await removeStack(client, 'nonprod', () => {});
    client.close();
    expect((await list('ivr_theme')).map((t) => t.name)).toEqual(['Pexip theme (English_US) with entry tones', 'Pexip theme (English_UK)', 'Pexip theme (English_UK) with entry tones', 'Pexip theme (English_US)']);
  });

  it('the ignores-theme-uuid node makes its own uuid whatever is posted (raw HTTP)', async () => {
    sim = await startSimulator({ variant: VARIANTS['ignores-theme-uuid'] });
    const upload = multipartBody({ name: 'Posted uuid', uuid: '11111111-2222-4333-8444-555555555555' }, { field: 'package', fileName: 't.zip', content: themePackage() });
    const created = await raw(sim, 'POST', `${CONFIG}/ivr_theme/`, { body: upload.body, headers: { 'Content-Type': upload.contentType } });
    expect(created.status).toBe(201);
    const theme = (await raw(sim, 'GET', created.headers.get('location')!)).json as { uuid: string };
    expect(theme.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(theme.uuid).not.toBe('11111111-2222-4333-8444-555555555555');
  });
});
