import type { ApplyResult } from '../engine/apply';
import { type Action, pendingEntries, type Plan, SENSITIVE, summarise } from '../engine/plan';
import { kindByName } from '../kinds';
import type { JsonValue } from '../kinds/types';

/** Plan and result rendering, human and JSON. Values are config, never secrets; secrets show as "(sensitive)". */

const MAX_SHOWN = 80;

function show(value: JsonValue | undefined): string {
  if (value === undefined) return '(unset)';
  const text = JSON.stringify(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

/** A plan action as JSON: no live objects, no secrets. */
export function actionJson(action: Action): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = { type: action.type, kind: action.kind, id: action.id ?? null, name: action.name };
  if ('key' in action && action.key !== undefined) out.key = action.key;
  if (action.type !== 'unchanged' && action.cause) out.cause = action.cause;
  if (action.type === 'prune' && action.duplicate) out.duplicate = true;
  if (action.type === 'update' || action.type === 'unchanged') {
    out.changes = action.changes.map((c) => ({ field: c.field, from: c.from ?? null, to: c.to }));
    if (action.sendSecrets) out.secrets = SENSITIVE;
    if (action.uploadPackage) out.package = 'upload';
    if (action.takeover) out.takeover = action.takeover;
  }
  if (action.type === 'replace' || action.type === 'conflict') out.reason = action.reason;
  return out;
}

export function planJson(plan: Plan, address: string): Record<string, JsonValue> {
  const ledger = { exists: plan.ledger.key !== undefined, pending: pendingEntries(plan), convergedRun: plan.ledger.current.convergedRun ?? null };
  return { stack: plan.stack, environment: plan.environment, address, summary: summarise(plan), actions: plan.actions.map(actionJson), ledger };
}

export function summaryLine(plan: Plan, prefix = 'Plan'): string {
  const s = summarise(plan);
  const parts = [
    `${s.create} to create`,
    `${s.update} to update`,
    ...(s.replace ? [`${s.replace} to replace`] : []),
    `${s.prune} to prune`,
    ...(s.restore ? [`${s.restore} to restore`] : []),
    `${s.unchanged} unchanged`,
    ...(s.conflict ? [`${s.conflict} conflict${s.conflict > 1 ? 's' : ''}`] : []),
  ];
  return `${prefix}: ${parts.join(', ')}.`;
}

const LABEL: Record<Action['type'], string> = { create: '+ create ', update: '~ update ', replace: '-/+ replace', prune: '- prune  ', restore: '< restore', unchanged: '= unchanged', conflict: '! conflict' };

/** The plan for people: one line per object, changed fields indented below it. */
export function planText(plan: Plan, address: string, title = 'Plan'): string {
  const lines = [`${title} for stack "${plan.stack}" (${plan.environment}) against ${address}`];
  for (const action of plan.actions) {
    if (action.type === 'unchanged') continue;
    const who = `${kindByName(action.kind).title} "${action.name}"${action.id ? ` (${action.id})` : ''}`;
    const reason = action.type === 'replace' || action.type === 'conflict' ? `: ${action.reason}` : '';
    const cause = action.type === 'prune' && action.duplicate ? ' [drift: a duplicate]' : action.cause === 'drift' ? ` [drift: ${action.type === 'create' ? 'deleted in Pexip' : 'changed in Pexip'}]` : '';
    lines.push(`  ${LABEL[action.type]} ${who}${reason}${cause}`);
    if (action.type === 'update') {
      if (action.takeover === 'adopt') lines.push('        adopt: add this stack\'s ownership marker');
      if (action.takeover === 'rekey') lines.push('        take over: the object carries a logical id this stack no longer declares');
      for (const c of action.changes) lines.push(`        ${c.field}: ${show(c.from)} → ${show(c.to)}`);
      if (action.sendSecrets) lines.push(`        secrets: ${SENSITIVE} (sent again)`);
      if (action.uploadPackage) lines.push('        package: upload the new package');
    }
  }
  const pending = pendingEntries(plan);
  if (pending.length > 0) lines.push(`  ~ ledger    ${pending.length} entr${pending.length > 1 ? 'ies' : 'y'} left pending by an interrupted run (${pending.join(', ')}): completed by the next deploy`);
  lines.push(summaryLine(plan));
  return `${lines.join('\n')}\n`;
}

export function resultLine(result: ApplyResult): string {
  return `Applied: ${result.created} created, ${result.updated} updated, ${result.replaced} replaced, ${result.pruned} pruned, ${result.unchanged} unchanged.`;
}
