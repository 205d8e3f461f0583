import { mixFor, objectCount } from '../../bench/mix';
import { renderChart, renderTables, type RunResult, targets } from '../../bench/report';

const phase = (seconds: number, requests = 0, writes = 0) => ({ seconds, requests, writes });
function result(n: number, oursFirst: number): RunResult {
  return {
    n,
    perKind: { telehealth_profile: n / 5, gateway_routing_rule: n / 5, ivr_theme: n / 5 + 4, webapp_branding: n / 5 + 1, policy_server: n / 5 },
    ours: { firstDeploy: phase(oursFirst, n + 7, n), noChangeDeploy: phase(4), noChangeApply: phase(1.1), oneFieldChange: phase(5, 8, 1), drift: phase(0.4, 7), destroy: phase(5, n + 6, n) },
    floor: { cdktfDeploy: phase(4.5), directClient: phase(0.5, n, n), terraformApply: phase(1), noChangeDeploy: phase(4), terraformPlan: phase(1) },
    cliStartMs: 100,
  };
}

describe('benchmark report', () => {
  it('mixes exactly N objects, a fifth of each kind (rules one per profile)', () => {
    for (const n of [10, 50, 200]) expect(objectCount(mixFor(n))).toBe(n);
    expect(mixFor(10)).toEqual({ profiles: 2, themes: 2, brandings: 2, policies: 2 });
  });

  it('compares the first deploy with the floor and applies the limits by N', () => {
    const t = targets([result(10, 7.4), result(50, 6.6)]);
    expect(t.find((x) => x.n === 10 && x.name === 'first deploy / floor')).toMatchObject({ value: '1.48', pass: true });
    expect(t.find((x) => x.n === 50 && x.name === 'first deploy / floor')).toMatchObject({ value: '1.32', pass: false });
  });

  it('fails the drift target when requests grow with N rather than with kinds and pages', () => {
    const r = result(200, 10);
    const slow = { ...r, ours: { ...r.ours, drift: phase(0.5, 200) } };
    expect(targets([slow]).find((x) => x.name.startsWith('drift requests'))).toMatchObject({ value: '200', limit: '≤ 7', pass: false });
    expect(targets([r]).find((x) => x.name === 'drift check seconds')).toMatchObject({ pass: true });
  });

  it('renders the table with PASS/FAIL and an SVG with one line per phase', () => {
    const text = renderTables([result(10, 6)]);
    expect(text).toMatch(/first cdktf deploy\s+6\.00\s+1\.20\s+17/);
    expect(text).toMatch(/one-field change: writes\s+10\s+1\s+= 1\s+PASS/);
    const svg = renderChart([result(10, 6), result(50, 8)]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(6);
  });
});
