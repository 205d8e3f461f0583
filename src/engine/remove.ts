import type { PexipClient } from '../api/client';
import { keyOf } from '../api/client';
import { PexipCdktfError } from '../api/errors';
import { kindByName, type KindName, REMOVAL_ORDER } from '../kinds';
import type { JsonObject, KindSpec } from '../kinds/types';
import { blockingReferences, describeBlocking } from './blocking-references';
import { restoreFields } from './apply';
import { claimKey, clearingRemoved, type Restoration, restorations } from './field-claims';
import { emptyLedger, findLedger, isLedgerObject, type Ledger, LEDGER_KIND_NAME, ledgerName, liveOwner, otherLedgers } from './ledger';
import { checkBinding } from './node-identity';
import { doubleClaims, missingLedger } from './record-checks';
import { RecordsError } from './records';
import { inPool, type LiveState, liveName, observe, uriOfLive } from './live';
import { InterruptedError, type StopToken } from './pool';

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

/** Removal refused before anything was deleted: objects the stack does not own still use objects it would remove. */
export class RemovalBlockedError extends PexipCdktfError {}

interface Owned {
  readonly kind: KindSpec;
  readonly object: JsonObject;
  readonly logicalId?: string;
}

/**
 * The documented removal of everything a stack owns: call routing rules → Epic telehealth profile → web app paths
 * → branding → themes → policy profiles, then the stack's ledger. Objects are found by their ownership markers or
 * the ledger, so nothing the stack does not own is touched; objects it does not own that still use one of them stop
 * the removal before the first delete; every delete tolerates 404, so a re-run after an interruption finishes the
 * job. Licences are returned separately, by their own carrier, after this.
 */
export interface RemoveOptions {
  readonly stop?: StopToken;
  /** The node the stack is bound to (Terraform state, through the anchor): refused on any other. */
  readonly boundNode?: string;
  /** Remove what carries the stack's marker although its ledger is gone (what only the ledger knew is left). */
  readonly withoutLedger?: boolean;
}

export async function removeStack(client: PexipClient, stack: string, progress: (line: string) => void, options: RemoveOptions = {}): Promise<Removed[]> {
  const { stop } = options;
  await checkBinding(client, stack, options.boundNode);
  const kinds = REMOVAL_ORDER.filter((k) => k.ownership.style !== 'terraform-state');
  const live = await observe(client, kinds, stop);
  const found = findLedger(live, stack);
  const ledger = found?.ledger ?? emptyLedger(stack);
  const missing = missingLedger(live, stack, found !== undefined, 'destroy');
  if (missing && !options.withoutLedger) {
    throw new RecordsError(
      `nothing was removed: ${missing.reason} Or set PEXIP_CDKTF_REMOVE_WITHOUT_LEDGER=1 (pexip-cdktf remove --without-ledger) to remove only what carries the stack's marker, leaving its themes, web proxies and location values as they are.`,
      { kind: 'policy profile', object: ledgerName(stack) },
    );
  }
  const claimed = doubleClaims(live, ledger, otherLedgers(live, stack));
  if (claimed.length > 0) throw new RecordsError(`nothing was removed: ${claimed.map((c) => c.reason).join(' ')}`, { kind: kindByName(claimed[0].kind).title, object: claimed[0].name });
  const owned: Owned[] = kinds.flatMap((kind) =>
    (live.get(kind.name as KindName) ?? []).flatMap((object) => {
      if (isLedgerObject(kind, object)) return [];
      const owner = liveOwner(kind, object, stack, [ledger]);
      return owner?.stack === stack ? [{ kind, object, logicalId: owner.logicalId }] : [];
    }),
  );
  // Fields the stack set on objects it does not own are given back first; the references that remain block.
  const removing = new Map(owned.map((o) => [uriOfLive(o.kind, o.object), `${o.kind.title} "${liveName(o.kind, o.object)}"`]));
  const restores = fieldRestores(live, ledger).map((r) => ({ ...r, restorations: clearingRemoved(r.restorations, removing) }));
  const blocking = blockingReferences(afterRestores(live, restores), removing);
  if (blocking.length > 0) {
    throw new RemovalBlockedError(
      `nothing was removed: ${blocking.length === 1 ? 'an object' : `${blocking.length} objects`} this stack does not own still ${blocking.length === 1 ? 'uses' : 'use'} objects it would remove (Pexip refuses to delete an object in use):\n${describeBlocking(blocking)}\nRe-point or remove ${blocking.length === 1 ? 'it' : 'them'} in Pexip, then run the removal again.`,
      { kind: blocking[0].kind.title, object: liveName(blocking[0].kind, blocking[0].object), field: blocking[0].field },
    );
  }
  const removed: Removed[] = [];
  const stopped = () => {
    if (stop?.stopped) throw new InterruptedError(stop.reason!, `removed so far: ${removed.length} object${removed.length === 1 ? '' : 's'}`);
  };
  await inPool(client, restores, stop, (r) => restoreFields(client, r.kind, keyOf(r.kind, r.object), liveName(r.kind, r.object), r.restorations, progress));
  // The documented order between kinds; the objects of one kind at once.
  for (const kind of kinds) {
    stopped();
    const step = owned.filter((o) => o.kind === kind);
    const outcomes = new Map<Owned, Removed>();
    try {
      await inPool(client, step, stop, async (item) => {
        const key = keyOf(kind, item.object);
        const name = liveName(kind, item.object);
        const outcome = (await client.delete(kind, key, { tolerateNotFound: true, object: name })) === 'absent' ? 'already gone' : 'deleted';
        outcomes.set(item, { kind: kind.name as KindName, name, key, logicalId: item.logicalId, outcome });
        progress(`- remove ${kind.title} "${name}"${item.logicalId ? ` (${item.logicalId})` : ''}: ${outcome}`);
      });
    } finally {
      // In the order they were listed, whatever order the parallel deletes finished in.
      for (const item of step) if (outcomes.has(item)) removed.push(outcomes.get(item)!);
    }
  }
  stopped();
  if (found) {
    await client.delete(kindByName(LEDGER_KIND_NAME), found.key, { tolerateNotFound: true, object: ledgerName(stack) });
    progress(`- remove ledger of stack "${stack}" (policy profile "${ledgerName(stack)}")`);
  }
  return removed;
}

interface FieldRestore {
  readonly kind: KindSpec;
  readonly object: JsonObject;
  readonly restorations: readonly Restoration[];
}

/** Every field the ledger records this stack set on a live object it does not own. */
function fieldRestores(live: LiveState, ledger: Ledger): FieldRestore[] {
  return REMOVAL_ORDER.filter((k) => k.management).flatMap((kind) =>
    (live.get(kind.name as KindName) ?? []).flatMap((object) => {
      const record = ledger.fields[claimKey(kind, object)];
      return record ? [{ kind, object, restorations: restorations(object, record) }] : [];
    }),
  );
}

/** The live state as it will be once the fields are given back. */
function afterRestores(live: LiveState, restores: readonly FieldRestore[]): LiveState {
  const next = new Map(live);
  for (const r of restores) {
    const changed = { ...r.object };
    for (const x of r.restorations) if (x.to !== undefined) changed[x.field] = x.to;
    next.set(r.kind.name as KindName, (next.get(r.kind.name as KindName) ?? []).map((o) => (o === r.object ? changed : o)));
  }
  return next;
}
