import type { PexipClient } from '../api/client';
import { kindByName } from '../kinds';
import { applyMarker } from '../kinds/ownership';
import { actionLine } from './apply';
import type { DesiredSet } from './desired';
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
 * ownership marker, and nothing else changes (the next reconcile aligns the fields). `only` limits it to logical ids.
 */
export async function adoptObjects(set: DesiredSet, client: PexipClient, only: readonly string[] | undefined, progress: (line: string) => void): Promise<AdoptResult> {
  const adoptable = { ...set, objects: set.objects.map((o) => (!only || only.includes(o.id) ? { ...o, adopt: true } : o)) };
  const { plan } = await planAgainstLive(adoptable, client);
  const adopted: string[] = [];
  for (const action of plan.actions) {
    if (action.type !== 'update' || action.takeover !== 'adopt') continue;
    const kind = kindByName(action.kind);
    // Secrets and package of an adopted object are unknown: record a secrets version no declaration uses and no
    // package hash, so the next reconcile sends the secrets and uploads the package.
    const owner = { ...ownerFor(set, action.object, action.object.secrets ? 'adopted' : undefined), packageHash: undefined };
    const field = kind.ownership.field!;
    await client.update(kind, action.key, applyMarker(kind, { [field]: action.live[field] ?? '' }, owner));
    adopted.push(action.id!);
    progress(actionLine(action, 'ownership marker added'));
  }
  return { adopted, conflicts: plan.actions.filter((a): a is ConflictAction => a.type === 'conflict') };
}
