import type { PexipClient } from '../api/client';
import { naturalKeyOf } from '../api/client';
import { ConfigError } from '../api/errors';
import { kindByName } from '../kinds';

const licence = kindByName('licence');

export interface LicenceOptions {
  /** The stack will return the licence on destroy. */
  readonly returnOnDestroy: boolean;
  /** Take over a licence someone else activated. */
  readonly adopt: boolean;
}

/**
 * Makes sure the entitlement is active, before the stack's objects are created. Run by the licence carrier's
 * create-time provisioner, so Terraform state records that this stack activated (or adopted) the licence: only
 * then may its destroy-time provisioner return it.
 */
export async function claimLicence(client: PexipClient, entitlement: string, options: LicenceOptions): Promise<'activated' | 'already active'> {
  const key = licence.normaliseNaturalKey!(entitlement);
  const existing = (await client.list(licence)).filter((l) => naturalKeyOf(licence, l) === key);
  if (existing.length === 0) {
    await client.create(licence, { entitlement_id: key, offline_mode: false });
    return 'activated';
  }
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
