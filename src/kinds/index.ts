import { gatewayRoutingRule } from './gateway-routing-rule';
import { httpProxy } from './http-proxy';
import { ivrTheme } from './ivr-theme';
import { licence } from './licence';
import { policyServer } from './policy-server';
import { systemLocation } from './system-location';
import { telehealthProfile } from './telehealth-profile';
import type { KindSpec } from './types';
import { webappAlias } from './webapp-alias';
import { webappBranding } from './webapp-branding';

export * from './types';
export { EPIC_ALGORITHM_WIRE } from './telehealth-profile';

/** Every kind this project manages. Adding a kind: one file in this folder, one entry here, plus its tests. */
export const KINDS: readonly KindSpec[] = [
  telehealthProfile,
  gatewayRoutingRule,
  ivrTheme,
  webappBranding,
  webappAlias,
  policyServer,
  httpProxy,
  systemLocation,
  licence,
];

export type KindName = 'telehealth_profile' | 'gateway_routing_rule' | 'ivr_theme' | 'webapp_branding' | 'webapp_alias' | 'policy_server' | 'http_proxy' | 'system_location' | 'licence';

const BY_NAME = new Map(KINDS.map((kind) => [kind.name, kind]));

export function isKindName(name: string): name is KindName {
  return BY_NAME.has(name);
}

/** The description of a kind; throws for a name that is not one of ours (a programming error). */
export function kindByName(name: string): KindSpec {
  const kind = BY_NAME.get(name);
  if (!kind) throw new Error(`Unknown Pexip resource kind "${name}"; known: ${KINDS.map((k) => k.name).join(', ')}`);
  return kind;
}

/** Kinds in the documented removal order. */
export const REMOVAL_ORDER: readonly KindSpec[] = [...KINDS].sort((a, b) => a.removalRank - b.removalRank);

/** Kinds in creation order: every kind after the kinds its references point to (the removal order reversed). */
export const CREATION_ORDER: readonly KindSpec[] = [...REMOVAL_ORDER].reverse();

/**
 * Creation order as steps by depth: a step's kinds refer only to kinds of earlier steps. A deploy queues its creates
 * and updates step by step, so the objects others wait for (profiles before rules) start first; each then waits only
 * for the objects it refers to (engine/apply.ts). The licence comes alone, first: telehealth objects may need it active.
 */
export const CREATION_STEPS: readonly (readonly KindSpec[])[] = (() => {
  const step = new Map<KindSpec, number>();
  for (const kind of CREATION_ORDER) step.set(kind, kind === licence ? 0 : Math.max(1, ...referenceFields(kind).map((r) => step.get(r.target)! + 1)));
  const count = Math.max(...step.values()) + 1;
  return Array.from({ length: count }, (_, i) => CREATION_ORDER.filter((kind) => step.get(kind) === i)).filter((kinds) => kinds.length > 0);
})();

/** A kind whose whole objects a stack owns (not one whose fields it manages, such as system locations). */
export function isOwnedKind(name: string | undefined): name is KindName {
  return name !== undefined && BY_NAME.has(name) && BY_NAME.get(name)!.management === undefined;
}

/** References from one of our kinds to another kind a stack owns objects of (e.g. rule → profile), by field. */
export function referenceFields(kind: KindSpec): { field: string; target: KindSpec }[] {
  return Object.entries(kind.fields)
    .filter(([, spec]) => (spec.type === 'reference' || spec.type === 'referenceList') && !spec.readOnly && isOwnedKind(spec.references))
    .map(([field, spec]) => ({ field, target: kindByName(spec.references!) }));
}
