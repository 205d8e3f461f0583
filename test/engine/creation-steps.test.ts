import type { PexipClient } from '../../src/api/client';
import { validateDesiredSet } from '../../src/engine/desired';
import { reconcile } from '../../src/engine/reconcile';
import { CREATION_ORDER, CREATION_STEPS, kindByName, referenceFields } from '../../src/kinds';
import type { PexipSimulator } from '../../src/simulator/server';
import { integrationSet, secretEnv, type Workspace, workspace } from '../helpers/desired';
import { clientFor, raw, startSimulator } from '../helpers/simulator';
import { waitFor } from '../helpers/wait';

/**
 * Creation steps order the kinds; a deploy's creates and updates then wait only for the objects they refer to: at
 * 200 ms per write (bench/, WAN model) waiting for whole kinds or steps costs rounds of writes a deploy need not pay.
 */
describe('creation steps', () => {
  it('contain every kind once, each after the kinds it refers to, the licence alone first', () => {
    expect(CREATION_STEPS.flat()).toHaveLength(CREATION_ORDER.length);
    expect(new Set(CREATION_STEPS.flat())).toEqual(new Set(CREATION_ORDER));
    expect(CREATION_STEPS[0]).toEqual([kindByName('licence')]);
    const stepOf = (name: string) => CREATION_STEPS.findIndex((step) => step.some((k) => k.name === name));
    for (const kind of CREATION_ORDER) {
      for (const { target } of referenceFields(kind)) expect(stepOf(target.name)).toBeLessThan(stepOf(kind.name));
    }
    // Independent kinds share a step: that is the point.
    expect(new Set(['policy_server', 'ivr_theme', 'webapp_branding', 'telehealth_profile'].map(stepOf)).size).toBe(1);
  });

  describe('against the simulator', () => {
    let sim: PexipSimulator;
    let client: PexipClient;
    let ws: Workspace;
    beforeEach(async () => {
      sim = await startSimulator();
      client = clientFor(sim, {}, { PEXIP_PARALLELISM: '4' });
      ws = workspace();
    });
    afterEach(async () => {
      sim.releaseHeld();
      client.close();
      await sim.stop();
    });

    it('creates independent kinds together, and a kind that refers to them only once they exist', async () => {
      // The theme's upload is held: kind by kind, nothing after themes would start until it is let go.
      sim.addFault({ match: { method: 'POST', path: '/ivr_theme/' }, action: { type: 'hold', maxMs: 15_000 } });
      const posts = () => sim.requests.filter((r) => r.method === 'POST').map((r) => r.resource ?? r.path);
      const running = reconcile(validateDesiredSet(JSON.parse(JSON.stringify(integrationSet(ws)))), { client, env: secretEnv(), baseDir: ws.dir, progress: () => undefined });
      await waitFor(() => sim.heldCount === 1 && posts().includes('telehealth_profile') && posts().includes('webapp_branding'));
      // The telehealth rule refers to the held theme: it has not started. The device-pairing rule refers to nothing of
      // ours and need not wait; the web app path waits only for the branding, which is done.
      await waitFor(() => posts().includes('webapp_alias'));
      await new Promise((r) => setTimeout(r, 100));
      const rules = await raw(sim, 'GET', '/api/admin/configuration/v1/gateway_routing_rule/?limit=0');
      expect((rules.json as { objects: { name: string }[] }).objects.map((r) => r.name)).toEqual(['Epic device pairing (non-prod)']);
      expect(posts().filter((p) => p === 'gateway_routing_rule')).toHaveLength(1);
      sim.releaseHeld();
      const { result } = await running;
      expect(result).toMatchObject({ created: 7, updated: 0, pruned: 0 });
      const order = posts();
      expect(order.lastIndexOf('gateway_routing_rule')).toBeGreaterThan(Math.max(order.indexOf('ivr_theme'), order.indexOf('telehealth_profile')));
      expect(order.indexOf('webapp_alias')).toBeGreaterThan(order.indexOf('webapp_branding'));
    });

    it('on a first deploy, makes the ledger before any other write', async () => {
      // The ledger's create (a policy profile) is held: nothing else may be written meanwhile, so an object with the
      // stack's marker and no ledger beside it always means the ledger was deleted, never a run killed early.
      sim.addFault({ match: { method: 'POST', path: '/policy_server/' }, action: { type: 'hold', maxMs: 15_000 } });
      const posts = () => sim.requests.filter((r) => r.method === 'POST').map((r) => r.resource ?? r.path);
      const running = reconcile(validateDesiredSet(JSON.parse(JSON.stringify(integrationSet(ws)))), { client, env: secretEnv(), baseDir: ws.dir, progress: () => undefined });
      await waitFor(() => sim.heldCount === 1);
      await new Promise((r) => setTimeout(r, 200));
      expect(posts()).toEqual(['policy_server']);
      sim.releaseHeld();
      await running;
      expect(posts().indexOf('ivr_theme')).toBeGreaterThan(posts().indexOf('policy_server'));
      expect(posts().indexOf('telehealth_profile')).toBeGreaterThan(posts().indexOf('policy_server'));
    });

    it('later, records pending entries before any create of a kind without a marker; the other creates need not wait', async () => {
      const set = validateDesiredSet(JSON.parse(JSON.stringify(integrationSet(ws))));
      const withoutTheme = { ...set, objects: set.objects.filter((o) => o.id !== 'theme' && o.id !== 'rule' && o.id !== 'rule.device-pairing') };
      await reconcile(withoutTheme, { client, env: secretEnv(), baseDir: ws.dir, progress: () => undefined });
      sim.clearRequests();
      // The ledger's next write (a PATCH of the policy profile holding it) is held: marker-owned creates go ahead.
      sim.addFault({ match: { method: 'PATCH', path: '/policy_server/' }, action: { type: 'hold', maxMs: 15_000 } });
      const posts = () => sim.requests.filter((r) => r.method === 'POST').map((r) => r.resource ?? r.path);
      const running = reconcile(set, { client, env: secretEnv(), baseDir: ws.dir, progress: () => undefined });
      // The device-pairing rule refers to nothing created in this run: it goes ahead while the ledger waits.
      await waitFor(() => sim.heldCount === 1 && posts().includes('gateway_routing_rule'));
      await new Promise((r) => setTimeout(r, 100));
      // The theme has no marker: created before its pending entry is written, a killed run could orphan it.
      expect(posts()).not.toContain('ivr_theme');
      sim.releaseHeld();
      await running;
      expect(posts()).toContain('ivr_theme');
    });
  });
});
