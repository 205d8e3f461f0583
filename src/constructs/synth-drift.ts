import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { addressVariable } from '../api/settings';
import { CONVERGE_TOKEN_MAX } from '../engine/apply';
import { type DesiredSet, variantOf } from '../engine/desired';
import { RECORDS_ERRORS } from '../engine/records';

/**
 * The convergence check at synth time. Terraform cannot see Pexip (no provider), so its verdict ("No changes") would
 * only say that the code did not change. When the stack's connection settings are present while the app
 * synthesizes, the stack compares everything it declares with what is live (`pexip-cdktf plan`, read-only): an object
 * missing (never created, or deleted since), a field that differs, a ledger entry an interrupted run left pending,
 * records that contradict each other. Any of these gives the stack's convergence record a new token, which replaces
 * the reconciler: the deploy converges (or, for records that cannot be trusted, stops before writing and says why).
 * In sync, the token is the one the last converging run recorded in the ledger, so the output is byte-identical and
 * the run after a repair plans no change. Without connection settings the record keeps what state holds.
 *
 * `PEXIP_CDKTF_DRIFT_ON_SYNTH`: unset or `1` check when the stack's address is set (a check that cannot be made is a
 * warning); `0` never (and say nothing); `require` check and fail the synth when the check cannot be made.
 */

const BIN = resolve(__dirname, '..', '..', '..', 'bin', 'pexip-cdktf.js');

export interface SynthCheck {
  /** The convergence token to record; undefined: keep what Terraform state holds (nothing was checked). */
  readonly converge?: string;
  /** The identity of the node the stack's settings reach; undefined when unknown. */
  readonly node?: string;
  /** One line for the person running synth; empty when the check is switched off. */
  readonly message: string;
}

interface PlanAction {
  readonly type: string;
  readonly id: string | null;
  readonly name: string;
  readonly cause?: string;
  readonly duplicate?: boolean;
  readonly changes?: readonly { field: string }[];
}

interface PlanReport {
  readonly actions?: PlanAction[];
  readonly ledger?: { readonly pending?: string[]; readonly convergedRun?: string | null };
  readonly node?: string | null;
  readonly error?: string;
  readonly message?: string;
}

function describe(action: PlanAction): string {
  const who = action.id ?? action.name;
  const drift = action.cause === 'drift';
  if (action.type === 'create') return `${who}: ${drift ? 'deleted in Pexip' : 'to create'}`;
  if (action.type === 'prune') return `${who}: ${action.duplicate ? 'a duplicate' : 'to remove'}`;
  if (action.type === 'conflict') return `${who}: in conflict`;
  if (action.type === 'replace') return `${who}: to replace`;
  if (action.type === 'restore') return `${who}: to restore`;
  const fields = (action.changes ?? []).map((c) => c.field).join(', ') || 'changed';
  return `${who}: ${fields}`;
}

/** A token no earlier run recorded, with what it is for (cut to what the ledger keeps). */
function newToken(summary: string): string {
  return `${randomBytes(4).toString('hex')} ${summary}`.slice(0, CONVERGE_TOKEN_MAX);
}

/** Checks one stack's desired set against live Pexip; never throws unless the check is required. */
export function checkAtSynth(set: DesiredSet, env: NodeJS.ProcessEnv = process.env): SynthCheck {
  const mode = env.PEXIP_CDKTF_DRIFT_ON_SYNTH ?? '1';
  const prefix = `pexip-cdktf: stack "${set.stack}":`;
  if (mode === '0') return { message: '' };
  const variant = variantOf(set);
  let variable: string;
  try {
    variable = addressVariable(env, variant);
    if (!env[variable]?.trim()) return { message: `${prefix} drift not checked (no PEXIP_ADDRESS at synth time); pexip-cdktf drift ${set.stack} checks it.` };
  } catch (error) {
    if (mode === 'require') throw error;
    return { message: `${prefix} drift not checked: ${(error as Error).message}` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'pexip-cdktf-synth-'));
  try {
    const file = join(dir, 'pexip-desired.json');
    writeFileSync(file, JSON.stringify(set));
    const run = spawnSync(process.execPath, [BIN, 'plan', file, '--json'], { env: { ...env, PEXIP_CDKTF_LOG: 'error' }, encoding: 'utf8', timeout: 180_000 });
    let report: PlanReport | undefined;
    try {
      report = JSON.parse(run.stdout) as PlanReport;
    } catch {
      report = undefined;
    }
    if (report?.error && RECORDS_ERRORS.includes(report.error)) {
      // Not a check that failed: a verdict. The reconciler runs, refuses before writing, and says how to recover.
      const why = (report.message ?? report.error).split('\n')[0];
      return { converge: newToken(`records: ${why}`), message: `${prefix} its records in Pexip cannot be trusted (${why}); the deploy stops before writing.` };
    }
    if ((run.status !== 0 && run.status !== 2) || !report?.actions) {
      const why = report?.message ?? run.error?.message ?? (run.stderr.trim().split('\n')[0] || `exit ${String(run.status)}`);
      if (mode === 'require') throw new Error(`${prefix} drift check failed (PEXIP_CDKTF_DRIFT_ON_SYNTH=require): ${why}`);
      return { message: `${prefix} drift not checked: ${why}` };
    }
    const node = report.node ?? undefined;
    const where = `${variable}${node ? `, node ${node}` : ''}`;
    const differences = report.actions.filter((a) => a.type !== 'unchanged').map(describe);
    const pending = report.ledger?.pending ?? [];
    if (pending.length > 0) differences.push(`ledger: ${pending.length} pending from an interrupted run`);
    if (differences.length === 0) return { converge: report.ledger?.convergedRun ?? '', node, message: `${prefix} no drift in Pexip. Everything declared is live (${where}).` };
    const summary = differences.join('; ');
    const drifted = report.actions.some((a) => a.cause === 'drift');
    return { converge: newToken(summary), node, message: `${prefix} ${drifted ? `drift in Pexip (${summary}); the deploy repairs it.` : `not in sync with Pexip (${summary}); the deploy converges it.`} Checked at ${where}.` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
