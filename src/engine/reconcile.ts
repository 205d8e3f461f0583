import type { PexipClient } from '../api/client';
import { KINDS, kindByName } from '../kinds';
import { sleep } from '../api/retry';
import { type ApplyResult, applyPlan, loadPackages, PlanConflictError, projectedLedger } from './apply';
import { LEDGER_LIMIT, ledgerOverflow, ledgerText } from './ledger';
import { checkBinding } from './node-identity';
import type { DesiredSet } from './desired';
import { observe } from './live';
import type { LiveState } from './live';
import { type ConflictAction, plan as makePlan, type Plan } from './plan';
import { adaptToNode, checkSchemas, plannedSendings, SchemaMismatchError } from './schema-check';
import type { StopToken } from './pool';
import { SecretResolver } from './secrets';

export interface ReconcileOptions {
  readonly client: PexipClient;
  /**
   * How long to wait for a late commit after a create had to be re-sent while its first request may still have been
   * running (default: twice the request timeout, at most a minute).
   */
  readonly settleMs?: number;
  readonly env: NodeJS.ProcessEnv;
  /** Directory of the desired-set file (packages are relative to it). */
  readonly baseDir: string;
  /** The app directory: secret files are relative to it and must be inside it (default: `baseDir`). */
  readonly appDir?: string;
  readonly progress: (line: string) => void;
  /** Detail for `PEXIP_CDKTF_LOG=debug` (e.g. which of the node's enum spellings is sent). */
  readonly debug?: (line: string) => void;
  /** Set on SIGINT/SIGTERM: the run stops after the requests in flight. */
  readonly stop?: StopToken;
  /**
   * The node the stack is bound to (its Terraform state's binding, handed over by the carriers), checked against the
   * node reached before anything else; undefined or empty: no binding yet.
   */
  readonly boundNode?: string;
  /** The reconciler's convergence token, recorded in the ledger when the run converges (synth-drift.ts). */
  readonly convergedRun?: string;
}

/** Plans against live Pexip (reads only). */
export async function planAgainstLive(set: DesiredSet, client: PexipClient, stop?: StopToken): Promise<{ plan: Plan; live: LiveState }> {
  const live = await observe(client, KINDS, stop);
  return { plan: makePlan(set, live), live };
}

/**
 * Converges Pexip to the desired set: every secret and package is checked before the first request, then one list
 * per kind, a plan, and the writes it needs. A second run with nothing changed makes no writes.
 */
export async function reconcile(set: DesiredSet, options: ReconcileOptions): Promise<{ plan: Plan; result: ApplyResult }> {
  const { target, plan, secrets, packages } = await preflight(set, options);
  const resentBefore = options.client.resentCreates;
  const result = await applyPlan(target, plan, { client: options.client, secrets, packages, progress: options.progress, stop: options.stop, convergedRun: options.convergedRun });
  if (options.client.resentCreates > resentBefore) result.pruned += await removeLateDuplicates(target, options);
  return { plan, result };
}

/**
 * Everything reconcile checks before its first write, with nothing written: secrets and packages, the plan against
 * live Pexip (conflicts refused), the node's schema of every kind it would write. The licence carrier runs it before
 * activating, so a deploy that would be refused leaves the licence alone too.
 */
export async function preflight(set: DesiredSet, options: ReconcileOptions) {
  await checkBinding(options.client, set.stack, options.boundNode);
  const appDir = options.appDir ?? options.baseDir;
  const secrets = new SecretResolver(options.env, appDir, appDir).preflight(set, (warning) => options.progress(`warning: ${warning}`));
  const packages = loadPackages(set, options.baseDir);
  const planned = await planAgainstLive(set, options.client, options.stop);
  const { set: target, plan } = await fitToNode(set, planned.plan, planned.live, secrets, options);
  const conflicts = plan.actions.filter((a): a is ConflictAction => a.type === 'conflict');
  if (conflicts.length > 0) throw new PlanConflictError(conflicts);
  const projected = ledgerText(projectedLedger(target, plan)).length;
  if (projected > LEDGER_LIMIT) throw ledgerOverflow(set.stack, projected, true);
  return { target, plan, secrets, packages };
}

/**
 * The node's schema for every kind the plan writes, before the first write: a mismatch stops the run with nothing
 * written; guessed values the node spells differently are replaced by its spelling, and the plan made again.
 */
async function fitToNode(set: DesiredSet, plan: Plan, live: LiveState, secrets: ReadonlyMap<string, Readonly<Record<string, string>>>, options: ReconcileOptions): Promise<{ set: DesiredSet; plan: Plan }> {
  if (plan.actions.some((a) => a.type === 'conflict')) return { set, plan };
  const sendings = plannedSendings(set, plan, secrets);
  if (sendings.size === 0) return { set, plan };
  const findings = await checkSchemas(options.client, sendings, options.stop);
  const mismatches = findings.filter((f) => f.status === 'mismatch');
  if (mismatches.length > 0) throw new SchemaMismatchError(mismatches);
  // A field left out changes what the node gets, so it is said at every log level; a spelling is detail.
  for (const f of findings) {
    if (f.omit) options.progress(`note: ${f.kind.title}, field ${f.field}: ${f.message}`);
    else options.debug?.(`${f.kind.name}.${f.field}: ${f.message}`);
  }
  const adapted = adaptToNode(set, findings);
  return adapted === set ? { set, plan } : { set: adapted, plan: makePlan(adapted, live) };
}

/**
 * After a create was sent twice (its first answer lost to a timeout or reset), the first request may still commit:
 * a second object with the same marker. Wait, look again, and delete such duplicates, so one run leaves none.
 */
async function removeLateDuplicates(set: DesiredSet, options: ReconcileOptions): Promise<number> {
  const settleMs = options.client.lateCommitPossible ? (options.settleMs ?? Math.min(2 * options.client.timeoutMs, 60_000)) : 0;
  options.progress(`a create was sent again after an ambiguous failure; checking${settleMs > 0 ? ` in ${(settleMs / 1000).toFixed(1)} s` : ''} for a duplicate`);
  if (settleMs > 0) await sleep(settleMs);
  const { plan } = await planAgainstLive(set, options.client);
  const declared = new Set(set.objects.map((o) => o.id));
  let removed = 0;
  for (const action of plan.actions) {
    if (action.type !== 'prune' || action.id === undefined || !declared.has(action.id)) continue;
    const kind = kindByName(action.kind);
    await options.client.delete(kind, action.key, { tolerateNotFound: true, object: action.name });
    options.progress(`- delete late duplicate of ${kind.title} "${action.name}" (${action.id})`);
    removed++;
  }
  return removed;
}
