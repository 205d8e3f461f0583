import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { DESIRED_SET_FILE, type PexipStack } from './pexip-stack';

/**
 * The licence's action carrier. Its create-time provisioner claims the licence (activates it, or accepts an already
 * active one unless it is to be returned and was not adopted); its destroy-time provisioner returns it if
 * `returnOnDestroy`. Entitlement and both flags are triggers: changing them replaces the carrier, so the claim check
 * runs again. The stack's anchor depends on it, so on destroy the licence goes last, as documented.
 */
export function licenceCarrier(scope: Construct, stack: PexipStack, entitlement: string, returnOnDestroy: boolean, adopt: boolean): ITerraformDependable {
  const { carrier, cliCommand } = stack;
  return carrier.action(scope, 'licence', {
    triggers: { entitlement, return_on_destroy: String(returnOnDestroy), adopt: String(adopt) },
    input: { entitlement, return_on_destroy: String(returnOnDestroy), variant: stack.variant, node: carrier.read(stack.binding, 'node') },
    create: {
      // --check: a deploy reconcile would refuse (node schema, conflicts, secrets, another node) activates nothing either.
      command: `${cliCommand} licence claim --entitlement "$PEXIP_LICENCE_ENTITLEMENT"${returnOnDestroy ? ' --return-on-destroy' : ''}${adopt ? ' --adopt' : ''} --check ${DESIRED_SET_FILE} --bound-node "$PEXIP_CDKTF_BOUND_NODE"`,
      environment: { PEXIP_LICENCE_ENTITLEMENT: carrier.self('entitlement'), PEXIP_CDKTF_BOUND_NODE: carrier.self('node') },
    },
    destroy: {
      command: `${cliCommand} licence return --entitlement "$PEXIP_LICENCE_ENTITLEMENT" --opted-in "$PEXIP_LICENCE_RETURN" --variant "$PEXIP_CDKTF_VARIANT" --bound-node "$PEXIP_CDKTF_BOUND_NODE"`,
      environment: { PEXIP_LICENCE_ENTITLEMENT: carrier.self('entitlement'), PEXIP_LICENCE_RETURN: carrier.self('return_on_destroy'), PEXIP_CDKTF_VARIANT: carrier.selfOrEmpty('variant'), PEXIP_CDKTF_BOUND_NODE: carrier.selfOrEmpty('node') },
    },
    dependsOn: [stack.binding],
  });
}
