import { KINDS } from '../src/kinds';

/**
 * Benchmark results: the tables, the targets with PASS/FAIL, the cost model and an SVG chart. Pure functions of the
 * measurements, so the target logic is tested without timing anything.
 */

export interface Phase {
  /** Wall-clock seconds of the whole command. */
  readonly seconds: number;
  /** Seconds with at least one management-API request in flight (at the recording proxy): the API time. */
  readonly apiSeconds: number;
  /** Management-API requests during the phase. */
  readonly requests: number;
  /** Of which writes (POST/PUT/PATCH/DELETE). */
  readonly writes: number;
}

/** Loopback simulator, no latency: the cdktf paths at N objects against their floors. */
export interface LoopbackResult {
  readonly n: number;
  /** Objects of each kind in Pexip after the first deploy (for the one-request-per-kind-and-page limits). */
  readonly perKind: Readonly<Record<string, number>>;
  /** Kinds the first deploy writes (one schema read each). */
  readonly kindsWritten: number;
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
    /** cdktf deploy of our very stack without provisioners: the same plan lines to render (absent in older results). */
    readonly sameInputsDeploy?: Phase;
    readonly directClient: Phase;
    readonly terraformApply: Phase;
    readonly noChangeDeploy: Phase;
    readonly terraformPlan: Phase;
    /** A no-op `terraform apply` of the floor: what apply adds to plan (it writes the state). */
    readonly terraformNoOpApply: Phase;
  };
  readonly cliStartMs: number;
}

/** The WAN model: the CLI runs the provisioners make, at the default parallelism and serially, against floors. */
export interface WanResult {
  readonly n: number;
  readonly ours: { readonly deploy: Phase; readonly change: Phase; readonly drift: Phase; readonly destroy: Phase };
  readonly serial: { readonly deploy: Phase; readonly change: Phase; readonly drift: Phase; readonly destroy: Phase };
  /** The drift check at other parallelisms (what the drift target would need). */
  readonly driftAt: readonly { readonly parallelism: number; readonly phase: Phase }[];
  readonly floor: {
    readonly create: Phase;
    readonly patch: Phase;
    readonly delete: Phase;
    /** The slowest single kind's list, each kind listed alone. */
    readonly slowestList: { readonly kind: string; readonly seconds: number };
  };
  /** One full `cdktf deploy` at this N (the largest WAN N), to check the cost model. */
  readonly cdktfDeploy?: Phase;
}

/** The GitOps path: cdktf synth, terraform init, plan -out, apply of the saved plan. */
export interface GitopsSteps {
  readonly synth: Phase;
  readonly init: Phase;
  readonly plan: Phase;
  readonly apply: Phase;
}

export interface GitopsResult {
  readonly n: number;
  readonly ours: GitopsSteps;
  readonly floor: GitopsSteps & { readonly directClient: Phase };
}

export interface WanModel {
  readonly readMs: number;
  readonly writeMs: number;
  readonly jitterMs: number;
}

export interface BenchResults {
  readonly wanModel: WanModel;
  /** PEXIP_PARALLELISM of every run not marked serial. */
  readonly parallelism: number;
  /** Runs behind each median. */
  readonly runs: number;
  readonly loopback: readonly LoopbackResult[];
  readonly wan: readonly WanResult[];
  readonly gitops: readonly GitopsResult[];
}

export interface Target {
  readonly name: string;
  readonly n: number;
  readonly value: string;
  readonly limit: string;
  readonly pass: boolean;
}

/**
 * Below ~100 ms a ratio mostly measures scheduling noise on this shared 2-core machine: a ratio target also passes
 * when the measured time is within this many seconds of its limit.
 */
export const TOLERANCE_SECONDS = 0.025;
const PAGE_SIZE = 100;
/** The WAN and GitOps targets are set at these sizes (the issue's); smaller runs are shown but not judged. */
export const WAN_TARGET_MIN_N = 50;
export const GITOPS_TARGET_MIN_N = 200;

/** Requests for one list of every kind: one per kind and page. */
export function listPages(perKind: Readonly<Record<string, number>>): number {
  return KINDS.reduce((sum, kind) => sum + Math.max(1, Math.ceil((perKind[kind.name] ?? 0) / PAGE_SIZE)), 0);
}

/** The first deploy's floor: Terraform alone (cdktf deploy of N provisioner-less carriers) plus the minimum API work. */
export const firstDeployFloor = (r: LoopbackResult) => r.floor.cdktfDeploy.seconds + r.floor.directClient.seconds;
/**
 * The restated floor: our very stack (same carriers, same inputs, so the same plan for cdktf to render) without
 * provisioners, plus the minimum API work. The ratio then measures our work, not the field lines users review.
 */
export const sameInputsFloor = (r: LoopbackResult) => (r.floor.sameInputsDeploy ? r.floor.sameInputsDeploy.seconds + r.floor.directClient.seconds : undefined);
export const gitopsTotal = (s: GitopsSteps) => s.synth.seconds + s.init.seconds + s.plan.seconds + s.apply.seconds;
export const gitopsFloor = (r: GitopsResult) => gitopsTotal(r.floor) + r.floor.directClient.seconds;

/** `measured ≤ limit × floor`, or within TOLERANCE_SECONDS of it. */
export function withinRatio(measured: number, floor: number, limit: number): boolean {
  return measured <= limit * floor + TOLERANCE_SECONDS;
}

function ratioTarget(name: string, n: number, measured: number, floor: number, limit: number): Target {
  const over = measured - limit * floor;
  const note = over > 0 && over <= TOLERANCE_SECONDS ? ` (+${Math.round(over * 1000)} ms)` : '';
  return { name, n, value: `${(measured / floor).toFixed(2)}${note}`, limit: `≤ ${limit}×`, pass: withinRatio(measured, floor, limit) };
}

function countTarget(name: string, n: number, measured: number, limit: number, exact = false): Target {
  return { name, n, value: String(measured), limit: `${exact ? '=' : '≤'} ${limit}`, pass: exact ? measured === limit : measured <= limit };
}

export function targets(results: BenchResults): Target[] {
  const out: Target[] = [];
  for (const r of results.loopback) {
    const pages = listPages(r.perKind);
    const restated = sameInputsFloor(r);
    if (restated !== undefined) out.push(ratioTarget('first deploy / floor of the same inputs', r.n, r.ours.firstDeploy.seconds, restated, 1.3));
    else out.push(ratioTarget('first deploy / floor', r.n, r.ours.firstDeploy.seconds, firstDeployFloor(r), r.n <= 10 ? 1.5 : 1.3));
    out.push(ratioTarget('no-change terraform apply / no-op terraform plan', r.n, r.ours.noChangeApply.seconds, r.floor.terraformPlan.seconds, 1.2));
    out.push(countTarget('no-change redeploy: writes', r.n, r.ours.noChangeDeploy.writes + r.ours.noChangeApply.writes, 0, true));
    // The synth-time check: one list per kind and page, and which node answers (the stack's binding).
    out.push(countTarget('no-change cdktf deploy: reads (synth check + node)', r.n, r.ours.noChangeDeploy.requests, pages + 1));
    out.push(countTarget('no-change terraform apply: requests', r.n, r.ours.noChangeApply.requests, 0, true));
    out.push(countTarget('drift requests (one per kind and page)', r.n, r.ours.drift.requests, pages));
    if (r.n >= 200) out.push({ name: 'drift check seconds', n: r.n, value: r.ours.drift.seconds.toFixed(2), limit: '≤ 2', pass: r.ours.drift.seconds <= 2 });
    out.push(countTarget('create: writes (one per object + 2 ledger)', r.n, r.ours.firstDeploy.writes, r.n + 2));
    const reads = r.ours.firstDeploy.requests - r.ours.firstDeploy.writes;
    // Which node answers is read twice: by the synth-time check and by reconcile's binding check.
    out.push(countTarget('create: reads (2 × lists + schema per kind + 2 node)', r.n, reads, 2 * pages + r.kindsWritten + 2));
    // The field, and the ledger recording the deploy's convergence token (so the next in-sync plan is clean).
    out.push(countTarget('one-field change: writes (field + ledger)', r.n, r.ours.oneFieldChange.writes, 2, true));
  }
  for (const r of results.wan) {
    if (r.n < WAN_TARGET_MIN_N) continue;
    out.push(ratioTarget('WAN first deploy API time / direct floor', r.n, r.ours.deploy.apiSeconds, r.floor.create.apiSeconds, 1.3));
    out.push(speedupTarget('WAN first deploy: faster than serial', r.n, r.serial.deploy.apiSeconds, r.ours.deploy.apiSeconds));
    out.push(ratioTarget('WAN destroy API time / direct floor', r.n, r.ours.destroy.apiSeconds, r.floor.delete.apiSeconds, 1.3));
    out.push(speedupTarget('WAN destroy: faster than serial', r.n, r.serial.destroy.apiSeconds, r.ours.destroy.apiSeconds));
    out.push(ratioTarget('WAN drift API time / slowest kind list', r.n, r.ours.drift.apiSeconds, r.floor.slowestList.seconds, 2));
  }
  for (const r of results.gitops) {
    if (r.n < GITOPS_TARGET_MIN_N) continue;
    out.push(ratioTarget('GitOps synth+init+plan+apply / floor', r.n, gitopsTotal(r.ours), gitopsFloor(r), 1.3));
  }
  return out;
}

function speedupTarget(name: string, n: number, serial: number, ours: number): Target {
  const speedup = serial / ours;
  return { name, n, value: `${speedup.toFixed(2)}×`, limit: '≥ 3×', pass: speedup >= 3 };
}

/**
 * deploy ≈ fixed + perCarrier × carriers + API time. Fitted by least squares on the loopback first deploys (wall
 * time minus API time against carriers = N + 2); the floor's own line (cdktf deploy of provisioner-less carriers)
 * beside it shows what our carriers and provisioners add.
 */
export interface CostModel {
  readonly sizes: readonly number[];
  readonly fixedSeconds: number;
  readonly perCarrierSeconds: number;
  readonly floorFixedSeconds: number;
  readonly floorPerCarrierSeconds: number;
  /** The model against a full cdktf deploy under the WAN model, API time from the CLI runs at that N. */
  readonly check?: { readonly n: number; readonly measured: number; readonly predicted: number; readonly apiSeconds: number };
}

export const carriersFor = (n: number) => n + 2;

/** Least-squares line y = a + b·x; undefined with fewer than two distinct x. */
export function fitLine(points: readonly (readonly [number, number])[]): { a: number; b: number } | undefined {
  const xs = new Set(points.map(([x]) => x));
  if (xs.size < 2) return undefined;
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const b = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return { a: my - b * mx, b };
}

export function costModel(results: BenchResults): CostModel | undefined {
  const ours = fitLine(results.loopback.map((r) => [carriersFor(r.n), r.ours.firstDeploy.seconds - r.ours.firstDeploy.apiSeconds]));
  const floor = fitLine(results.loopback.map((r) => [carriersFor(r.n), r.floor.cdktfDeploy.seconds]));
  if (!ours || !floor) return undefined;
  const wan = results.wan.find((w) => w.cdktfDeploy);
  // A deploy's API time: the synth drift check (the same lists as pexip-cdktf drift) plus the reconcile.
  const apiSeconds = wan ? wan.ours.drift.apiSeconds + wan.ours.deploy.apiSeconds : 0;
  return {
    sizes: results.loopback.map((r) => r.n),
    fixedSeconds: ours.a,
    perCarrierSeconds: ours.b,
    floorFixedSeconds: floor.a,
    floorPerCarrierSeconds: floor.b,
    ...(wan?.cdktfDeploy ? { check: { n: wan.n, measured: wan.cdktfDeploy.seconds, predicted: ours.a + ours.b * carriersFor(wan.n) + apiSeconds, apiSeconds } } : {}),
  };
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r, j) => `  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}${j === 0 ? `\n  ${widths.map((w) => '-'.repeat(w)).join('  ')}` : ''}`).join('\n');
}

const s = (seconds: number) => seconds.toFixed(2);

function loopbackTable(results: readonly LoopbackResult[]): string {
  const phases: [string, (r: LoopbackResult) => Phase, ((r: LoopbackResult) => number) | undefined][] = [
    ['first cdktf deploy', (r) => r.ours.firstDeploy, firstDeployFloor],
    ['  ratio to the floor of the same inputs', (r) => r.ours.firstDeploy, (r) => sameInputsFloor(r) ?? Number.NaN],
    ['  floor: cdktf deploy of N+2 terraform_data', (r) => r.floor.cdktfDeploy, undefined],
    ['  floor: cdktf deploy of our stack, no provisioner', (r) => r.floor.sameInputsDeploy ?? { seconds: Number.NaN, requests: 0, writes: 0, apiSeconds: 0 }, undefined],
    ['  floor: direct client script (API work)', (r) => r.floor.directClient, undefined],
    ['  plain terraform init + apply of N+2 terraform_data', (r) => r.floor.terraformApply, undefined],
    ['no-change cdktf deploy', (r) => r.ours.noChangeDeploy, (r) => r.floor.noChangeDeploy.seconds],
    ['no-change terraform apply (stack dir)', (r) => r.ours.noChangeApply, (r) => r.floor.terraformPlan.seconds],
    ['  floor: no-op terraform plan of N+2 terraform_data', (r) => r.floor.terraformPlan, undefined],
    ['  floor: no-op terraform apply of N+2 terraform_data', (r) => r.floor.terraformNoOpApply, (r) => r.floor.terraformPlan.seconds],
    ['one-field change cdktf deploy', (r) => r.ours.oneFieldChange, undefined],
    ['drift check (pexip-cdktf drift)', (r) => r.ours.drift, undefined],
    ['cdktf destroy', (r) => r.ours.destroy, undefined],
  ];
  const rows: string[][] = [['phase', ...results.flatMap((r) => [`N=${r.n} s`, 'ratio', 'requests'])]];
  for (const [name, pick, floor] of phases) {
    rows.push([name, ...results.flatMap((r) => [s(pick(r).seconds), floor ? (pick(r).seconds / floor(r)).toFixed(2) : '', requestsCell(pick(r))])]);
  }
  rows.push(['pexip-cdktf start (ms, median of 5)', ...results.flatMap((r) => [r.cliStartMs.toFixed(0), '', ''])]);
  return table(rows);
}

/** Requests, with the writes among them when there are reads too. */
const requestsCell = (p: Phase) => (p.writes > 0 && p.writes < p.requests ? `${p.requests} (${p.writes} w)` : String(p.requests));

function wanTable(results: readonly WanResult[], parallelism: number, runs: number): string {
  const phases: [string, (r: WanResult) => Phase | undefined, ((r: WanResult) => number) | undefined][] = [
    [`first deploy: pexip-cdktf reconcile`, (r) => r.ours.deploy, (r) => r.floor.create.apiSeconds],
    ['  serial (PEXIP_PARALLELISM=1)', (r) => r.serial.deploy, undefined],
    ['  floor: direct client, the creates alone', (r) => r.floor.create, undefined],
    ['one-field change: reconcile', (r) => r.ours.change, (r) => r.floor.patch.apiSeconds],
    ['  serial', (r) => r.serial.change, undefined],
    ['  floor: one PATCH', (r) => r.floor.patch, undefined],
    ['drift check: pexip-cdktf drift', (r) => r.ours.drift, (r) => r.floor.slowestList.seconds],
    ['  serial', (r) => r.serial.drift, undefined],
    ...[...new Set(results.flatMap((r) => r.driftAt.map((d) => d.parallelism)))].map(
      (p): [string, (r: WanResult) => Phase | undefined, undefined] => [`  at PEXIP_PARALLELISM=${p}`, (r) => r.driftAt.find((d) => d.parallelism === p)?.phase, undefined],
    ),
    ['destroy: pexip-cdktf remove', (r) => r.ours.destroy, (r) => r.floor.delete.apiSeconds],
    ['  serial', (r) => r.serial.destroy, undefined],
    ['  floor: direct client, the deletes alone', (r) => r.floor.delete, undefined],
  ];
  const rows: string[][] = [['phase', ...results.flatMap((r) => [`N=${r.n} API s`, 'wall s', 'ratio', 'requests'])]];
  for (const [name, pick, floor] of phases) {
    rows.push([
      name,
      ...results.flatMap((r) => {
        const p = pick(r);
        return p ? [s(p.apiSeconds), s(p.seconds), floor ? (p.apiSeconds / floor(r)).toFixed(2) : '', requestsCell(p)] : ['', '', '', ''];
      }),
    ]);
  }
  rows.push(['slowest kind list, each kind alone (s)', ...results.flatMap((r) => [s(r.floor.slowestList.seconds), '', '', r.floor.slowestList.kind])]);
  return `${table(rows)}\n\nAPI time = seconds with a request in flight, at a recording proxy in front of the simulator (CLI start-up and\npre-flight excluded, for ours and floor alike). ratio = ours / floor (drift: / slowest single list). Ours runs the\ncommands the provisioners run, in the synthesized stack directory, at PEXIP_PARALLELISM=${parallelism} unless stated; the floor\nsends only the creates (or deletes, or one PATCH) at the same parallelism, each object waiting only for the objects\nit refers to (deletes: the documented removal order). Median of ${runs} runs, ours, serial and floor interleaved.`;
}

function gitopsTable(results: readonly GitopsResult[], runs: number): string {
  const steps: [string, keyof GitopsSteps][] = [
    ['cdktf synth', 'synth'],
    ['terraform init', 'init'],
    ['terraform plan -out', 'plan'],
    ['terraform apply <plan>', 'apply'],
  ];
  const rows: string[][] = [['step', ...results.flatMap((r) => [`N=${r.n} ours s`, 'requests', 'floor s'])]];
  for (const [name, key] of steps) rows.push([name, ...results.flatMap((r) => [s(r.ours[key].seconds), requestsCell(r.ours[key]), s(r.floor[key].seconds)])]);
  rows.push(['direct client script (API work)', ...results.flatMap((r) => ['', '', s(r.floor.directClient.seconds)])]);
  rows.push(['total', ...results.flatMap((r) => [s(gitopsTotal(r.ours)), '', s(gitopsFloor(r))])]);
  rows.push(['ratio', ...results.flatMap((r) => [(gitopsTotal(r.ours) / gitopsFloor(r)).toFixed(2), '', ''])]);
  return `${table(rows)}\n\nFloor: the same four steps for N+2 provisioner-less terraform_data, plus the direct client script. Loopback\nsimulator, no latency; synth checks drift (PEXIP_ADDRESS is set, as in the pipeline). Median of ${runs} runs by total,\nours and floor interleaved.`;
}

export function renderCostModel(model: CostModel | undefined): string {
  if (!model) return 'Cost model: needs the loopback phases at two sizes or more.';
  const ms = (x: number) => `${(x * 1000).toFixed(1)} ms`;
  const lines = [
    `Cost model, fitted by least squares on the loopback first deploys (N = ${model.sizes.join(', ')}; carriers = N + 2):`,
    `  cdktf deploy ≈ ${s(model.fixedSeconds)} s + ${ms(model.perCarrierSeconds)} × carriers + API time`,
    `  floor (provisioner-less carriers, no API): ${s(model.floorFixedSeconds)} s + ${ms(model.floorPerCarrierSeconds)} × carriers`,
  ];
  if (model.check) {
    const error = (model.check.predicted - model.check.measured) / model.check.measured;
    lines.push(
      `  check, one full cdktf deploy under the WAN model at N=${model.check.n}: measured ${s(model.check.measured)} s, model ${s(model.check.predicted)} s` +
        ` (API time ${s(model.check.apiSeconds)} s from the CLI runs; ${error >= 0 ? '+' : ''}${(error * 100).toFixed(0)}%)`,
    );
  }
  return lines.join('\n');
}

export function renderTables(results: BenchResults): string {
  const parts: string[] = [];
  if (results.loopback.length > 0) {
    parts.push(
      `Loopback simulator (no latency), PEXIP_PARALLELISM=${results.parallelism}\n\n${loopbackTable(results.loopback)}\n\nratio = ours / floor. Floor: the same number of terraform_data resources as our stack has carriers (N + 2), without\nprovisioners; for the first deploy plus a direct client script doing only the creates. First deploys: median of\n${results.runs} runs; no-op terraform runs: median of ${results.runs + 2}; ours and floor interleaved. requests: all of them, "(k w)" the writes among them.`,
    );
  }
  if (results.wan.length > 0) {
    const m = results.wanModel;
    parts.push(`WAN model: reads ${m.readMs} ms, writes ${m.writeMs} ms, + up to ${m.jitterMs} ms jitter each (simulator latency option)\n\n${wanTable(results.wan, results.parallelism, results.runs)}`);
  }
  if (results.gitops.length > 0) parts.push(`GitOps path\n\n${gitopsTable(results.gitops, results.runs)}`);
  if (results.loopback.length > 0) parts.push(renderCostModel(costModel(results)));
  const t = targets(results);
  const targetRows = [['target', 'N', 'measured', 'limit', 'result'], ...t.map((x) => [x.name, String(x.n), x.value, x.limit, x.pass ? 'PASS' : 'FAIL'])];
  parts.push(
    `${t.length > 0 ? table(targetRows) : '  (no target is judged at these sizes)'}\n\nA ratio target also passes within ${TOLERANCE_SECONDS * 1000} ms of its limit (shown as "+x ms"): below ~100 ms a ratio is mostly noise\nhere. Pages: one list request per kind and 100 objects. WAN targets are judged at N ≥ ${WAN_TARGET_MIN_N}, GitOps at N ≥ ${GITOPS_TARGET_MIN_N}.`,
  );
  return `${parts.join('\n\n')}\n`;
}

/** A small line chart of seconds against N: loopback wall times, and WAN API times (dotted). */
export function renderChart(results: BenchResults): string {
  const series: [string, string, string, readonly { n: number; y: number }[]][] = [
    ['first deploy', '#1f77b4', '', results.loopback.map((r) => ({ n: r.n, y: r.ours.firstDeploy.seconds }))],
    ['first deploy floor', '#1f77b4', '5,4', results.loopback.map((r) => ({ n: r.n, y: firstDeployFloor(r) }))],
    ['no-change deploy', '#2ca02c', '', results.loopback.map((r) => ({ n: r.n, y: r.ours.noChangeDeploy.seconds }))],
    ['one-field change', '#ff7f0e', '', results.loopback.map((r) => ({ n: r.n, y: r.ours.oneFieldChange.seconds }))],
    ['destroy', '#d62728', '', results.loopback.map((r) => ({ n: r.n, y: r.ours.destroy.seconds }))],
    ['drift check', '#9467bd', '', results.loopback.map((r) => ({ n: r.n, y: r.ours.drift.seconds }))],
    ['WAN deploy API', '#8c564b', '2,3', results.wan.map((r) => ({ n: r.n, y: r.ours.deploy.apiSeconds }))],
    ['WAN deploy floor', '#8c564b', '8,3', results.wan.map((r) => ({ n: r.n, y: r.floor.create.apiSeconds }))],
    ['WAN deploy serial', '#7f7f7f', '2,3', results.wan.map((r) => ({ n: r.n, y: r.serial.deploy.apiSeconds }))],
  ];
  const drawn = series.filter(([, , , points]) => points.length > 0);
  const width = 660;
  const height = 340;
  const left = 50;
  const bottom = 40;
  const top = 20;
  const right = 180;
  const ns = [...new Set(drawn.flatMap(([, , , points]) => points.map((p) => p.n)))].sort((a, b) => a - b);
  const maxN = Math.max(1, ...ns);
  const maxY = Math.ceil(Math.max(1, ...drawn.flatMap(([, , , points]) => points.map((p) => p.y))));
  const x = (n: number) => left + ((width - left - right) * n) / maxN;
  const y = (v: number) => height - bottom - ((height - bottom - top) * v) / maxY;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`, `<rect width="${width}" height="${height}" fill="white"/>`];
  parts.push(`<line x1="${left}" y1="${y(0)}" x2="${width - right}" y2="${y(0)}" stroke="black"/><line x1="${left}" y1="${y(0)}" x2="${left}" y2="${top}" stroke="black"/>`);
  for (let v = 0; v <= maxY; v += Math.max(1, Math.ceil(maxY / 6))) parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text><line x1="${left}" y1="${y(v)}" x2="${width - right}" y2="${y(v)}" stroke="#ddd"/>`);
  for (const n of ns) parts.push(`<text x="${x(n)}" y="${height - bottom + 16}" text-anchor="middle">${n}</text>`);
  parts.push(`<text x="${(left + width - right) / 2}" y="${height - 6}" text-anchor="middle">objects (N)</text><text x="14" y="${top + 10}">s</text>`);
  drawn.forEach(([name, colour, dashes, points], i) => {
    const dash = dashes ? ` stroke-dasharray="${dashes}"` : '';
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2"${dash} points="${points.map((p) => `${x(p.n).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ')}"/>`);
    parts.push(`<line x1="${width - right + 12}" y1="${top + 8 + i * 18}" x2="${width - right + 36}" y2="${top + 8 + i * 18}" stroke="${colour}" stroke-width="2"${dash}/><text x="${width - right + 42}" y="${top + 12 + i * 18}">${name}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
