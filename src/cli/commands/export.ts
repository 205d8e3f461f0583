import { writeFileSync } from 'node:fs';
import { ConfigError } from '../../api/errors';
import { defaultVariant } from '../../engine/desired';
import { exportCode } from '../../engine/export';
import { VARIANT_OPTION, variantOption } from '../desired-arg';
import { observe } from '../../engine/live';
import { KINDS } from '../../kinds';
import { STACK_NAME } from '../../kinds/ownership';
import { type Command, EXIT } from '../command';
import { printable } from '../../util/printable';
import { withClient } from '../with-client';

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write live Pexip telehealth configuration as TypeScript construct code (objects adopted on first deploy).',
  positionals: [],
  options: [
    { name: 'stack', type: 'string', value: '<name>', description: 'Stack id for the generated PexipStack (required).' },
    { name: 'environment', type: 'string', value: 'production|non-production', description: 'Environment of the stack; names the secret variables (required).' },
    { name: 'all', type: 'boolean', description: 'Every object of the managed kinds, not only telehealth profiles, their rules, themes and licences.' },
    { name: 'out', type: 'string', value: '<file.ts>', description: 'Write the code to this file instead of stdout.' },
    VARIANT_OPTION,
  ],
  async run(context) {
    const stack = context.args.options.stack as string | undefined;
    const environment = context.args.options.environment as string | undefined;
    if (!stack || !STACK_NAME.test(stack)) throw new ConfigError(`--stack is required and must match ${STACK_NAME.source}.`, { field: '--stack' });
    if (environment !== 'production' && environment !== 'non-production') throw new ConfigError('--environment must be production or non-production.', { field: '--environment' });
    // The stack's own node when it has one: its variant word, or its environment's (PROD / NONPROD).
    const variant = variantOption(context.args.options) ?? defaultVariant(environment);
    return withClient(context, async (client) => {
      const live = await observe(client, KINDS);
      const { code, skipped } = exportCode(live, { stack, environment, scope: context.args.options.all ? 'all' : 'telehealth' });
      for (const s of skipped) context.log.warn(`not exported: ${s.kind} "${s.name}": ${s.reason}`);
      const out = context.args.options.out as string | undefined;
      if (out) writeFileSync(out, code);
      // The code declares the licences it found, so it holds their entitlement keys whole: it bypasses the masking
      // of every other output (the code is already escaped: exportCode writes invisible characters as escapes).
      if (context.json) process.stdout.write(printable(`${JSON.stringify({ stack, environment, code: out ? undefined : code, file: out, skipped })}\n`));
      else if (out) context.log.info(`wrote ${out}`);
      else process.stdout.write(code);
      return EXIT.ok;
    }, variant);
  },
};
