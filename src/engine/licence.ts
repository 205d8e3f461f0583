import type { PexipClient } from '../api/client';
import { naturalKeyOf } from '../api/client';
import { ConfigError } from '../api/errors';
import { kindByName } from '../kinds';
import { LedgerWriter } from './ledger';
import type { Plan } from './plan';

const licence = kindByName('licence');

export interface LicenceOptions {
  /** The stack will return the licence on destroy. */
  readonly returnOnDestroy: boolean;
  /** Take over a licence someone else activated. */
  readonly adopt: boolean;
}

/** Where the claim records its activation first: the stack's ledger, as the plan of its desired set found it. */
export interface LicenceRecord {
  readonly stack: string;
  readonly logicalId: string;
  readonly plan: Plan;
  readonly progress: (line: string) => void;
}

/**
 * Makes sure the entitlement is active, before the stack's objects are created. Run by the licence carrier's
 * create-time provisioner, so Terraform state records that this stack activated (or adopted) the licence: only
 * then may its destroy-time provisioner return it.
 */
export async function claimLicence(client: PexipClient, entitlement: string, options: LicenceOptions, record?: LicenceRecord): Promise<'activated' | 'already active'> {
  const key = licence.normaliseNaturalKey!(entitlement);
  const existing = (await client.list(licence)).filter((l) => naturalKeyOf(licence, l) === key);
  const ledger = record?.plan.ledger.current;
  if (existing.length === 0) {
    if (record && ledger) {
      // Recorded before the activation: a run killed between the two still knows that this stack activated it.
      const writer = new LedgerWriter(client, record.stack, record.plan.ledger.key, ledger);
      await writer.write({ ...ledger, objects: { ...ledger.objects, [record.logicalId]: { kind: 'licence', pending: key } } }, record.progress, { create: true });
    }
    await client.create(licence, { entitlement_id: key, offline_mode: false });
    return 'activated';
  }
  const ours = ledger ? Object.values(ledger.objects).some((e) => e.kind === 'licence' && e.pending === key) : false;
  if (ours) return 'already active';
  if (options.returnOnDestroy && !options.adopt) {
    throw new ConfigError(
      `licence ${key} is already active and this stack did not activate it: returning it on destroy would remove a licence someone else installed. Set adopt: true to let this stack own it, or returnOnDestroy: false.`,
      { kind: licence.title, object: key, field: 'returnOnDestroy' },
    );
  }
  return 'already active';
}

/** Returns (deletes) every licence object of the entitlement; absent counts as returned. */
export async function returnLicence(client: PexipClient, entitlement: string): Promise<number> {
  const key = licence.normaliseNaturalKey!(entitlement);
  const existing = (await client.list(licence)).filter((l) => naturalKeyOf(licence, l) === key);
  for (const l of existing) await client.delete(licence, String(l.fulfillment_id), { tolerateNotFound: true, object: key });
  return existing.length;
}
