import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PexipClient } from '../../src/api/client';
import { connectionFromEnv } from '../../src/api/settings';
import { hasChanges } from '../../src/engine/plan';
import { loadDesiredSet } from '../../src/engine/desired';
import { planAgainstLive } from '../../src/engine/reconcile';
import type { JsonObject } from '../../src/kinds/types';
import type { PexipSimulator } from '../../src/simulator/server';
import { BIN } from '../helpers/cli';
import { nonprodSecrets } from '../helpers/desired';
import { createProject, type Project, ROOT } from '../helpers/project';
import { raw, simulatorEnv, startSimulator } from '../helpers/simulator';
import { run, toolEnv } from '../helpers/terraform';
import { waitFor } from '../helpers/wait';

/**
 * The crash matrix: the whole process tree of a real `cdktf deploy` or `cdktf destroy` (cdktf, terraform and the
 * provisioner's CLI) is SIGKILLed at a point of its work, as a cancelled CI runner or the OOM killer does. Then one
 * ordinary run must converge: every declared object live with its declared values, no duplicate, nothing foreign
 * touched, `drift` clean, and the deploy after that "No changes" (for destroy: nothing of the stack left). Writes take
 * 150 ms at the simulator, so the points are real moments of the run.
 */

const CONFIG = '/api/admin/configuration/v1';
const SECRETS = nonprodSecrets('crash-client-secret-Q2x8');
const CDKTF = join(ROOT, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf');

/** Where to kill: during the synth-time check (before Terraform runs), or once the n-th write has reached Pexip. */
export type KillPoint = 'synth' | number;
export type Phase = 'first deploy' | 'change deploy' | 'destroy';
/** How the run is recovered after the kill: one ordinary cdktf run, or `pexip-cdktf repair` and then one. */
export type Recovery = 'cdktf' | 'repair';

export interface CrashCase {
  readonly phase: Phase;
  readonly at: KillPoint;
  readonly recovery: Recovery;
}

export interface CrashOutcome {
  readonly phase: Phase;
  readonly at: KillPoint;
  readonly recovery: Recovery;
  readonly writesBeforeKill: number;
  readonly result: string;
}

/** Six points of each phase, and the repair recovery after two of the deploy points. */
export const CASES: readonly CrashCase[] = [
  ...(['synth', 1, 2, 3, 9, 11] as const).map((at) => ({ phase: 'first deploy' as const, at, recovery: 'cdktf' as const })),
  { phase: 'first deploy', at: 4, recovery: 'repair' },
  ...(['synth', 1, 2, 3, 4, 5] as const).map((at) => ({ phase: 'change deploy' as const, at, recovery: 'cdktf' as const })),
  { phase: 'change deploy', at: 2, recovery: 'repair' },
  ...(['synth', 1, 3, 5, 7, 9] as const).map((at) => ({ phase: 'destroy' as const, at, recovery: 'cdktf' as const })),
];

/** A project and simulator for the matrix, with the base deployment (for change and destroy) saved to restore. */
export class CrashBench {
  private base?: { state: JsonObject; tfstate: string };

  private constructor(
    readonly sim: PexipSimulator,
    readonly project: Project,
    readonly parallelism: number,
  ) {}

  static async start(parallelism: number): Promise<CrashBench> {
    const sim = await startSimulator({ latency: { writeMs: 150 } });
    return new CrashBench(sim, createProject(sim, SECRETS), parallelism);
  }

  stop(): Promise<void> {
    return this.sim.stop();
  }

  private env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { PEXIP_PARALLELISM: String(this.parallelism), ...extra };
  }

  private get tfstate(): string {
    return join(this.project.dir, 'terraform.nonprod.tfstate');
  }

  cdktf(args: readonly string[]) {
    return this.project.cdktf(args, this.env());
  }

  /** An empty node with two hand-made objects, and no Terraform state. */
  private async fresh(): Promise<void> {
    this.sim.reset();
    rmSync(this.tfstate, { force: true });
    rmSync(`${this.tfstate}.backup`, { force: true });
    this.project.configure({ serviceName: 'Appointment {{unique_encounter_id}}', theme: true, dialOutRule: {} });
    await raw(this.sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'Hand-made policy' } });
    await raw(this.sim, 'POST', `${CONFIG}/gateway_routing_rule/`, { json: { name: 'Hand-made rule', priority: 100, match_string: '.*@other\\.example\\.org' } });
  }

  /** The state before the killed run. */
  async prepare(phase: Phase): Promise<void> {
    if (phase === 'first deploy') return this.fresh();
    if (!this.base) {
      await this.fresh();
      const deployed = await this.cdktf(['deploy', 'nonprod', '--auto-approve']);
      if (deployed.code !== 0) throw new Error(`base deploy failed:\n${deployed.output}`);
      this.base = { state: this.sim.exportState({ includeSecrets: true }), tfstate: `${this.tfstate}.base` };
      copyFileSync(this.tfstate, this.base.tfstate);
    }
    this.sim.reset();
    this.sim.importState(this.base.state);
    copyFileSync(this.base.tfstate, this.tfstate);
    rmSync(`${this.tfstate}.backup`, { force: true });
    this.project.configure(phase === 'change deploy' ? { serviceName: 'Visit {{unique_encounter_id}}', theme: false, dialOutRule: { priority: 35 } } : { serviceName: 'Appointment {{unique_encounter_id}}', theme: true, dialOutRule: {} });
  }

  /** Runs the phase's cdktf command in its own process group and SIGKILLs the whole group at the point. */
  async killAt(phase: Phase, at: KillPoint): Promise<number> {
    this.sim.clearRequests();
    const args = phase === 'destroy' ? ['destroy', 'nonprod', '--auto-approve'] : ['deploy', 'nonprod', '--auto-approve'];
    const env = toolEnv({ ...simulatorEnv(this.sim), ...SECRETS, PEXIP_E2E_CONFIG: join(this.project.dir, 'app-config.json'), PEXIP_E2E_LIB: join(ROOT, 'dist', 'src', 'index.js'), ...this.env() });
    const child = spawn(process.execPath, [CDKTF, ...args], { cwd: this.project.dir, env, stdio: 'ignore', detached: true });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const writes = () => this.sim.writes().length;
    await waitFor(() => (at === 'synth' ? this.sim.requests.length >= 1 : writes() >= at), 120_000);
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    // Requests already sent finish at the server, as they would at a real node.
    await new Promise((resolve) => setTimeout(resolve, 700));
    return writes();
  }

  /** After the kill: what the case says, then the checks. Returns one line for the table. */
  async recover(phase: Phase, recovery: Recovery): Promise<string> {
    if (recovery === 'repair') {
      const repaired = await run(process.execPath, [BIN, 'repair', 'nonprod'], this.project.dir, toolEnv({ ...simulatorEnv(this.sim), ...SECRETS, ...this.env() }));
      if (repaired.code !== 0 && repaired.code !== 2) throw new Error(`repair failed (${String(repaired.code)}):\n${repaired.output}`);
    }
    const again = await this.cdktf(phase === 'destroy' ? ['destroy', 'nonprod', '--auto-approve'] : ['deploy', 'nonprod', '--auto-approve']);
    if (again.code !== 0) throw new Error(`the run after the kill failed (${String(again.code)}):\n${again.output}`);
    await this.expectForeignUntouched();
    if (phase === 'destroy') {
      await this.expectNothingOfTheStack();
      return 'destroy converged';
    }
    await this.expectInSync();
    this.sim.clearRequests();
    const next = await this.cdktf(['deploy', 'nonprod', '--auto-approve']);
    if (next.code !== 0 || !next.output.includes('No changes.')) throw new Error(`the deploy after convergence was not "No changes":\n${next.output}`);
    if (this.sim.writes().length !== 0) throw new Error(`the deploy after convergence wrote: ${this.sim.writes().map((w) => `${w.method} ${w.resource}`).join(', ')}`);
    return 'converged; next deploy: No changes';
  }

  private client(): PexipClient {
    return new PexipClient({ connection: connectionFromEnv(simulatorEnv(this.sim)), sleep: async () => {} });
  }

  private async list(resource: string): Promise<Record<string, unknown>[]> {
    return ((await raw(this.sim, 'GET', `${CONFIG}/${resource}/?limit=0`)).json as { objects: Record<string, unknown>[] }).objects;
  }

  /** Every declared object live with its declared values, no duplicate, no pending ledger entry: drift exits 0. */
  private async expectInSync(): Promise<void> {
    const { set } = loadDesiredSet(join(this.project.dir, 'cdktf.out', 'stacks', 'nonprod', 'pexip-desired.json'));
    const client = this.client();
    try {
      const { plan } = await planAgainstLive(set, client);
      if (hasChanges(plan)) throw new Error(`not in sync after the run: ${plan.actions.filter((a) => a.type !== 'unchanged').map((a) => `${a.type} ${a.id ?? a.name}`).join(', ')}`);
    } finally {
      client.close();
    }
    const drift = await run(process.execPath, [BIN, 'drift', 'nonprod'], this.project.dir, toolEnv({ ...simulatorEnv(this.sim), ...SECRETS }));
    if (drift.code !== 0) throw new Error(`drift after convergence:\n${drift.output}`);
  }

  private async expectForeignUntouched(): Promise<void> {
    const policy = (await this.list('policy_server')).find((p) => p.name === 'Hand-made policy');
    const rule = (await this.list('gateway_routing_rule')).find((r) => r.name === 'Hand-made rule');
    if (!policy || !rule || rule.priority !== 100 || String(policy.description ?? '') !== '' || String(rule.description ?? '') !== '') throw new Error('a hand-made object was touched');
  }

  private async expectNothingOfTheStack(): Promise<void> {
    for (const resource of ['telehealth_profile', 'gateway_routing_rule', 'webapp_alias', 'webapp_branding', 'policy_server', 'ivr_theme', 'licence']) {
      const left = (await this.list(resource)).filter((o) => /pexip-cdktf/.test(String(o.description ?? '')) || /pexip-cdktf: nonprod|\(test\)/.test(String(o.name ?? '')) || o.entitlement_id !== undefined);
      if (left.length > 0) throw new Error(`left after destroy: ${resource} ${left.map((o) => String(o.name ?? o.entitlement_id)).join(', ')}`);
    }
    if (existsSync(this.tfstate) && /"type":\s*"terraform_data"/.test(require('node:fs').readFileSync(this.tfstate, 'utf8'))) throw new Error('Terraform state still holds carriers after destroy');
  }
}

/** Registers the matrix's tests at one parallelism (the two test files run it at 1 and at the default). */
export function crashMatrix(parallelism: number): void {
  let bench: CrashBench;
  const outcomes: CrashOutcome[] = [];
  beforeAll(async () => {
    bench = await CrashBench.start(parallelism);
  });
  afterAll(async () => {
    await bench.stop();
    const rows = outcomes.map((o) => `  ${o.phase.padEnd(13)} killed at ${String(o.at).padEnd(5)} (${o.writesBeforeKill} writes) → ${o.recovery === 'repair' ? 'pexip-cdktf repair, then ' : ''}${o.result}`);
    process.stdout.write(`\nCrash matrix at parallelism ${parallelism} (SIGKILL of cdktf, terraform and the provisioner):\n${rows.join('\n')}\n`);
  });
  describe(`SIGKILL of the whole deploy or destroy at parallelism ${parallelism}: one ordinary run converges`, () => {
    it.each(CASES.map((c) => [c.phase, String(c.at), c.recovery === 'repair' ? 'pexip-cdktf repair and one cdktf run' : 'one cdktf run', c] as const))('%s killed at %s, then %s', async (_phase, _at, _how, c) => {
      await bench.prepare(c.phase);
      const writesBeforeKill = await bench.killAt(c.phase, c.at);
      const result = await bench.recover(c.phase, c.recovery);
      outcomes.push({ phase: c.phase, at: c.at, recovery: c.recovery, writesBeforeKill, result });
    }, 240_000);
  });
}
