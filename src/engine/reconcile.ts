import type { PexipClient } from '../api/client';
import { KINDS } from '../kinds';
import { type ApplyResult, applyPlan, loadPackages } from './apply';
import type { DesiredSet } from './desired';
import { observe } from './live';
import type { LiveState } from './live';
import { plan as makePlan, type Plan, resolveLookups } from './plan';
import { SecretResolver } from './secrets';

export interface ReconcileOptions {
  readonly client: PexipClient;
  readonly env: NodeJS.ProcessEnv;
  /** Directory of the desired-set file (secret files and packages are relative to it). */
  readonly baseDir: string;
  readonly progress: (line: string) => void;
}

/** Plans against live Pexip (reads only). */
export async function planAgainstLive(set: DesiredSet, client: PexipClient): Promise<{ plan: Plan; live: LiveState }> {
  const live = await observe(client, KINDS);
  return { plan: makePlan(set, live), live };
}

/**
 * Converges Pexip to the desired set: every secret and package is checked before the first request, then one list
 * per kind, a plan, and the writes it needs. A second run with nothing changed makes no writes.
 */
export async function reconcile(set: DesiredSet, options: ReconcileOptions): Promise<{ plan: Plan; result: ApplyResult }> {
  const secrets = new SecretResolver(options.env, options.baseDir).preflight(set, (warning) => options.progress(`warning: ${warning}`));
  const packages = loadPackages(set, options.baseDir);
  const { plan, live } = await planAgainstLive(set, options.client);
  const result = await applyPlan(set, plan, resolveLookups(set, live), { client: options.client, secrets, packages, progress: options.progress });
  return { plan, result };
}
