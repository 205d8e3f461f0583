import { redactor } from '../../api/redact';
import { ConfigError } from '../../api/errors';
import { loadDesiredSet, variantOf } from '../../engine/desired';
import { checkBinding } from '../../engine/node-identity';
import { kindByName } from '../../kinds';
import { VARIANT_OPTION, variantOption } from '../desired-arg';
import { claimLicence, type LicenceRecord, returnLicence } from '../../engine/licence';
import { preflight } from '../../engine/reconcile';
import { type Command, EXIT } from '../command';
import { withClient } from '../with-client';

export const licenceCommand: Command = {
  name: 'licence',
  summary: 'Activate (claim) or return the telehealth licence of a stack; run by the licence carrier.',
  positionals: [{ name: 'action', description: 'claim or return', required: true }],
  options: [
    { name: 'entitlement', type: 'string', value: '<key>', description: 'The entitlement key (spaces ignored).' },
    { name: 'return-on-destroy', type: 'boolean', description: 'claim: the stack will return the licence on destroy.' },
    { name: 'adopt', type: 'boolean', description: 'claim: take over a licence someone else activated.' },
    { name: 'opted-in', type: 'string', value: 'true|false', description: 'return: return only when "true" (the stack\'s returnOnDestroy); default true.' },
    { name: 'check', type: 'string', value: '<desired.json>', description: 'claim: first run every check reconcile makes before its first write (secrets, plan, node schema) on this desired set; activate nothing if one fails.' },
    VARIANT_OPTION,
    { name: 'bound-node', type: 'string', value: '<identity>', description: 'Refuse unless the node reached is this one (the stack\'s binding; set by the carrier).' },
  ],
  async run(context) {
    const action = context.args.positionals[0];
    const entitlement = context.args.options.entitlement as string | undefined;
    if (!entitlement) throw new ConfigError('--entitlement is required.', { field: '--entitlement' });
    redactor.addMasked(entitlement);
    if (action !== 'claim' && action !== 'return') throw new ConfigError(`unknown licence action "${action}"; use claim or return.`, { field: 'action' });
    const check = context.args.options.check as string | undefined;
    const checked = action === 'claim' && check ? loadDesiredSet(check) : undefined;
    const variant = variantOption(context.args.options) ?? (checked ? variantOf(checked.set) : undefined);
    const bound = (context.args.options['bound-node'] as string | undefined) || undefined;
    return withClient(context, async (client) => {
      // Activating or returning is a write: never on a node the stack is not bound to.
      await checkBinding(client, checked?.set.stack ?? 'this', bound);
      if (action === 'claim') {
        let record: LicenceRecord | undefined;
        if (checked) {
          // Its progress (warnings, notes) is the reconcile's to say, right after; here only a refusal matters.
          const { set, baseDir, appDir } = checked;
          const { plan } = await preflight(set, { client, env: context.env, baseDir, appDir, progress: (line) => context.log.debug(line), debug: (line) => context.log.debug(line), stop: context.stop });
          const same = kindByName('licence').normaliseNaturalKey!;
          const declared = set.objects.find((o) => o.kind === 'licence' && same(String(o.spec.entitlement_id)) === same(entitlement));
          if (declared) record = { stack: set.stack, logicalId: declared.id, plan, progress: (line) => context.log.info(line) };
        }
        const outcome = await claimLicence(client, entitlement, { returnOnDestroy: Boolean(context.args.options['return-on-destroy']), adopt: Boolean(context.args.options.adopt) }, record);
        context.out(context.json ? `${JSON.stringify({ entitlement, outcome })}\n` : `licence ${entitlement}: ${outcome}\n`);
      } else if (context.args.options['opted-in'] === 'false') {
        context.out(context.json ? `${JSON.stringify({ entitlement, returned: 0, kept: true })}\n` : `licence ${entitlement}: kept (returnOnDestroy is false); return it in Platform > Licenses if it is no longer needed\n`);
      } else {
        const returned = await returnLicence(client, entitlement);
        context.out(context.json ? `${JSON.stringify({ entitlement, returned })}\n` : `licence ${entitlement}: ${returned > 0 ? 'returned' : 'already returned'}\n`);
      }
      return EXIT.ok;
    }, variant);
  },
};
