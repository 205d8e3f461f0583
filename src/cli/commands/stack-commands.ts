import { ConfigError } from '../../api/errors';
import { adoptObjects } from '../../engine/adopt';
import { type DesiredSet, loadDesiredSet, variantOf } from '../../engine/desired';
import { hasChanges, type Plan } from '../../engine/plan';
import { planAgainstLive, reconcile, type ReconcileOptions } from '../../engine/reconcile';
import type { PexipClient } from '../../api/client';
import { EPIC_REMINDER, type RemoveOptions, removeStack } from '../../engine/remove';
import { readNodeIdentity } from '../../engine/node-identity';
import { STACK_NAME } from '../../kinds/ownership';
import type { OptionSpec } from '../args';
import { desiredSetPath, OUTDIR, STACK_OR_FILE, VARIANT_OPTION, variantOption } from '../desired-arg';
import { type Command, type CommandContext, EXIT } from '../command';
import { withClient } from '../with-client';
import { planJson, planText, resultLine, summaryLine } from '../format';

const DESIRED = STACK_OR_FILE;

function load(context: CommandContext): { set: DesiredSet; baseDir: string; appDir: string; variant: string } {
  const file = desiredSetPath(context.args.positionals[0], context.args.options.outdir as string | undefined);
  const loaded = loadDesiredSet(file, context.args.options['expect-hash'] as string | undefined);
  // The stack's own node (PEXIP_<VARIANT>_ADDRESS) when it has one: withClient reads the settings under this word.
  return { ...loaded, variant: variantOf(loaded.set) };
}

function printPlan(context: CommandContext, plan: Plan, address: string, title: string): number {
  context.out(context.json ? `${JSON.stringify(planJson(plan, address))}\n` : planText(plan, address, title));
  return hasChanges(plan) ? EXIT.changes : EXIT.ok;
}

/** How a command runs reconcile: progress lines at info, detail at debug, stopped by SIGINT/SIGTERM. */
function reconcileOptions(context: CommandContext, client: PexipClient, loaded: { baseDir: string; appDir: string; variant: string }): ReconcileOptions {
  const bound = context.args.options['bound-node'] as string | undefined;
  const converge = context.args.options.converge as string | undefined;
  return {
    client,
    env: context.env,
    baseDir: loaded.baseDir,
    appDir: loaded.appDir,
    progress: (line) => context.log.info(line),
    debug: (line) => context.log.debug(line),
    stop: context.stop,
    ...(bound ? { boundNode: bound } : {}),
    ...(converge ? { convergedRun: converge } : {}),
  };
}

/** Set by the carriers from Terraform state; by hand only to check a binding. */
const BOUND_NODE: OptionSpec = { name: 'bound-node', type: 'string', value: '<identity>', description: 'Refuse unless the node reached is this one (the stack\'s binding in Terraform state; set by the carriers).' };

const EXPECT_HASH: OptionSpec = { name: 'expect-hash', type: 'string', value: '<sha256>', description: 'Refuse a desired-set file whose hash differs (stale synth output).' };

export const reconcileCommand: Command = {
  name: 'reconcile',
  stoppable: true,
  summary: 'Converge Pexip to a stack\'s desired set: create, update in place, prune what the stack no longer declares.',
  positionals: [DESIRED],
  options: [EXPECT_HASH, OUTDIR, BOUND_NODE, { name: 'converge', type: 'string', value: '<token>', description: 'The reconciler\'s convergence token, recorded in the ledger once the stack is in sync (set by the reconciler).' }],
  async run(context) {
    const loaded = load(context);
    const { set } = loaded;
    return withClient(
      context,
      async (client) => {
        const { plan, result } = await reconcile(set, reconcileOptions(context, client, loaded));
        if (context.json) context.out(`${JSON.stringify({ ...planJson(plan, client.address), result })}\n`);
        else context.out(`${hasChanges(plan) ? resultLine(result) : `No changes: stack "${set.stack}" is in sync.`}\n`);
        return EXIT.ok;
      },
      loaded.variant,
    );
  },
};

export const planCommand: Command = {
  name: 'plan',
  summary: 'Show what reconcile would change, without writing. Exit 0 in sync, 2 changes.',
  positionals: [DESIRED],
  options: [EXPECT_HASH, OUTDIR],
  async run(context) {
    const { set, variant } = load(context);
    return withClient(
      context,
      async (client) => {
        const { plan } = await planAgainstLive(set, client);
        if (context.json) {
          // Which node answered: the synth-time check records it as the stack's binding.
          const node = await readNodeIdentity(client);
          context.out(`${JSON.stringify({ ...planJson(plan, client.address), node: node?.id ?? null })}\n`);
          return hasChanges(plan) ? EXIT.changes : EXIT.ok;
        }
        return printPlan(context, plan, client.address, 'Plan');
      },
      variant,
    );
  },
};

export const driftCommand: Command = {
  name: 'drift',
  summary: 'Check live Pexip against the desired set (for scheduled jobs). Exit 0 no drift, 2 drift, 1 error.',
  positionals: [DESIRED],
  options: [EXPECT_HASH, OUTDIR],
  async run(context) {
    const { set, variant } = load(context);
    return withClient(
      context,
      async (client) => {
        const { plan } = await planAgainstLive(set, client);
        const code = printPlan(context, plan, client.address, 'Drift check');
        if (!context.json) context.out(`${code === EXIT.ok ? 'No drift.' : `Drift found. ${summaryLine(plan, 'Differences')}`}\n`);
        return code;
      },
      variant,
    );
  },
};

export const removeCommand: Command = {
  name: 'remove',
  stoppable: true,
  summary: 'Remove everything a stack owns from Pexip, in the documented order; then remind about the Epic side.',
  positionals: [{ name: 'desired-set', description: 'The desired-set file (only its stack name is used); or give --stack.', required: false }],
  options: [
    { name: 'stack', type: 'string', value: '<name>', description: 'Stack whose objects to remove (instead of a desired-set file).' },
    VARIANT_OPTION,
    BOUND_NODE,
    { name: 'without-ledger', type: 'boolean', description: 'Remove what carries the stack\'s marker although its ledger is gone (also PEXIP_CDKTF_REMOVE_WITHOUT_LEDGER=1); what only the ledger knew stays.' },
  ],
  async run(context) {
    // A stack name alone is enough: the objects are found by their markers and the ledger, even with no synth output.
    const fromFile = context.args.positionals[0] ? loadDesiredSet(context.args.positionals[0]).set : undefined;
    const stack = (context.args.options.stack as string | undefined) ?? fromFile?.stack;
    if (!stack) throw new ConfigError('give the desired-set file or --stack <name>.', { field: 'stack' });
    if (!STACK_NAME.test(stack)) throw new ConfigError(`--stack must match ${STACK_NAME.source}.`, { field: '--stack' });
    const variant = variantOption(context.args.options) ?? (fromFile ? variantOf(fromFile) : undefined);
    const options: RemoveOptions = {
      stop: context.stop,
      boundNode: (context.args.options['bound-node'] as string | undefined) || undefined,
      withoutLedger: Boolean(context.args.options['without-ledger']) || context.env.PEXIP_CDKTF_REMOVE_WITHOUT_LEDGER === '1',
    };
    return withClient(context, async (client) => {
      const removed = await removeStack(client, stack, (line) => context.log.info(line), options);
      if (context.json) context.out(`${JSON.stringify({ stack, removed, reminder: EPIC_REMINDER })}\n`);
      else if (removed.length === 0) context.out(`Stack "${stack}" owns nothing in Pexip at ${client.address}: nothing to remove.\n${reminderBanner()}`);
      else context.out(`Removed ${removed.length} object${removed.length === 1 ? '' : 's'} owned by stack "${stack}".\n${reminderBanner()}`);
      // Exit 0 either way: a destroy must be repeatable.
      return EXIT.ok;
    }, variant);
  },
};

export const adoptCommand: Command = {
  name: 'adopt',
  summary: 'Take existing hand-made objects into a stack: add the ownership marker to unowned objects with a declared natural key.',
  positionals: [DESIRED],
  options: [{ name: 'id', type: 'string', value: '<logical id>', repeatable: true, description: 'Adopt only these logical ids (default: every unowned match).' }, OUTDIR],
  async run(context) {
    const { set, variant } = load(context);
    const only = context.args.options.id as string[] | undefined;
    for (const id of only ?? []) if (!set.objects.some((o) => o.id === id)) throw new ConfigError(`--id ${id}: the desired set declares no such logical id.`, { field: '--id' });
    return withClient(context, async (client) => {
      const { adopted, conflicts } = await adoptObjects(set, client, only, (line) => context.log.info(line));
      if (context.json) context.out(`${JSON.stringify({ stack: set.stack, adopted, conflicts: conflicts.map((c) => ({ id: c.id, reason: c.reason })) })}\n`);
      else context.out(`Adopted ${adopted.length} object${adopted.length === 1 ? '' : 's'} into stack "${set.stack}". Run pexip-cdktf plan to see what reconcile will align.\n`);
      return conflicts.length > 0 ? EXIT.error : EXIT.ok;
    }, variant);
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
  summary: 'Converge a deployed stack to its synthesized desired set, for nightly jobs and after a crash: hand edits (drift) and whatever an interrupted deploy left undone. Exit 0 nothing to repair, 2 repaired, 1 error.',
  positionals: [DESIRED],
  options: [
    OUTDIR,
    { name: 'drift-only', type: 'boolean', description: 'Undo hand edits only; refuse when the code asks for changes that were never applied.' },
    { name: 'include-pending', type: 'boolean', description: 'Apply changes the code asks for too (the default; kept for older scripts).' },
    BOUND_NODE,
  ],
  async run(context) {
    const loaded = load(context);
    const { set } = loaded;
    return withClient(
      context,
      async (client) => {
        const { plan } = await planAgainstLive(set, client);
        const changes = plan.actions.filter((a) => a.type !== 'unchanged');
        const pending = changes.filter((a) => a.cause !== 'drift');
        const drift = changes.filter((a) => a.cause === 'drift');
        if (plan.ledger.key === undefined && changes.length > 0 && changes.every((a) => a.type === 'create' || a.type === 'conflict')) {
          // Nothing of the stack is on this node: a first deploy (cdktf deploy's job, which records the stack's binding), or the wrong node.
          const node = await readNodeIdentity(client);
          throw new ConfigError(
            `stack "${set.stack}" has never been deployed to the node at ${client.address}${node ? ` (${node.id})` : ''}: nothing to repair. Deploy it with cdktf deploy ${set.stack}, or check ${client.addressVariable} if it lives on another node.`,
            { field: 'stack' },
          );
        }
        if (pending.length > 0 && context.args.options['drift-only']) {
          throw new ConfigError(
            `stack "${set.stack}" has ${pending.length} change${pending.length > 1 ? 's' : ''} its code asks for that are not in Pexip (${pending.map((a) => `${a.type} ${a.id ?? a.name}`).join(', ')}): cdktf deploy ${set.stack} applies them, or run repair without --drift-only.`,
            { field: 'stack' },
          );
        }
        if (!hasChanges(plan)) {
          context.out(context.json ? `${JSON.stringify({ ...planJson(plan, client.address), repaired: false })}\n` : `No drift: stack "${set.stack}" matches Pexip; nothing to repair.\n`);
          return EXIT.ok;
        }
        const { result } = await reconcile(set, reconcileOptions(context, client, loaded));
        if (context.json) context.out(`${JSON.stringify({ ...planJson(plan, client.address), repaired: true, result })}\n`);
        else {
          const what = [drift.length > 0 ? `${drift.length} drifted object${drift.length === 1 ? '' : 's'} repaired` : '', pending.length > 0 ? `${pending.length} change${pending.length === 1 ? '' : 's'} of the code applied` : ''].filter(Boolean).join(', ');
          context.out(`${planText(plan, client.address, 'Repaired')}${resultLine(result)}${what ? ` ${what}.` : ''}\n`);
        }
        return EXIT.changes;
      },
      loaded.variant,
    );
  },
};
