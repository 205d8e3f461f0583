import type { PexipClient } from '../api/client';
import { keyOf } from '../api/client';
import { type KindName, REMOVAL_ORDER } from '../kinds';
import { ownerOf } from '../kinds/ownership';
import { liveName, observe } from './live';

/** What `cdktf destroy` reminds the user of: Pexip alone cannot undo the Epic side. */
export const EPIC_REMINDER =
  'Reminder: the integration must also be removed on the Epic side. Ask your Epic contact to remove the Pexip telehealth integration for this environment (FDI records, client IDs and the encryption key).';

export interface Removed {
  readonly kind: KindName;
  readonly name: string;
  readonly key: string;
  readonly logicalId?: string;
  readonly outcome: 'deleted' | 'already gone';
}

/**
 * The documented removal of everything a stack owns: call routing rules → Epic telehealth profile → web app paths
 * → branding → themes → policy profiles. Objects are found by their ownership markers, so nothing the stack does not
 * own is touched; every delete tolerates 404, so a re-run after an interruption finishes the job. Licences are
 * returned separately, by their own carrier, after this.
 */
export async function removeStack(client: PexipClient, stack: string, progress: (line: string) => void): Promise<Removed[]> {
  const kinds = REMOVAL_ORDER.filter((k) => k.ownership.style !== 'terraform-state');
  const live = await observe(client, kinds);
  const removed: Removed[] = [];
  for (const kind of kinds) {
    for (const object of live.get(kind.name as KindName) ?? []) {
      const owner = ownerOf(kind, object, { stack, logicalIds: [] });
      if (owner?.stack !== stack) continue;
      const key = keyOf(kind, object);
      const name = liveName(kind, object);
      const outcome = (await client.delete(kind, key, { tolerateNotFound: true, object: name })) === 'absent' ? 'already gone' : 'deleted';
      removed.push({ kind: kind.name as KindName, name, key, logicalId: owner.logicalId, outcome });
      progress(`- remove ${kind.title} "${name}"${owner.logicalId ? ` (${owner.logicalId})` : ''}: ${outcome}`);
    }
  }
  return removed;
}
