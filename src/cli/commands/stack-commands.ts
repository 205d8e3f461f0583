import { ConfigError } from '../../api/errors';
import { adoptObjects } from '../../engine/adopt';
import { type DesiredSet, loadDesiredSet } from '../../engine/desired';
import { hasChanges, type Plan } from '../../engine/plan';
import { planAgainstLive, reconcile } from '../../engine/reconcile';
import { EPIC_REMINDER, removeStack } from '../../engine/remove';
import { STACK_NAME } from '../../kinds/ownership';
import type { OptionSpec, PositionalSpec } from '../args';
import { type Command, type CommandContext, EXIT } from '../command';
import { withClient } from '../with-client';
import { planJson, planText, resultLine, summaryLine } from '../format';

const DESIRED: PositionalSpec = { name: 'desired-set', description: 'The desired-set JSON file the stack synthesized.', required: true };

function load(context: CommandContext): { set: DesiredSet; baseDir: string } {
  return loadDesiredSet(context.args.positionals[0], context.args.options['expect-hash'] as string | undefined);
}

function printPlan(context: CommandContext, plan: Plan, address: string, title: string): number {
  context.out(context.json ? `${JSON.stringify(planJson(plan, address))}\n` : planText(plan, address, title));
  return hasChanges(plan) ? EXIT.changes : EXIT.ok;
}

const EXPECT_HASH: OptionSpec = { name: 'expect-hash', type: 'string', value: '<sha256>', description: 'Refuse a desired-set file whose hash differs (stale synth output).' };

export const reconcileCommand: Command = {
  name: 'reconcile',
  summary: 'Converge Pexip to a stack\'s desired set: create, update in place, prune what the stack no longer declares.',
  positionals: [DESIRED],
  options: [EXPECT_HASH],
  async run(context) {
    const { set, baseDir } = load(context);
    return withClient(context, async (client) => {
      const { plan, result } = await reconcile(set, { client, env: context.env, baseDir, progress: (line) => context.log.info(line) });
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
  options: [EXPECT_HASH],
  async run(context) {
    const { set } = load(context);
    return withClient(context, async (client) => printPlan(context, (await planAgainstLive(set, client)).plan, client.address, 'Plan'));
  },
};

export const driftCommand: Command = {
  name: 'drift',
  summary: 'Check live Pexip against the desired set (for scheduled jobs). Exit 0 no drift, 2 drift, 1 error.',
  positionals: [DESIRED],
  options: [EXPECT_HASH],
  async run(context) {
    const { set } = load(context);
    return withClient(context, async (client) => {
      const { plan } = await planAgainstLive(set, client);
      const code = printPlan(context, plan, client.address, 'Drift check');
      if (!context.json) context.log.info(code === EXIT.ok ? 'No drift.' : `Drift found. ${summaryLine(plan, 'Differences')}`);
      return code;
    });
  },
};

export const removeCommand: Command = {
  name: 'remove',
  summary: 'Remove everything a stack owns from Pexip, in the documented order; then remind about the Epic side.',
  positionals: [{ name: 'desired-set', description: 'The desired-set file (only its stack name is used); or give --stack.', required: false }],
  options: [{ name: 'stack', type: 'string', value: '<name>', description: 'Stack whose objects to remove (instead of a desired-set file).' }],
  async run(context) {
    const stack = (context.args.options.stack as string | undefined) ?? (context.args.positionals[0] ? loadDesiredSet(context.args.positionals[0]).set.stack : undefined);
    if (!stack) throw new ConfigError('give the desired-set file or --stack <name>.', { field: 'stack' });
    if (!STACK_NAME.test(stack)) throw new ConfigError(`--stack must match ${STACK_NAME.source}.`, { field: '--stack' });
    return withClient(context, async (client) => {
      const removed = await removeStack(client, stack, (line) => context.log.info(line));
      if (context.json) context.out(`${JSON.stringify({ stack, removed, reminder: EPIC_REMINDER })}\n`);
      else context.out(`Removed ${removed.length} object${removed.length === 1 ? '' : 's'} owned by stack "${stack}".\n${EPIC_REMINDER}\n`);
      return EXIT.ok;
    });
  },
};

export const adoptCommand: Command = {
  name: 'adopt',
  summary: 'Take existing hand-made objects into a stack: add the ownership marker to unowned objects with a declared natural key.',
  positionals: [DESIRED],
  options: [{ name: 'id', type: 'string', value: '<logical id>', repeatable: true, description: 'Adopt only these logical ids (default: every unowned match).' }],
  async run(context) {
    const { set } = loadDesiredSet(context.args.positionals[0]);
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
