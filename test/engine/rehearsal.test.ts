import { silentLogger } from '../../src/api/log';
import { type DesiredSet, validateDesiredSet } from '../../src/engine/desired';
import { runDoctor } from '../../src/engine/doctor';
import { planJson } from '../../src/cli/format';
import { planAgainstLive, reconcile } from '../../src/engine/reconcile';
import { removeStack } from '../../src/engine/remove';
import type { JsonObject } from '../../src/kinds/types';
import { snapshotNode } from '../../src/simulator/node-model';
import type { PexipSimulator } from '../../src/simulator/server';
import { VARIANTS } from '../../src/simulator/variants';
import { captureSnapshot } from '../../src/snapshot/capture';
import { snapshotText, parseSnapshot } from '../../src/snapshot/format';
import { integrationSet, secretEnv, type Workspace, withNewerRuleFields, withObject, withSpec, workspace } from '../helpers/desired';
import { themePackage } from '../helpers/packages';
import { clientFor, multipartBody, raw, simulatorEnv, startSimulator } from '../helpers/simulator';

/**
 * Rehearsing on a twin: a deploy against the twin made from a node's snapshot meets what it would meet on the node
 * itself: the same doctor verdict, the same refusals and conflicts, the same writes and the same result.
 */
const CONFIG = '/api/admin/configuration/v1';
let ws: Workspace;
const sims: PexipSimulator[] = [];
beforeEach(() => {
  ws = workspace();
});
afterEach(async () => Promise.all(sims.splice(0).map((s) => s.stop())));

async function started(options: Parameters<typeof startSimulator>[0]): Promise<PexipSimulator> {
  const sim = await startSimulator(options);
  sims.push(sim);
  return sim;
}

/** The twin of `sim`, made the way a user makes one: snapshot, file text, parsed back. */
async function twinOf(sim: PexipSimulator): Promise<PexipSimulator> {
  const client = clientFor(sim);
  try {
    const text = snapshotText(await captureSnapshot(client, () => {}));
    return await started({ node: snapshotNode(parseSnapshot(JSON.parse(text), 'snapshot')) });
  } finally {
    client.close();
  }
}

const withoutAddress = (text: string, sim: PexipSimulator) => text.split(sim.url).join('<node>');

async function doctorVerdict(sim: PexipSimulator, set: DesiredSet) {
  const report = await runDoctor({ ...simulatorEnv(sim), ...secretEnv() }, validateDesiredSet(JSON.parse(JSON.stringify(set))), ws.dir, silentLogger);
  return JSON.parse(withoutAddress(JSON.stringify(report), sim)) as unknown;
}

/** A deploy's outcome: its result or its error, and the writes it made (method and path). */
async function deployOutcome(sim: PexipSimulator, set: DesiredSet) {
  sim.clearRequests();
  const client = clientFor(sim);
  let outcome: unknown;
  try {
    outcome = (await reconcile(validateDesiredSet(JSON.parse(JSON.stringify(set))), { client, env: secretEnv(), baseDir: ws.dir, progress: () => {} })).result;
  } catch (error) {
    outcome = { error: withoutAddress((error as Error).message, sim) };
  } finally {
    client.close();
  }
  return { outcome, writes: sim.writes().map((w) => `${w.method} ${w.path} ${w.status}`).sort() };
}

async function planOf(sim: PexipSimulator, set: DesiredSet) {
  const client = clientFor(sim);
  try {
    return planJson((await planAgainstLive(validateDesiredSet(JSON.parse(JSON.stringify(set))), client)).plan, '<node>');
  } finally {
    client.close();
  }
}

/** Configuration as listed, without what a node makes up (times, random uuids, secret blobs) wherever it appears. */
async function configuration(sim: PexipSimulator): Promise<unknown> {
  const out: Record<string, JsonObject[]> = {};
  for (const kind of ['telehealth_profile', 'gateway_routing_rule', 'ivr_theme', 'webapp_alias', 'policy_server', 'http_proxy', 'system_location']) {
    out[kind] = ((await raw(sim, 'GET', `${CONFIG}/${kind}/?limit=0`)).json as { objects: JsonObject[] }).objects;
  }
  const text = JSON.stringify(out)
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}/g, '<time>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\$~!1[A-Za-z0-9+/=]+/g, '<secret>');
  return JSON.parse(text) as unknown;
}

describe('round trip: a twin of each built-in variant behaves as the variant itself', () => {
  const plain = () => withNewerRuleFields(integrationSet(ws));
  // What some variant refuses: a long profile name (short-lengths), a value for a field an older node lacks.
  const stretching = () => withNewerRuleFields(withSpec(integrationSet(ws), 'profile', { name: 'Healthcare Org (non-production)' }), { denoise_audio: false });

  it.each(Object.keys(VARIANTS))('%s: same doctor verdict and same deploy outcome, for a set it takes and one it may refuse', async (variant) => {
    const node = await started({ variant: VARIANTS[variant] });
    expect((await raw(node, 'POST', `${CONFIG}/licence/`, { json: { entitlement_id: 'DEMO-TELEHEALTH-0001' } })).status).toBe(201);
    const twin = await twinOf(node);
    for (const set of [stretching(), plain()]) {
      const verdict = await doctorVerdict(node, set);
      expect(await doctorVerdict(twin, set)).toEqual(verdict);
      const outcome = await deployOutcome(node, set);
      expect(await deployOutcome(twin, set)).toEqual(outcome);
    }
    expect(await configuration(twin)).toEqual(await configuration(node));
  });

  it('the variants differ where they should (the comparison above can tell nodes apart)', async () => {
    const verdicts = new Map<string, string>();
    for (const variant of Object.keys(VARIANTS)) {
      const node = await started({ variant: VARIANTS[variant] });
      verdicts.set(variant, JSON.stringify(await deployOutcome(await twinOf(node), stretching())));
    }
    expect(verdicts.get('default')).not.toEqual(verdicts.get('older-version'));
    expect(verdicts.get('default')).not.toEqual(verdicts.get('short-lengths'));
    expect(verdicts.get('older-version')).toContain('denoise_audio');
    expect(verdicts.get('short-lengths')).toContain('the node allows at most 20');
  });
});

describe('a twin of a node with hand-made objects', () => {
  /** A node someone configured by hand: a policy named as the stack's, a location set to a site policy, a theme. */
  async function handMadeNode(): Promise<PexipSimulator> {
    const node = await started({});
    const post = async (kind: string, body: JsonObject) => {
      const r = await raw(node, 'POST', `${CONFIG}/${kind}/`, { json: body });
      expect(r.status).toBe(201);
      return r.headers.get('location')!;
    };
    await post('policy_server', { name: 'Telehealth local policy', description: 'made by hand' });
    const site = await post('policy_server', { name: 'Site policy' });
    expect((await raw(node, 'PATCH', `${CONFIG}/system_location/1/`, { json: { policy_server: site } })).status).toBe(202);
    // A theme only the stack's rule refers to, by name: an unowned reference.
    const upload = multipartBody({ name: 'Hospital hold music' }, { field: 'package', fileName: 'hold.zip', content: themePackage('hold') });
    expect((await raw(node, 'POST', `${CONFIG}/ivr_theme/`, { body: upload.body, headers: { 'Content-Type': upload.contentType } })).status).toBe(201);
    return node;
  }

  function handMadeSet(): DesiredSet {
    const set = withSpec(integrationSet(ws), 'rule', { ivr_theme: { $lookup: { name: 'Hospital hold music' } } });
    return { ...set, objects: [...set.objects.filter((o) => o.id !== 'theme'), { kind: 'system_location', id: 'loc', spec: { name: 'Default location', policy_server: { $ref: 'policy' } } }] };
  }

  it('reproduces the conflicts (name clash, location value set by hand) and, once adopted and taken over, the same deploy', async () => {
    const node = await handMadeNode();
    const twin = await twinOf(node);
    const set = handMadeSet();
    const plan = await planOf(node, set);
    expect(await planOf(twin, set)).toEqual(plan);
    const conflicts = (plan.actions as JsonObject[]).filter((a) => a.type === 'conflict').map((a) => `${String(a.kind)}: ${String(a.reason)}`);
    expect(conflicts).toEqual([
      expect.stringMatching(/^policy_server: name "Telehealth local policy" already exists in Pexip and is not owned by this stack\./),
      'system_location: system location "Default location", field policy_server: holds "/api/admin/configuration/v1/policy_server/2/", which this stack did not set. Set takeOver: true to replace it (removal then restores it), or leave the field out.',
    ]);
    const refused = await deployOutcome(node, set);
    expect(refused.writes).toEqual([]);
    expect(await deployOutcome(twin, set)).toEqual(refused);

    const agreed = withObject(withObject(set, 'policy', { adopt: true }), 'loc', { takeOver: true });
    const deployed = await deployOutcome(node, agreed);
    expect(deployed.outcome).toMatchObject({ created: 5, pruned: 0 });
    expect(await deployOutcome(twin, agreed)).toEqual(deployed);
    const nodeConfig = (await configuration(node)) as Record<string, JsonObject[]>;
    expect(await configuration(twin)).toEqual(nodeConfig);
    // The rule refers to the hand-made theme, by the same id on both.
    const theme = nodeConfig.ivr_theme.find((t) => t.name === 'Hospital hold music')!;
    expect(nodeConfig.gateway_routing_rule.find((r) => r.name === 'Epic telehealth (non-prod)')!.ivr_theme).toMatchObject({ id: theme.id });
  });

  it('reproduces an unowned object still using one the stack would remove: the same conflict, the same refused removal', async () => {
    const node = await started({});
    const set = integrationSet(ws);
    expect((await deployOutcome(node, set)).outcome).toMatchObject({ created: 7 });
    // By hand, after the deploy: a rule of someone else's that uses the stack's theme.
    const [theme] = ((await raw(node, 'GET', `${CONFIG}/ivr_theme/?name=Telehealth%20waiting%20room`)).json as { objects: JsonObject[] }).objects;
    expect((await raw(node, 'POST', `${CONFIG}/gateway_routing_rule/`, { json: { name: 'Hand-made rule', priority: 90, match_string: 'x@y', ivr_theme: theme.resource_uri } })).status).toBe(201);
    const twin = await twinOf(node);
    const withoutTheme = withSpec({ ...set, objects: set.objects.filter((o) => o.id !== 'theme') }, 'rule', { ivr_theme: null });
    const plan = await planOf(node, withoutTheme);
    expect(await planOf(twin, withoutTheme)).toEqual(plan);
    expect((plan.actions as JsonObject[]).filter((a) => a.type === 'conflict').map((a) => String(a.reason))).toEqual([expect.stringMatching(/^cannot be removed: objects this stack does not own still use it/)]);
    const removal = async (sim: PexipSimulator) => {
      const client = clientFor(sim);
      sim.clearRequests();
      const error = await removeStack(client, 'nonprod', () => {}).then(() => undefined, (e: unknown) => (e as Error).message);
      client.close();
      return { error, writes: sim.writes().length };
    };
    const refused = await removal(node);
    expect(refused).toEqual({ error: expect.stringContaining('Hand-made rule'), writes: 0 });
    expect(await removal(twin)).toEqual(refused);
  });
});
