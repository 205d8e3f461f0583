import type { PexipClient } from '../api/client';
import { kindByName } from '../kinds';
import { applyMarker } from '../kinds/ownership';
import { actionLine } from './apply';
import type { DesiredSet } from './desired';
import { type LedgerEntry, LedgerWriter } from './ledger';
import { type ConflictAction, ownerFor } from './plan';
import { planAgainstLive } from './reconcile';

export interface AdoptResult {
  /** Logical ids that got this stack's marker. */
  readonly adopted: readonly string[];
  /** Declared objects that could not be adopted (e.g. another stack owns the name). */
  readonly conflicts: readonly ConflictAction[];
}

/**
 * Takes hand-made objects into a stack: every unowned object whose natural key a chosen declared object has gets the
 * ownership marker (or, for kinds without one, an entry in the stack's ledger), and nothing else changes (the next
 * reconcile aligns the fields). `only` limits it to logical ids.
 */
export async function adoptObjects(set: DesiredSet, client: PexipClient, only: readonly string[] | undefined, progress: (line: string) => void): Promise<AdoptResult> {
  const adoptable = { ...set, objects: set.objects.map((o) => ((!only || only.includes(o.id)) && !kindByName(o.kind).management ? { ...o, adopt: true } : o)) };
  const { plan } = await planAgainstLive(adoptable, client);
  const adopted: string[] = [];
  const entries: Record<string, LedgerEntry> = {};
  for (const action of plan.actions) {
    if (action.type !== 'update' || action.takeover !== 'adopt') continue;
    const kind = kindByName(action.kind);
    // Fields on objects the stack does not own are recorded by reconcile (taking over a value needs takeOver).
    if (kind.management) continue;
    // Secrets, package and fields of an adopted object are unknown: record a secrets version no declaration uses and
    // neither package nor spec hash, so the next reconcile sends the secrets, uploads the package and aligns fields.
    const owner = { ...ownerFor(set, action.object, action.object.secrets ? 'adopted' : undefined), packageHash: undefined, specHash: undefined };
    if (kind.ownership.style === 'ledger') {
      entries[action.id!] = { kind: action.kind, key: action.key, ...(owner.secretsVersion ? { sv: owner.secretsVersion } : {}) };
      progress(actionLine(action, 'recorded in the stack\'s ledger'));
    } else {
      const field = kind.ownership.field!;
      await client.update(kind, action.key, applyMarker(kind, { [field]: action.live[field] ?? '' }, owner));
      progress(actionLine(action, 'ownership marker added'));
    }
    adopted.push(action.id!);
  }
  if (Object.keys(entries).length > 0) {
    const current = plan.ledger.current;
    await new LedgerWriter(client, set.stack, plan.ledger.key, current).write({ ...current, objects: { ...current.objects, ...entries } }, progress);
  }
  return { adopted, conflicts: plan.actions.filter((a): a is ConflictAction => a.type === 'conflict') };
}
