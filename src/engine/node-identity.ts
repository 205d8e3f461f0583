import type { PexipClient } from '../api/client';
import { PexipApiError, PexipAuthError, PexipConnectionError } from '../api/errors';
import { NodeBindingError } from './records';
import type { JsonObject } from '../kinds/types';

/**
 * Which Management Node a client reaches: the primary management VM's own host name, domain and address, as
 * `configuration/v1/management_vm/` reports them. Not the address the client used: a DNS alias, another port or a
 * reverse proxy in front reach the same node, and two nodes behind one name (a test platform restored into the
 * production address) are told apart.
 */
export interface NodeIdentity {
  /** `<hostname>.<domain> (<address>)`, lower case: what a stack's binding records and compares. */
  readonly id: string;
}

const PATH = '/api/admin/configuration/v1/management_vm/';

/** The identity of the node behind `client`; undefined when the node does not say (an API role without access). */
export async function readNodeIdentity(client: PexipClient): Promise<NodeIdentity | undefined> {
  let vms: JsonObject[];
  try {
    vms = await client.listPath(PATH, {}, { kind: 'management node' });
  } catch (error) {
    if (error instanceof PexipConnectionError || error instanceof PexipAuthError || !(error instanceof PexipApiError)) throw error;
    return undefined;
  }
  const primary = vms.find((vm) => vm.primary === true) ?? vms[0];
  const hostname = typeof primary?.hostname === 'string' ? primary.hostname.trim().toLowerCase() : '';
  if (!hostname) return undefined;
  const domain = typeof primary.domain === 'string' ? primary.domain.trim().toLowerCase().replace(/\.$/, '') : '';
  const address = typeof primary.address === 'string' ? primary.address.trim() : '';
  return { id: `${domain ? `${hostname}.${domain}` : hostname}${address ? ` (${address})` : ''}` };
}

/** How a stack is moved to another node (README, "Each stack on its own node"). */
function moveHint(stack: string, to: string): string {
  return `If the stack really moves to that node, set moveToNode: '${to}' on PexipStack "${stack}" and deploy (its objects are created there; remove them from the old node with pexip-cdktf remove first if they should go).`;
}

/**
 * Refuses when the node reached is not the one the stack is bound to (`bound`, from Terraform state through the
 * carriers; empty when the stack has no binding yet). Runs before the first write, so no secret reaches the other node.
 */
export async function checkBinding(client: PexipClient, stack: string, bound: string | undefined): Promise<NodeIdentity | undefined> {
  if (!bound) return undefined;
  const { addressVariable } = client;
  const live = await readNodeIdentity(client);
  if (live === undefined) {
    throw new NodeBindingError(
      `stack "${stack}" is bound to Management Node ${bound}, but the node at ${client.address} (${addressVariable}) does not say which node it is (configuration/v1/management_vm/ unreadable); nothing was written. Give the API account read access to the Management Node's configuration.`,
      { field: addressVariable },
    );
  }
  if (live.id !== bound) {
    throw new NodeBindingError(
      `stack "${stack}" lives on Management Node ${bound} (recorded in its Terraform state when it was first deployed), but ${addressVariable} (${client.address}) reaches ${live.id}; nothing was written and no secret was sent. Point ${addressVariable} at the stack's own node. ${moveHint(stack, live.id)}`,
      { field: addressVariable },
    );
  }
  return live;
}
