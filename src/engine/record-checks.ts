import { keyOf } from '../api/client';
import { CREATION_ORDER, kindByName, type KindName } from '../kinds';
import { ownerOf } from '../kinds/ownership';
import type { ConflictAction } from './plan';
import { isLedgerObject, type Ledger, LEDGER_KIND_NAME, ledgerName } from './ledger';
import { type LiveState, liveName } from './live';

/**
 * Where the records about a stack contradict each other, a plan must stop before its first write (design.md, "One
 * truth about what a stack owns"). Each finding is a conflict naming what each record says and how to recover.
 */

const LEDGER_ID = '(ledger)';

function ledgerConflict(stack: string, name: string, reason: string, key?: string): ConflictAction {
  return { type: 'conflict', kind: LEDGER_KIND_NAME, id: LEDGER_ID, name, object: { kind: LEDGER_KIND_NAME, id: LEDGER_ID, spec: { name: ledgerName(stack) } }, reason, ...(key ? { key } : {}) };
}

/**
 * Objects that carry this stack's ownership marker as versions that keep a ledger write it (with the spec hash `h`).
 * Older markers, or one written by hand, say nothing about a ledger.
 */
export function markedObjects(live: LiveState, stack: string): { kind: KindName; name: string }[] {
  return CREATION_ORDER.flatMap((kind) =>
    kind.ownership.style !== 'description-suffix'
      ? []
      : (live.get(kind.name as KindName) ?? [])
          .filter((o) => {
            const owner = isLedgerObject(kind, o) ? undefined : ownerOf(kind, o);
            return owner?.stack === stack && owner.specHash !== undefined;
          })
          .map((o) => ({ kind: kind.name as KindName, name: liveName(kind, o) })),
  );
}

/**
 * The ledger is gone while objects carry the stack's marker. A deploy creates the ledger before any other write, so
 * marked objects without it mean it was deleted: what it recorded (themes, web proxies, location values to give
 * back) is unknown, and going on would orphan those objects or create duplicates.
 */
export function missingLedger(live: LiveState, stack: string, hasLedger: boolean, then: 'deploy' | 'destroy' = 'deploy'): ConflictAction | undefined {
  if (hasLedger) return undefined;
  const marked = markedObjects(live, stack);
  if (marked.length === 0) return undefined;
  const shown = marked.slice(0, 3).map((m) => `${kindByName(m.kind).title} "${m.name}"`).join(', ');
  return ledgerConflict(
    stack,
    ledgerName(stack),
    `the stack's ledger (policy profile "${ledgerName(stack)}") is missing, but ${marked.length} object${marked.length > 1 ? 's carry' : ' carries'} the stack's marker (${shown}${marked.length > 3 ? ', …' : ''}): someone deleted it, so the themes, web proxies and location values it recorded are unknown. Restore it from a backup, or run pexip-cdktf adopt ${stack} to record the declared themes and web proxies in a new ledger, then ${then} again.`,
  );
}

/** A policy profile holds the ledger's reserved name but is not a ledger: the ledger could not be created. */
export function ledgerNameTaken(live: LiveState, stack: string): ConflictAction | undefined {
  const kind = kindByName(LEDGER_KIND_NAME);
  const squatter = (live.get(LEDGER_KIND_NAME) ?? []).find((o) => o.name === ledgerName(stack) && !isLedgerObject(kind, o));
  if (!squatter) return undefined;
  return ledgerConflict(
    stack,
    ledgerName(stack),
    `a policy profile named "${ledgerName(stack)}" exists but is not the stack's ledger (its description lacks the ledger marker); the name is reserved for the ledger of stack "${stack}". Rename or delete that policy profile in Pexip, then deploy again.`,
    keyOf(kind, squatter),
  );
}

/**
 * One object claimed by the ledgers of two stacks (a ledger copied or edited by hand): each stack would rewrite it to
 * its own declaration on every deploy, or delete it on destroy.
 */
export function doubleClaims(live: LiveState, own: Ledger, others: readonly Ledger[]): ConflictAction[] {
  const conflicts: ConflictAction[] = [];
  for (const [id, entry] of Object.entries(own.objects)) {
    if (entry.key === undefined) continue;
    const rivals = others.filter((other) => Object.values(other.objects).some((e) => e.kind === entry.kind && e.key === entry.key));
    if (rivals.length === 0) continue;
    const kind = kindByName(entry.kind);
    const object = (live.get(entry.kind) ?? []).find((o) => keyOf(kind, o) === entry.key);
    const name = object ? liveName(kind, object) : `${kind.detailKey} ${entry.key}`;
    conflicts.push({
      type: 'conflict',
      kind: entry.kind,
      id,
      name,
      key: entry.key,
      object: { kind: entry.kind, id, spec: {} },
      reason: `${kind.title} "${name}" is claimed by the ledgers of stacks "${own.stack}" and ${rivals.map((r) => `"${r.stack}"`).join(', ')}; one object cannot belong to two stacks. A ledger was copied or edited by hand: restore the wrong one from a backup (or delete it and adopt that stack's objects again), then deploy again.`,
    });
  }
  return conflicts;
}
