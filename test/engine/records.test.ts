import type { PexipClient } from '../../src/api/client';
import { ConfigError } from '../../src/api/errors';
import { PlanConflictError } from '../../src/engine/apply';
import { type DesiredSet, validateDesiredSet } from '../../src/engine/desired';
import { LEDGER_LIMIT } from '../../src/engine/ledger';
import { checkBinding } from '../../src/engine/node-identity';
import { planAgainstLive, reconcile } from '../../src/engine/reconcile';
import { NodeBindingError, RecordsError } from '../../src/engine/records';
import { removeStack } from '../../src/engine/remove';
import type { PexipSimulator } from '../../src/simulator/server';
import { integrationSet, secretEnv, type Workspace, workspace } from '../helpers/desired';
import { clientFor, raw, startSimulator } from '../helpers/simulator';

/**
 * When the records about a stack (Terraform state's binding, its ledger in Pexip, the markers) cannot be trusted,
 * every run that would write stops before its first write and says which record says what and how to recover.
 */
const CONFIG = '/api/admin/configuration/v1';
let sim: PexipSimulator;
let client: PexipClient;
let ws: Workspace;

beforeEach(async () => {
  sim = await startSimulator();
  client = clientFor(sim);
  ws = workspace();
});
afterEach(async () => {
  client.close();
  await sim.stop();
});

const valid = (set: DesiredSet) => validateDesiredSet(JSON.parse(JSON.stringify(set)));
const run = (set: DesiredSet, options: { boundNode?: string } = {}) => reconcile(valid(set), { client, env: secretEnv(), baseDir: ws.dir, progress: () => undefined, ...options });
const list = async (resource: string) => ((await raw(sim, 'GET', `${CONFIG}/${resource}/?limit=0`)).json as { objects: Record<string, any>[] }).objects;
const ledgerOf = async (stack: string) => (await list('policy_server')).find((p) => p.name === `pexip-cdktf: ${stack}`)!;

describe('records that cannot be trusted stop a run before its first write', () => {
  it('a policy profile holding the ledger\'s reserved name that is no ledger: a conflict in the plan, nothing written', async () => {
    await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'pexip-cdktf: nonprod', description: 'made by hand' } });
    sim.clearRequests();
    const { plan } = await planAgainstLive(valid(integrationSet(ws)), client);
    const conflict = plan.actions.find((a) => a.type === 'conflict' && a.name === 'pexip-cdktf: nonprod');
    expect(conflict).toMatchObject({ reason: expect.stringContaining('a policy profile named "pexip-cdktf: nonprod" exists but is not the stack\'s ledger') });
    await expect(run(integrationSet(ws))).rejects.toThrow(PlanConflictError);
    expect(sim.writes()).toEqual([]);
  });

  it('one object claimed by the ledgers of two stacks: both stacks refuse, naming the object and both stacks', async () => {
    await run(integrationSet(ws));
    const theme = (await list('ivr_theme')).find((t) => t.name === 'Telehealth waiting room')!;
    // A forged (or copied) ledger of another stack that claims the same theme.
    const ledger = JSON.parse((await ledgerOf('nonprod')).internal_service_policy_template);
    const forged = { ...ledger, stack: 'prod', objects: { theme: { kind: 'ivr_theme', key: String(theme.id) } }, fields: {} };
    await raw(sim, 'POST', `${CONFIG}/policy_server/`, {
      json: { name: 'pexip-cdktf: prod', description: 'Record of pexip-cdktf stack "prod": do not edit, assign or delete. [pexip-cdktf-ledger:prod]', internal_service_policy_template: JSON.stringify(forged) },
    });
    sim.clearRequests();
    const error = (await run(integrationSet(ws)).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(PlanConflictError);
    expect(error.message).toContain('theme "Telehealth waiting room" is claimed by the ledgers of stacks "nonprod" and "prod"; one object cannot belong to two stacks.');
    const removal = (await removeStack(client, 'nonprod', () => undefined).catch((e: unknown) => e)) as Error;
    expect(removal).toBeInstanceOf(RecordsError);
    expect(removal.message).toMatch(/^nothing was removed: theme "Telehealth waiting room" is claimed by the ledgers of stacks "nonprod" and "prod"/);
    expect(sim.writes()).toEqual([]);
  });

  it('a damaged ledger: reconcile and remove refuse with the recovery, nothing written', async () => {
    await run(integrationSet(ws));
    await raw(sim, 'PATCH', (await ledgerOf('nonprod')).resource_uri, { json: { internal_service_policy_template: '{not json' } });
    sim.clearRequests();
    await expect(run(integrationSet(ws))).rejects.toThrow('the ledger of stack "nonprod" (policy profile "pexip-cdktf: nonprod") is damaged: its content is not JSON. Someone edited it by hand; restore it from a backup, or delete it and adopt the stack\'s objects again.');
    await expect(removeStack(client, 'nonprod', () => undefined)).rejects.toThrow(RecordsError);
    expect(sim.writes()).toEqual([]);
  });

  it('a missing ledger at removal: refused, nothing written; with withoutLedger only what carries the marker goes', async () => {
    await run(integrationSet(ws));
    await raw(sim, 'DELETE', (await ledgerOf('nonprod')).resource_uri);
    sim.clearRequests();
    const error = (await removeStack(client, 'nonprod', () => undefined).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(RecordsError);
    expect(error.message).toContain('nothing was removed: the stack\'s ledger (policy profile "pexip-cdktf: nonprod") is missing');
    expect(error.message).toContain('Or set PEXIP_CDKTF_REMOVE_WITHOUT_LEDGER=1 (pexip-cdktf remove --without-ledger)');
    expect(sim.writes()).toEqual([]);
    const removed = await removeStack(client, 'nonprod', () => undefined, { withoutLedger: true });
    expect(removed.map((r) => r.kind)).not.toContain('ivr_theme');
    expect((await list('ivr_theme')).map((t) => t.name)).toContain('Telehealth waiting room');
  });

  it('a pending entry never takes an object someone made by hand meanwhile under the same name', async () => {
    const base = integrationSet(ws);
    const set = { ...base, objects: [...base.objects, { kind: 'http_proxy' as const, id: 'proxy', spec: { name: 'Epic egress', address: 'proxy.example.org', port: 3128, protocol: 'http', username: '' } }] };
    // The run records the proxy as pending, then its create fails (as a run killed right there would leave it).
    sim.addFault({ match: { method: 'POST', path: '/http_proxy/' }, action: { type: 'status', status: 500 }, times: 1 });
    await expect(run(set)).rejects.toThrow();
    const pending = JSON.parse((await ledgerOf('nonprod')).internal_service_policy_template).objects.proxy;
    expect(pending).toEqual({ kind: 'http_proxy', pending: 'Epic egress', expect: { name: 'Epic egress', address: 'proxy.example.org', port: 3128, protocol: 'http', username: '' } });
    // Meanwhile someone makes a proxy of that name by hand, pointing elsewhere.
    await raw(sim, 'POST', `${CONFIG}/http_proxy/`, { json: { name: 'Epic egress', address: 'other-proxy.example.org', port: 8080 } });
    sim.clearRequests();
    await expect(run(set)).rejects.toThrow('web proxy "proxy" ("Epic egress"): name "Epic egress" already exists in Pexip and is not owned by this stack.');
    expect(sim.writes()).toEqual([]);
    await removeStack(client, 'nonprod', () => undefined);
    expect((await list('http_proxy')).map((p) => p.address)).toEqual(['other-proxy.example.org']);
  });

  it('a stack too big for its ledger is refused before the first write, with the projected size', async () => {
    const base = integrationSet(ws);
    const many = Array.from({ length: 1100 }, (_, i) => ({ kind: 'policy_server' as const, id: `policy.site-${i}`, spec: { name: `Site policy ${i}` } }));
    sim.clearRequests();
    const error = (await run({ ...base, objects: [...base.objects, ...many] }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(new RegExp(`^stack "nonprod" declares too much for its ledger \\(projected \\d+ of ${LEDGER_LIMIT} characters\\); split it into smaller stacks\\. Nothing was written\\.$`));
    expect(sim.writes()).toEqual([]);
  });

  it('a stack bound to another node: reconcile and remove refuse before any request that writes, naming both nodes', async () => {
    const here = `${sim.identity.hostname}.sim.pexip.test (${sim.identity.address})`;
    expect((await checkBinding(client, 'nonprod', here))?.id).toBe(here);
    sim.clearRequests();
    const elsewhere = 'mgmt-prod.hospital.example (10.9.9.9)';
    const error = (await run(integrationSet(ws), { boundNode: elsewhere }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(NodeBindingError);
    expect(error.message).toBe(
      `stack "nonprod" lives on Management Node ${elsewhere} (recorded in its Terraform state when it was first deployed), but PEXIP_ADDRESS (${sim.url}) reaches ${here}; nothing was written and no secret was sent. Point PEXIP_ADDRESS at the stack's own node. If the stack really moves to that node, set moveToNode: '${here}' on PexipStack "nonprod" and deploy (its objects are created there; remove them from the old node with pexip-cdktf remove first if they should go).`,
    );
    await expect(removeStack(client, 'nonprod', () => undefined, { boundNode: elsewhere })).rejects.toThrow(NodeBindingError);
    // One read (which node is this?) and nothing else: no list, no write, no secret.
    expect(sim.requests.map((r) => `${r.method} ${r.resource}`)).toEqual(['GET management_vm', 'GET management_vm']);
  });
});
