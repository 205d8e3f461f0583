import { ConfigError } from '../../api/errors';
import { adoptObjects } from '../../engine/adopt';
import { type DesiredSet, loadDesiredSet } from '../../engine/desired';
import { hasChanges, type Plan } from '../../engine/plan';
import { planAgainstLive, reconcile, type ReconcileOptions } from '../../engine/reconcile';
import type { PexipClient } from '../../api/client';
import { EPIC_REMINDER, removeStack } from '../../engine/remove';
import { STACK_NAME } from '../../kinds/ownership';
import type { OptionSpec } from '../args';
import { desiredSetPath, OUTDIR, STACK_OR_FILE } from '../desired-arg';
import { type Command, type CommandContext, EXIT } from '../command';
import { withClient } from '../with-client';
import { planJson, planText, resultLine, summaryLine } from '../format';

const DESIRED = STACK_OR_FILE;

function load(context: CommandContext): { set: DesiredSet; baseDir: string; appDir: string } {
  const file = desiredSetPath(context.args.positionals[0], context.args.options.outdir as string | undefined);
  return loadDesiredSet(file, context.args.options['expect-hash'] as string | undefined);
}

function printPlan(context: CommandContext, plan: Plan, address: string, title: string): number {
  context.out(context.json ? `${JSON.stringify(planJson(plan, address))}\n` : planText(plan, address, title));
  return hasChanges(plan) ? EXIT.changes : EXIT.ok;
}

/** How a command runs reconcile: progress lines at info, detail at debug, stopped by SIGINT/SIGTERM. */
function reconcileOptions(context: CommandContext, client: PexipClient, baseDir: string, appDir: string): ReconcileOptions {
  return { client, env: context.env, baseDir, appDir, progress: (line) => context.log.info(line), debug: (line) => context.log.debug(line), stop: context.stop };
}

const EXPECT_HASH: OptionSpec = { name: 'expect-hash', type: 'string', value: '<sha256>', description: 'Refuse a desired-set file whose hash differs (stale synth output).' };

export const reconcileCommand: Command = {
  name: 'reconcile',
  stoppable: true,
  summary: 'Converge Pexip to a stack\'s desired set: create, update in place, prune what the stack no longer declares.',
  positionals: [DESIRED],
  options: [EXPECT_HASH, OUTDIR],
  async run(context) {
    const { set, baseDir, appDir } = load(context);
    return withClient(context, async (client) => {
      const { plan, result } = await reconcile(set, reconcileOptions(context, client, baseDir, appDir));
      if (context.json) context.out(`${JSON.stringify({ ...planJson(plan, client.address), result })}\n`);
      else context.out(`${hasChanges(plan) ? resultLine(result) : `No changes: stack "${set.stack}" is in sync.`}\n`);
      return EXIT.ok;
    });
  },
};

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show what reconcile would change, without writing. Exit 0 in sync, 2 changes.',
  positionals: [DESIRED],
  options: [EXPECT_HASH, OUTDIR],
  async run(context) {
    const { set } = load(context);
    return withClient(context, async (client) => printPlan(context, (await planAgainstLive(set, client)).plan, client.address, 'Plan'));
  },
};

export const driftCommand: Command = {
  name: 'drift',
  summary: 'Check live Pexip against the desired set (for scheduled jobs). Exit 0 no drift, 2 drift, 1 error.',
  positionals: [DESIRED],
  options: [EXPECT_HASH, OUTDIR],
  async run(context) {
    const { set } = load(context);
    return withClient(context, async (client) => {
      const { plan } = await planAgainstLive(set, client);
      const code = printPlan(context, plan, client.address, 'Drift check');
      if (!context.json) context.out(`${code === EXIT.ok ? 'No drift.' : `Drift found. ${summaryLine(plan, 'Differences')}`}\n`);
      return code;
    });
  },
};

export const removeCommand: Command = {
  name: 'remove',
  stoppable: true,
  summary: 'Remove everything a stack owns from Pexip, in the documented order; then remind about the Epic side.',
  positionals: [{ name: 'desired-set', description: 'The desired-set file (only its stack name is used); or give --stack.', required: false }],
  options: [{ name: 'stack', type: 'string', value: '<name>', description: 'Stack whose objects to remove (instead of a desired-set file).' }],
  async run(context) {
    // A stack name alone is enough: the objects are found by their markers and the ledger, even with no synth output.
    const stack = (context.args.options.stack as string | undefined) ?? (context.args.positionals[0] ? loadDesiredSet(context.args.positionals[0]).set.stack : undefined);
    if (!stack) throw new ConfigError('give the desired-set file or --stack <name>.', { field: 'stack' });
    if (!STACK_NAME.test(stack)) throw new ConfigError(`--stack must match ${STACK_NAME.source}.`, { field: '--stack' });
    return withClient(context, async (client) => {
      const removed = await removeStack(client, stack, (line) => context.log.info(line), context.stop);
      if (context.json) context.out(`${JSON.stringify({ stack, removed, reminder: EPIC_REMINDER })}\n`);
      else if (removed.length === 0) context.out(`Stack "${stack}" owns nothing in Pexip at ${client.address}: nothing to remove.\n${reminderBanner()}`);
      else context.out(`Removed ${removed.length} object${removed.length === 1 ? '' : 's'} owned by stack "${stack}".\n${reminderBanner()}`);
      // Exit 0 either way: a destroy must be repeatable.
      return EXIT.ok;
    });
  },
};

export const adoptCommand: Command = {
  name: 'adopt',
  summary: 'Take existing hand-made objects into a stack: add the ownership marker to unowned objects with a declared natural key.',
  positionals: [DESIRED],
  options: [{ name: 'id', type: 'string', value: '<logical id>', repeatable: true, description: 'Adopt only these logical ids (default: every unowned match).' }, OUTDIR],
  async run(context) {
    const { set } = load(context);
    const only = context.args.options.id as string[] | undefined;
    for (const id of only ?? []) if (!set.objects.some((o) => o.id === id)) throw new ConfigError(`--id ${id}: the desired set declares no such logical id.`, { field: '--id' });
    return withClient(context, async (client) => {
      const { adopted, conflicts } = await adoptObjects(set, client, only, (line) => context.log.info(line));
      if (context.json) context.out(`${JSON.stringify({ stack: set.stack, adopted, conflicts: conflicts.map((c) => ({ id: c.id, reason: c.reason })) })}\n`);
      else context.out(`Adopted ${adopted.length} object${adopted.length === 1 ? '' : 's'} into stack "${set.stack}". Run pexip-cdktf plan to see what reconcile will align.\n`);
      return conflicts.length > 0 ? EXIT.error : EXIT.ok;
    });
  },
};

/** The Epic reminder, framed so it stands out among Terraform's own output at the end of a destroy. */
export function reminderBanner(): string {
  const rule = '!'.repeat(100);
  return `${rule}\n!! ${EPIC_REMINDER}\n${rule}\n`;
}

export const repairCommand: Command = {
  name: 'repair',
  stoppable: true,
  summary: 'Undo hand edits in Pexip (drift) for a deployed stack, for nightly jobs. Exit 0 nothing to repair, 2 drift found and repaired, 1 error.',
  positionals: [DESIRED],
  options: [OUTDIR, { name: 'include-pending', type: 'boolean', description: 'Also apply changes of the code that were never deployed (normally cdktf deploy\'s job).' }],
  async run(context) {
    const { set, baseDir, appDir } = load(context);
    return withClient(context, async (client) => {
      const { plan } = await planAgainstLive(set, client);
      const changes = plan.actions.filter((a) => a.type !== 'unchanged');
      const pending = changes.filter((a) => a.cause !== 'drift');
      const drift = changes.filter((a) => a.cause === 'drift');
      if (pending.length > 0 && !context.args.options['include-pending']) {
        throw new ConfigError(
          `stack "${set.stack}" has ${pending.length} change${pending.length > 1 ? 's' : ''} its code asks for that were never deployed (${pending.map((a) => `${a.type} ${a.id ?? a.name}`).join(', ')}): deploy them with cdktf deploy ${set.stack}, or pass --include-pending.`,
          { field: 'stack' },
        );
      }
      if (changes.length === 0) {
        context.out(context.json ? `${JSON.stringify({ ...planJson(plan, client.address), repaired: false })}\n` : `No drift: stack "${set.stack}" matches Pexip; nothing to repair.\n`);
        return EXIT.ok;
      }
      const { result } = await reconcile(set, reconcileOptions(context, client, baseDir, appDir));
      if (context.json) context.out(`${JSON.stringify({ ...planJson(plan, client.address), repaired: true, result })}\n`);
      else context.out(`${planText(plan, client.address, 'Repaired')}${resultLine(result)} ${drift.length} drifted object${drift.length === 1 ? '' : 's'} repaired.\n`);
      return EXIT.changes;
    });
  },
};
