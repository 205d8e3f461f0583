/** Benchmark results: the ratio table, the targets of issue 8 with PASS/FAIL, and an SVG chart of time against N. */

export interface Phase {
  /** Wall-clock seconds. */
  readonly seconds: number;
  /** Management-API requests the simulator received during the phase. */
  readonly requests: number;
  /** Of which writes (POST/PUT/PATCH/DELETE). */
  readonly writes: number;
}

export interface RunResult {
  readonly n: number;
  /** Objects of each kind in the mix, for the drift page count. */
  readonly perKind: Readonly<Record<string, number>>;
  readonly ours: {
    readonly firstDeploy: Phase;
    readonly noChangeDeploy: Phase;
    readonly noChangeApply: Phase;
    readonly oneFieldChange: Phase;
    readonly drift: Phase;
    readonly destroy: Phase;
  };
  readonly floor: {
    readonly cdktfDeploy: Phase;
    readonly directClient: Phase;
    readonly terraformApply: Phase;
    readonly noChangeDeploy: Phase;
    readonly terraformPlan: Phase;
  };
  readonly cliStartMs: number;
}

export interface Target {
  readonly name: string;
  readonly n: number;
  readonly value: string;
  readonly limit: string;
  readonly pass: boolean;
}

const PAGE_SIZE = 100;
const KINDS = 7;

/** The first deploy's floor: Terraform alone (cdktf deploy of N provisioner-less carriers) plus the minimum API work. */
export const firstDeployFloor = (r: RunResult) => r.floor.cdktfDeploy.seconds + r.floor.directClient.seconds;

export function targets(results: readonly RunResult[]): Target[] {
  const out: Target[] = [];
  for (const r of results) {
    const ratio = r.ours.firstDeploy.seconds / firstDeployFloor(r);
    const limit = r.n <= 10 ? 1.5 : 1.3;
    out.push({ name: 'first deploy / floor', n: r.n, value: ratio.toFixed(2), limit: `≤ ${limit}`, pass: ratio <= limit });
    const noChange = r.ours.noChangeApply.seconds / r.floor.terraformPlan.seconds;
    out.push({ name: 'no-change redeploy (terraform apply) / no-op terraform plan', n: r.n, value: noChange.toFixed(2), limit: '≤ 1.2', pass: noChange <= 1.2 });
    out.push({ name: 'no-change redeploy API requests', n: r.n, value: String(r.ours.noChangeDeploy.requests + r.ours.noChangeApply.requests), limit: '= 0', pass: r.ours.noChangeDeploy.requests + r.ours.noChangeApply.requests === 0 });
    const pages = Object.values(r.perKind).reduce((sum, count) => sum + Math.max(1, Math.ceil(count / PAGE_SIZE)), 0) + Math.max(0, KINDS - Object.keys(r.perKind).length);
    out.push({ name: 'drift requests (one per kind and page)', n: r.n, value: String(r.ours.drift.requests), limit: `≤ ${pages}`, pass: r.ours.drift.requests <= pages });
    if (r.n >= 200) out.push({ name: 'drift check seconds', n: r.n, value: r.ours.drift.seconds.toFixed(2), limit: '≤ 2', pass: r.ours.drift.seconds <= 2 });
    const perObject = r.ours.firstDeploy.requests / r.n;
    out.push({ name: 'create: API requests per object', n: r.n, value: perObject.toFixed(2), limit: '≤ 2', pass: perObject <= 2 });
    out.push({ name: 'one-field change: writes', n: r.n, value: String(r.ours.oneFieldChange.writes), limit: '= 1', pass: r.ours.oneFieldChange.writes === 1 });
  }
  return out;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r, j) => `  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}${j === 0 ? `\n  ${widths.map((w) => '-'.repeat(w)).join('  ')}` : ''}`).join('\n');
}

const s = (p: Phase) => p.seconds.toFixed(2);

export function renderTables(results: readonly RunResult[]): string {
  const phases: [string, (r: RunResult) => Phase, ((r: RunResult) => number) | undefined][] = [
    ['first cdktf deploy', (r) => r.ours.firstDeploy, firstDeployFloor],
    ['  floor: cdktf deploy of N+2 terraform_data', (r) => r.floor.cdktfDeploy, undefined],
    ['  floor: direct client script (API work)', (r) => r.floor.directClient, undefined],
    ['  plain terraform init + apply of N+2 terraform_data', (r) => r.floor.terraformApply, undefined],
    ['no-change cdktf deploy', (r) => r.ours.noChangeDeploy, (r) => r.floor.noChangeDeploy.seconds],
    ['no-change terraform apply (stack dir)', (r) => r.ours.noChangeApply, (r) => r.floor.terraformPlan.seconds],
    ['  floor: no-op terraform plan of N+2 terraform_data', (r) => r.floor.terraformPlan, undefined],
    ['one-field change cdktf deploy', (r) => r.ours.oneFieldChange, undefined],
    ['drift check (pexip-cdktf drift)', (r) => r.ours.drift, undefined],
    ['cdktf destroy', (r) => r.ours.destroy, undefined],
  ];
  const rows: string[][] = [['phase', ...results.flatMap((r) => [`N=${r.n} s`, 'ratio', 'requests'])]];
  for (const [name, pick, floor] of phases) {
    rows.push([name, ...results.flatMap((r) => [s(pick(r)), floor ? (pick(r).seconds / floor(r)).toFixed(2) : '', String(pick(r).requests)])]);
  }
  rows.push(['pexip-cdktf start (ms, median of 5)', ...results.flatMap((r) => [r.cliStartMs.toFixed(0), '', ''])]);
  const t = targets(results);
  const targetRows = [['target', 'N', 'measured', 'limit', 'result'], ...t.map((x) => [x.name, String(x.n), x.value, x.limit, x.pass ? 'PASS' : 'FAIL'])];
  return `${table(rows)}\n\nratio = ours / floor. Floor: the same number of terraform_data resources as our stack has carriers (N + 2), without\nprovisioners; for the first deploy plus a direct client script doing the minimum API work. First deploys and no-op\nphases: median of 3 runs, ours and floor interleaved.\n\n${table(targetRows)}\n`;
}

/** A small line chart of seconds against N, one line per phase. */
export function renderChart(results: readonly RunResult[]): string {
  const series: [string, string, (r: RunResult) => number][] = [
    ['first deploy', '#1f77b4', (r) => r.ours.firstDeploy.seconds],
    ['first deploy floor', '#1f77b4', firstDeployFloor],
    ['no-change deploy', '#2ca02c', (r) => r.ours.noChangeDeploy.seconds],
    ['one-field change', '#ff7f0e', (r) => r.ours.oneFieldChange.seconds],
    ['destroy', '#d62728', (r) => r.ours.destroy.seconds],
    ['drift check', '#9467bd', (r) => r.ours.drift.seconds],
  ];
  const width = 640;
  const height = 320;
  const left = 50;
  const bottom = 40;
  const top = 20;
  const right = 170;
  const maxN = Math.max(...results.map((r) => r.n));
  const maxY = Math.ceil(Math.max(...results.flatMap((r) => series.map(([, , f]) => f(r))))) || 1;
  const x = (n: number) => left + ((width - left - right) * n) / maxN;
  const y = (v: number) => height - bottom - ((height - bottom - top) * v) / maxY;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`, `<rect width="${width}" height="${height}" fill="white"/>`];
  parts.push(`<line x1="${left}" y1="${y(0)}" x2="${width - right}" y2="${y(0)}" stroke="black"/><line x1="${left}" y1="${y(0)}" x2="${left}" y2="${top}" stroke="black"/>`);
  for (let v = 0; v <= maxY; v += Math.max(1, Math.ceil(maxY / 6))) parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text><line x1="${left}" y1="${y(v)}" x2="${width - right}" y2="${y(v)}" stroke="#ddd"/>`);
  for (const r of results) parts.push(`<text x="${x(r.n)}" y="${height - bottom + 16}" text-anchor="middle">${r.n}</text>`);
  parts.push(`<text x="${(left + width - right) / 2}" y="${height - 6}" text-anchor="middle">objects (N)</text><text x="14" y="${top + 10}">s</text>`);
  series.forEach(([name, colour, f], i) => {
    const dash = name.endsWith('floor') ? ' stroke-dasharray="5,4"' : '';
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2"${dash} points="${results.map((r) => `${x(r.n).toFixed(1)},${y(f(r)).toFixed(1)}`).join(' ')}"/>`);
    parts.push(`<line x1="${width - right + 12}" y1="${top + 8 + i * 18}" x2="${width - right + 36}" y2="${top + 8 + i * 18}" stroke="${colour}" stroke-width="2"${dash}/><text x="${width - right + 42}" y="${top + 12 + i * 18}">${name}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
