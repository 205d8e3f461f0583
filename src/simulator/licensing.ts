import { createHash } from 'node:crypto';
import type { JsonObject } from '../kinds/types';
import { pexipTime } from './store';

/**
 * The simulator's stand-in for Pexip's licence server. What a real telehealth licence object holds is not published
 * (reference §7, [?]); these products are this project's model: a telehealth licence adds its `concurrent` count
 * to `status/v1/licensing.telehealth_total`.
 */
export interface Entitlement {
  readonly product: 'telehealth' | 'port' | 'system';
  readonly concurrent: number;
}

/** Demo entitlement keys every simulator accepts (spaces are ignored, as Pexip does). */
export const DEFAULT_ENTITLEMENTS: Readonly<Record<string, Entitlement>> = {
  'DEMO-TELEHEALTH-0001': { product: 'telehealth', concurrent: 50 },
  'DEMO-TELEHEALTH-0002': { product: 'telehealth', concurrent: 50 },
  'DEMO-TELEHEALTH-0003': { product: 'telehealth', concurrent: 10 },
  'DEMO-PORT-0001': { product: 'port', concurrent: 20 },
};

export const normaliseEntitlement = (value: string): string => value.replace(/\s+/g, '');

/** The server-populated fields of a licence activated from an entitlement. */
export function activatedLicence(entitlementId: string, entitlement: Entitlement, now: Date = new Date()): JsonObject {
  const fulfillmentId = `FID${createHash('sha256').update(`${entitlementId}:${now.getTime()}`).digest('hex').slice(0, 12).toUpperCase()}`;
  const expires = new Date(now.getTime() + 365 * 24 * 3600 * 1000);
  return {
    fulfillment_id: fulfillmentId,
    entitlement_id: entitlementId,
    offline_mode: false,
    fulfillment_type: 'FlexNet',
    product_id: `pexip-${entitlement.product}`,
    license_type: entitlement.product,
    features: entitlement.product === 'telehealth' ? 'Epic telehealth integration' : `${entitlement.product} licences`,
    concurrent: entitlement.concurrent,
    concurrent_overdraft: 0,
    activatable: 0,
    activatable_overdraft: 0,
    hybrid: 0,
    hybrid_overdraft: 0,
    start_date: pexipTime(now),
    expiration_date: pexipTime(expires),
    status: 'Activated',
    trust_flags: 3,
    repair: 0,
    server_chain: 'pexip-licensing',
    vendor_dictionary: {},
  };
}

/** `status/v1/licensing/`: totals from active licences, counts from what is in use. */
export function licensingStatus(licences: readonly JsonObject[], activeTelehealthConferences: number, activeParticipants: number): JsonObject {
  const total = (type: string) => licences.filter((l) => l.license_type === type).reduce((sum, l) => sum + (l.concurrent as number), 0);
  return {
    audio_count: 0,
    audio_total: 0,
    port_count: activeParticipants,
    port_total: total('port'),
    system_count: 0,
    system_total: total('system'),
    vmr_count: 0,
    vmr_total: 0,
    teams_count: 0,
    teams_total: 0,
    ghm_count: 0,
    ghm_total: 0,
    otj_count: 0,
    otj_total: 0,
    scheduling_count: 0,
    scheduling_total: 0,
    telehealth_count: activeTelehealthConferences,
    telehealth_total: total('telehealth'),
    customlayouts_active: false,
    googletrustedjoin_active: false,
    zoomtrustedjoin_active: false,
  };
}
