import { createHash } from 'node:crypto';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import type { DesiredObject } from '../engine/desired';
import type { JsonObject } from '../kinds/types';
import { logicalIdOf } from './pexip-object';
import { PexipStack, type StackMember } from './pexip-stack';
import { propErrorOf, type PropSource, reportChildProps } from './prop-errors';
import type { IPolicyProfile, IWebProxy } from './references';
import { toolkit } from './toolkit';
const { Construct: ConstructBase } = toolkit().constructs;

export interface LocationAssignmentProps {
  /** Names of existing system locations (Platform > Locations). The stack never creates or deletes a location. */
  readonly locations: readonly string[];
  /** The policy profile the Conferencing Nodes in these locations use (`system_location.policy_server`). */
  readonly policyProfile?: IPolicyProfile;
  /** The web proxy they use for outbound HTTP(S), e.g. to reach Epic (`system_location.http_proxy`). */
  readonly webProxy?: IWebProxy;
  /**
   * Replace a value someone else set on a location (removal restores it). Default false: such a value stops the
   * deploy with a conflict naming the location, the field and the value.
   */
  readonly takeOver?: boolean;
}

/** A construct id for a location name: readable, and unique even when two names differ only in punctuation. */
function locationId(name: string): string {
  const slug = name.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 24) || 'location';
  return `${slug}-${createHash('sha256').update(name).digest('hex').slice(0, 6)}`;
}

/** The LocationAssignment prop behind each field (and option) of a claim. */
const CLAIM_PROPS: Readonly<Record<string, string>> = { name: 'locations', policy_server: 'policyProfile', http_proxy: 'webProxy', takeOver: 'takeOver' };

/** One location's fields, as the stack declares them: a member of the stack with its own declaration carrier. */
class LocationClaim extends ConstructBase implements StackMember {
  readonly logicalId: string;
  readonly carrierResource: ITerraformDependable;
  private readonly desired: DesiredObject;

  constructor(scope: Construct, id: string, stack: PexipStack, spec: JsonObject, takeOver: boolean) {
    super(scope, id);
    this.logicalId = logicalIdOf(this, stack);
    this.desired = { kind: 'system_location', id: this.logicalId, spec, ...(takeOver ? { takeOver } : {}) };
    this.carrierResource = stack.carrier.declaration(this, 'declaration', { spec, ...(takeOver ? { take_over: true } : {}) });
    stack.register(this);
  }

  toDesired(): DesiredObject {
    return this.desired;
  }

  sourceOf(field: string): PropSource {
    return { prop: Object.prototype.hasOwnProperty.call(CLAIM_PROPS, field) ? CLAIM_PROPS[field] : field };
  }
}

/**
 * Assigns a policy profile and/or a web proxy to existing system locations, where they take effect. Locations are
 * not owned: the stack manages only these fields, refuses to overwrite a value someone else set unless `takeOver`,
 * records what was there before (in the stack's ledger in Pexip), and restores it when the assignment or the stack
 * is removed, before the policy profile or proxy is deleted.
 */
export class LocationAssignment extends ConstructBase {
  constructor(scope: Construct, id: string, props: LocationAssignmentProps) {
    super(scope, id);
    const stack = PexipStack.of(this);
    const fail = (prop: string, message: string): never => {
      throw propErrorOf(this, prop, message);
    };
    if (!Array.isArray(props.locations) || props.locations.length === 0) fail('locations', 'name at least one system location.');
    for (const name of props.locations) {
      if (typeof name !== 'string' || name.trim() === '' || name.length > 250 || /[\u0000-\u001f\u007f]/.test(name)) fail('locations', `${JSON.stringify(name)} is not a location name (1–250 characters, no control characters).`);
    }
    const twice = props.locations.find((name, i) => props.locations.indexOf(name) !== i);
    if (twice !== undefined) fail('locations', `"${twice}" is listed twice.`);
    if (!props.policyProfile && !props.webProxy) fail('policyProfile', 'give a policyProfile, a webProxy, or both.');
    if (props.policyProfile && props.policyProfile.kind !== 'policy_server') fail('policyProfile', 'expects a PolicyProfile.');
    if (props.webProxy && props.webProxy.kind !== 'http_proxy') fail('webProxy', 'expects a WebProxy.');
    for (const name of props.locations) {
      const spec: JsonObject = {
        name,
        ...(props.policyProfile ? { policy_server: props.policyProfile.referenceValue } : {}),
        ...(props.webProxy ? { http_proxy: props.webProxy.referenceValue } : {}),
      };
      // A claim is this construct's doing: its errors are this construct's, with the same props.
      new LocationClaim(this, reportChildProps(this, locationId(name), { '*': '*' }), stack, spec, props.takeOver === true);
    }
  }
}
