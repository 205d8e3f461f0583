import { PexipClient } from '../api/client';
import type { CommandContext } from './command';

/** Runs `work` with a client from the PEXIP_* settings, closing its connections afterwards. */
export async function withClient<T>(context: CommandContext, work: (client: PexipClient) => Promise<T>): Promise<T> {
  const client = PexipClient.fromEnv(context.env, context.log);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}
