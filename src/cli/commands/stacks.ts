import { join } from 'node:path';
import { addressVariable } from '../../api/settings';
import { loadDesiredSet, variantOf } from '../../engine/desired';
import { type Command, EXIT } from '../command';
import { DESIRED_FILE, OUTDIR, outputDirectory, synthesizedStacks } from '../desired-arg';

/**
 * The synthesized stacks and which node each one reaches: what a GitOps matrix needs to run one job per stack
 * (`pexip-cdktf stacks --json`), and what a person checks before `cdktf deploy '*'`.
 */
export const stacksCommand: Command = {
  name: 'stacks',
  summary: 'List the synthesized stacks: environment, variant word, and the connection variable naming each one\'s node. Read-only, no request.',
  positionals: [],
  options: [OUTDIR],
  async run(context) {
    const outdir = outputDirectory(context.args.options.outdir as string | undefined);
    const stacks = synthesizedStacks(outdir).map((name) => {
      const { set } = loadDesiredSet(join(outdir, 'stacks', name, DESIRED_FILE));
      const variant = variantOf(set);
      let variable: string;
      let problem: string | undefined;
      try {
        variable = addressVariable(context.env, variant);
      } catch (error) {
        variable = `PEXIP_${variant}_ADDRESS`;
        problem = (error as Error).message;
      }
      const address = context.env[variable]?.trim() || null;
      return { stack: set.stack, environment: set.environment, variant, addressVariable: variable, address, objects: set.objects.length, ...(problem ? { problem } : {}) };
    });
    if (context.json) {
      context.out(`${JSON.stringify({ outdir, stacks })}\n`);
    } else if (stacks.length === 0) {
      context.out(`No stack is synthesized in ${outdir}; run cdktf synth first.\n`);
    } else {
      const rows = stacks.map((s) => `${s.stack.padEnd(20)} ${s.environment.padEnd(15)} ${s.variant.padEnd(12)} ${s.addressVariable}=${s.address ?? '(not set)'}${s.problem ? `  problem: ${s.problem}` : ''}`);
      context.out(`${'stack'.padEnd(20)} ${'environment'.padEnd(15)} ${'variant'.padEnd(12)} node\n${rows.join('\n')}\n`);
    }
    return stacks.some((s) => s.problem) ? EXIT.error : EXIT.ok;
  },
};
