import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DesiredSet } from '../engine/desired';

/**
 * Drift at synth time. Terraform cannot see Pexip (no provider), so a hand edit would leave `cdktf deploy` saying
 * "No changes". When the connection settings are present while the app synthesizes, the stack asks Pexip what
 * differs from what it last applied (`pexip-cdktf plan`, read-only) and, only if something drifted, gives the
 * reconciler a `drift` trigger naming object and fields: the plan shows it and the deploy repairs it. Nothing drifted
 * means nothing is added, so the output stays byte-identical and plans stay clean.
 *
 * `PEXIP_CDKTF_DRIFT_ON_SYNTH`: unset or `1` check when `PEXIP_ADDRESS` is set (a failed check is a warning);
 * `0` never (and say nothing); `require` check and fail the synth when the check cannot be made.
 */

const BIN = resolve(__dirname, '..', '..', '..', 'bin', 'pexip-cdktf.js');

export interface SynthDrift {
  /** What drifted, for the reconciler's trigger: `<logical id>: <fields>; …`, or undefined when nothing did. */
  readonly summary?: string;
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

function describe(action: PlanAction): string {
  const who = action.id ?? action.name;
  if (action.type === 'create') return `${who}: deleted in Pexip`;
  if (action.type === 'prune' && action.duplicate) return `${who}: a duplicate`;
  if (action.type === 'conflict') return `${who}: in conflict`;
  return `${who}: ${(action.changes ?? []).map((c) => c.field).join(', ') || 'changed'}`;
}

/** Checks one stack's desired set against live Pexip; never throws unless the check is required. */
export function checkDriftAtSynth(set: DesiredSet, env: NodeJS.ProcessEnv = process.env): SynthDrift {
  const mode = env.PEXIP_CDKTF_DRIFT_ON_SYNTH ?? '1';
  const prefix = `pexip-cdktf: stack "${set.stack}":`;
  if (mode === '0') return { message: '' };
  if (!env.PEXIP_ADDRESS) return { message: `${prefix} drift not checked (no PEXIP_ADDRESS at synth time); pexip-cdktf drift ${set.stack} checks it.` };
  const dir = mkdtempSync(join(tmpdir(), 'pexip-cdktf-synth-'));
  try {
    const file = join(dir, 'pexip-desired.json');
    writeFileSync(file, JSON.stringify(set));
    const run = spawnSync(process.execPath, [BIN, 'plan', file, '--json'], { env: { ...env, PEXIP_CDKTF_LOG: 'error' }, encoding: 'utf8', timeout: 180_000 });
    let report: { actions?: PlanAction[]; message?: string } | undefined;
    try {
      report = JSON.parse(run.stdout) as typeof report;
    } catch {
      report = undefined;
    }
    if ((run.status !== 0 && run.status !== 2) || !report?.actions) {
      const why = report?.message ?? run.error?.message ?? (run.stderr.trim().split('\n')[0] || `exit ${String(run.status)}`);
      if (mode === 'require') throw new Error(`${prefix} drift check failed (PEXIP_CDKTF_DRIFT_ON_SYNTH=require): ${why}`);
      return { message: `${prefix} drift not checked: ${why}` };
    }
    const drifted = report.actions.filter((a) => a.cause === 'drift');
    if (drifted.length === 0) return { message: `${prefix} no drift in Pexip.` };
    const summary = drifted.map(describe).join('; ');
    return { summary, message: `${prefix} drift in Pexip (${summary}); the deploy repairs it.` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
