import { PexipClient } from '../api/client';
import type { CommandContext } from './command';

/**
 * Runs `work` with a client from the PEXIP_* settings, closing its connections afterwards. With a stack's variant
 * word, the stack's own node (`PEXIP_<VARIANT>_ADDRESS` and the rest) when it has one.
 */
export async function withClient<T>(context: CommandContext, work: (client: PexipClient) => Promise<T>, variant?: string): Promise<T> {
  const client = PexipClient.fromEnv(context.env, context.log, {}, variant);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}
