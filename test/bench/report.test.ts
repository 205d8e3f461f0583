import { mixFor, objectCount } from '../../bench/mix';
import { type BenchResults, costModel, fitLine, type GitopsResult, listPages, type LoopbackResult, renderChart, renderCostModel, renderTables, targets, type WanResult, withinRatio } from '../../bench/report';

const phase = (seconds: number, requests = 0, writes = 0, apiSeconds = 0) => ({ seconds, apiSeconds, requests, writes });
const perKind = (n: number) => ({ telehealth_profile: n / 5, gateway_routing_rule: n / 5, ivr_theme: n / 5 + 4, webapp_branding: n / 5 + 1, policy_server: n / 5 + 1 });

function loopback(n: number, oursFirst: number, overrides: Partial<LoopbackResult['ours']> = {}): LoopbackResult {
  return {
    n,
    perKind: perKind(n),
    kindsWritten: 5,
    ours: {
      firstDeploy: phase(oursFirst, n + 2 + 23, n + 2, 0.5),
      noChangeDeploy: phase(4, 9),
      noChangeApply: phase(1.1),
      oneFieldChange: phase(5, 20, 2),
      drift: phase(0.4, 9),
      destroy: phase(5, n + 18, n + 1),
      ...overrides,
    },
    floor: { cdktfDeploy: phase(4.5), directClient: phase(0.5, n, n), terraformApply: phase(1), noChangeDeploy: phase(4), terraformPlan: phase(1), terraformNoOpApply: phase(1.1) },
    cliStartMs: 100,
  };
}

function wan(n: number, o: { deploy?: number; serialDeploy?: number; destroy?: number; serialDestroy?: number; drift?: number; slowest?: number } = {}): WanResult {
  const api = (apiSeconds: number, requests = 0, writes = 0) => phase(apiSeconds + 0.2, requests, writes, apiSeconds);
  return {
    n,
    ours: { deploy: api(o.deploy ?? 3.4, n + 16, n + 2), change: api(0.44, 11, 1), drift: api(o.drift ?? 0.11, 9), destroy: api(o.destroy ?? 3.5, n + 9, n + 1) },
    serial: { deploy: api(o.serialDeploy ?? 11.3), change: api(0.78), drift: api(0.51), destroy: api(o.serialDestroy ?? 11) },
    driftAt: [{ parallelism: 8, phase: api(0.13, 9) }],
    floor: { create: api(2.73, n, n), patch: api(0.21, 1, 1), delete: api(3.1, n, n), slowestList: { kind: 'policy_server', seconds: o.slowest ?? 0.06 } },
  };
}

function gitops(n: number, oursApply: number): GitopsResult {
  const steps = (apply: number) => ({ synth: phase(5), init: phase(0.2), plan: phase(2), apply: phase(apply) });
  return { n, ours: steps(oursApply), floor: { ...steps(9), directClient: phase(0.8, n, n) } };
}

const results = (parts: Partial<BenchResults>): BenchResults => ({ wanModel: { readMs: 50, writeMs: 200, jitterMs: 10 }, parallelism: 4, runs: 3, loopback: [], wan: [], gitops: [], ...parts });
const find = (t: ReturnType<typeof targets>, name: string, n?: number) => t.find((x) => x.name === name && (n === undefined || x.n === n));

describe('benchmark report', () => {
  it('mixes exactly N objects, a fifth of each kind (rules one per profile)', () => {
    for (const n of [10, 50, 200]) expect(objectCount(mixFor(n))).toBe(n);
    expect(mixFor(10)).toEqual({ profiles: 2, themes: 2, brandings: 2, policies: 2 });
  });

  it('counts one list request per kind and page, every kind included', () => {
    expect(listPages({})).toBe(9);
    expect(listPages({ ivr_theme: 204, policy_server: 100 })).toBe(11);
  });

  it('compares the first deploy with the floor and applies the limits by N', () => {
    const t = targets(results({ loopback: [loopback(10, 7.4), loopback(50, 6.6)] }));
    expect(find(t, 'first deploy / floor', 10)).toMatchObject({ value: '1.48', pass: true });
    expect(find(t, 'first deploy / floor', 50)).toMatchObject({ value: '1.32', pass: false });
  });

  it('lets a ratio target pass within 25 ms of its limit, and no further', () => {
    expect(withinRatio(0.12, 0.1, 1.2)).toBe(true);
    expect(withinRatio(0.14, 0.1, 1.2)).toBe(true);
    expect(withinRatio(0.146, 0.1, 1.2)).toBe(false);
    // Seconds-long phases: the tolerance is immaterial.
    expect(withinRatio(13.02, 10, 1.3)).toBe(true);
    expect(withinRatio(13.03, 10, 1.3)).toBe(false);
    const t = targets(results({ loopback: [loopback(10, 6, { noChangeApply: phase(0.135) })].map((r) => ({ ...r, floor: { ...r.floor, terraformPlan: phase(0.1) } })) }));
    expect(find(t, 'no-change terraform apply / no-op terraform plan')).toMatchObject({ value: '1.35 (+15 ms)', pass: true });
  });

  it('judges a no-change redeploy by its writes (none) and its reads (the synth check: one per kind and page, and the node)', () => {
    const t = targets(results({ loopback: [loopback(50, 6, { noChangeDeploy: phase(4, 10) })] }));
    expect(find(t, 'no-change redeploy: writes')).toMatchObject({ value: '0', limit: '= 0', pass: true });
    expect(find(t, 'no-change cdktf deploy: reads (synth check + node)')).toMatchObject({ value: '10', limit: '≤ 10', pass: true });
    const writing = targets(results({ loopback: [loopback(50, 6, { noChangeDeploy: phase(4, 12, 1), noChangeApply: phase(1.1, 3) })] }));
    expect(find(writing, 'no-change redeploy: writes')).toMatchObject({ value: '1', pass: false });
    expect(find(writing, 'no-change cdktf deploy: reads (synth check + node)')).toMatchObject({ value: '12', pass: false });
    expect(find(writing, 'no-change terraform apply: requests')).toMatchObject({ value: '3', pass: false });
  });

  it('fails the drift and create targets when requests grow with N rather than with kinds and pages', () => {
    const t = targets(results({ loopback: [loopback(200, 10, { drift: phase(0.5, 200), firstDeploy: phase(10, 200 + 2 + 200, 202) })] }));
    expect(find(t, 'drift requests (one per kind and page)')).toMatchObject({ value: '200', limit: '≤ 9', pass: false });
    expect(find(t, 'create: reads (2 × lists + schema per kind + 2 node)')).toMatchObject({ value: '200', limit: '≤ 25', pass: false });
    expect(find(t, 'create: writes (one per object + 2 ledger)')).toMatchObject({ value: '202', limit: '≤ 202', pass: true });
    expect(find(targets(results({ loopback: [loopback(200, 10)] })), 'drift check seconds')).toMatchObject({ pass: true });
  });

  it('judges the WAN model at N ≥ 50 only: API time against the floor, speed-up against serial, drift against the slowest list', () => {
    const t = targets(results({ wan: [wan(10, { deploy: 9 }), wan(50)] }));
    expect(t.filter((x) => x.n === 10)).toEqual([]);
    expect(find(t, 'WAN first deploy API time / direct floor', 50)).toMatchObject({ value: '1.25', pass: true });
    expect(find(t, 'WAN first deploy: faster than serial', 50)).toMatchObject({ value: '3.32×', limit: '≥ 3×', pass: true });
    expect(find(t, 'WAN destroy API time / direct floor', 50)).toMatchObject({ value: '1.13', pass: true });
    expect(find(t, 'WAN drift API time / slowest kind list', 50)).toMatchObject({ value: '1.83', pass: true });
    const slow = targets(results({ wan: [wan(50, { deploy: 3.9, serialDestroy: 9, drift: 0.19 })] }));
    expect(find(slow, 'WAN first deploy API time / direct floor')).toMatchObject({ pass: false });
    expect(find(slow, 'WAN first deploy: faster than serial')).toMatchObject({ value: '2.90×', pass: false });
    expect(find(slow, 'WAN destroy: faster than serial')).toMatchObject({ value: '2.57×', pass: false });
    expect(find(slow, 'WAN drift API time / slowest kind list')).toMatchObject({ value: '3.17', pass: false });
  });

  it('judges the GitOps path at N ≥ 200 against its floor (the same steps without provisioners, plus the direct client)', () => {
    const t = targets(results({ gitops: [gitops(50, 30), gitops(200, 12)] }));
    expect(t.filter((x) => x.n === 50)).toEqual([]);
    // floor = 5 + 0.2 + 2 + 9 + 0.8 = 17; ours = 5 + 0.2 + 2 + 12 = 19.2
    expect(find(t, 'GitOps synth+init+plan+apply / floor', 200)).toMatchObject({ value: '1.13', pass: true });
    expect(find(targets(results({ gitops: [gitops(200, 15.2)] })), 'GitOps synth+init+plan+apply / floor')).toMatchObject({ value: '1.32', pass: false });
  });

  it('fits the cost model by least squares and checks it against the WAN cdktf deploy', () => {
    expect(fitLine([[12, 5], [52, 7], [202, 14.5]])).toEqual({ a: expect.closeTo(4.4, 1), b: expect.closeTo(0.05, 3) });
    expect(fitLine([[12, 5]])).toBeUndefined();
    // wall − API = 4 + 0.02 × carriers exactly.
    const exact = (n: number, api: number) => loopback(n, 4 + 0.02 * (n + 2) + api, { firstDeploy: phase(4 + 0.02 * (n + 2) + api, 0, 0, api) });
    const withDeploy: WanResult = { ...wan(50), cdktfDeploy: phase(9, 75, 52, 3.6) };
    const model = costModel(results({ loopback: [exact(10, 0.3), exact(50, 0.4), exact(200, 1)], wan: [withDeploy] }))!;
    expect(model.fixedSeconds).toBeCloseTo(4, 6);
    expect(model.perCarrierSeconds).toBeCloseTo(0.02, 6);
    // Predicted: 4 + 0.02 × 52 + (drift 0.11 + reconcile 3.4) = 8.55.
    expect(model.check).toMatchObject({ n: 50, measured: 9, predicted: expect.closeTo(8.55, 6) });
    expect(renderCostModel(model)).toMatch(/cdktf deploy ≈ 4\.00 s \+ 20\.0 ms × carriers \+ API time/);
    expect(renderCostModel(model)).toMatch(/measured 9\.00 s, model 8\.55 s .*-5%\)/);
    expect(costModel(results({ loopback: [loopback(10, 6)] }))).toBeUndefined();
  });

  it('renders every section with PASS/FAIL and an SVG with one line per series that has points', () => {
    const all = results({ loopback: [loopback(10, 6), loopback(50, 8)], wan: [wan(10), wan(50)], gitops: [gitops(200, 12)] });
    const text = renderTables(all);
    expect(text).toMatch(/first cdktf deploy\s+6\.00\s+1\.20\s+35 \(12 w\)/);
    expect(text).toMatch(/first deploy: pexip-cdktf reconcile\s+3\.40\s+3\.60\s+1\.25/);
    expect(text).toMatch(/at PEXIP_PARALLELISM=8\s+0\.13/);
    expect(text).toMatch(/terraform apply <plan>\s+12\.00/);
    expect(text).toMatch(/one-field change: writes \(field \+ ledger\)\s+10\s+2\s+= 2\s+PASS/);
    expect(text).toMatch(/Cost model, fitted by least squares/);
    expect(renderChart(all).match(/<polyline /g)).toHaveLength(9);
    expect(renderChart(results({ wan: [wan(50)] })).match(/<polyline /g)).toHaveLength(3);
    expect(renderTables(results({ wan: [wan(10)] }))).toContain('(no target is judged at these sizes)');
  });
});
