import type { PexipClient } from '../api/client';
import { ConfigError } from '../api/errors';
import { kindByName, type KindName } from '../kinds';
import type { JsonObject, KindSpec } from '../kinds/types';
import type { DesiredSet } from './desired';
import { ledgerBody, emptyLedger, LEDGER_KIND_NAME } from './ledger';
import { compareWithSchema, type NodeSchema, omittable, readSchema, type SchemaFinding, type Sending } from './node-schema';
import { fieldOf } from '../kinds/validate';
import { specHash } from '../kinds/ownership';
import { canonicalJson } from '../util/canonical-json';
import { inPool, uriOfLive } from './live';
import type { StopToken } from './pool';
import { desiredBody, diffFields, type Plan } from './plan';

/**
 * Before the first write: the schema of every kind the plan writes, read from the node (one request per kind),
 * compared with what the plan would send. Mismatches stop the run with nothing written; where our description only
 * guesses a value (the encryption algorithm's spelling) the node's own spelling is adopted.
 */

/** Nothing was written: the node's schema does not accept what the stack would send. */
export class SchemaMismatchError extends ConfigError {
  constructor(readonly findings: readonly SchemaFinding[]) {
    super(
      `nothing was changed: the Management Node does not accept what this stack would send (${findings.length} problem${findings.length > 1 ? 's' : ''}):\n${findings.map((f) => `  ${f.kind.title}, field ${f.field}: ${f.message}`).join('\n')}\nRun pexip-cdktf doctor for the full comparison.`,
      { kind: findings[0].kind.title, field: findings[0].field },
    );
  }
}

/** What each kind would send when the plan is applied: create bodies in full, updates their changed fields. */
export function plannedSendings(set: DesiredSet, plan: Plan, secrets: ReadonlyMap<string, Readonly<Record<string, string>>>): Map<KindName, Sending[]> {
  const byKind = new Map<KindName, Sending[]>();
  const add = (kind: KindName, sending: Sending) => byKind.set(kind, [...(byKind.get(kind) ?? []), sending]);
  let writesLedger = false;
  const uris = new Map(plan.actions.flatMap((a) => (a.type === 'update' || a.type === 'unchanged' ? [[a.id!, uriOfLive(kindByName(a.kind), a.live)] as const] : [])));
  for (const action of plan.actions) {
    if (action.type === 'prune') writesLedger = true;
    if (action.type !== 'create' && action.type !== 'replace' && action.type !== 'update') continue;
    if (action.kind === 'licence') continue;
    const kind = kindByName(action.kind);
    const body = desiredBody(set, action.object, uris, plan.lookups, action.type === 'update' ? action.live : undefined);
    if (action.type === 'update') {
      const changed = Object.fromEntries(diffFields(kind, body, action.live).map((c) => [c.field, body[c.field]])) as JsonObject;
      add(action.kind, { body: changed, secrets: action.sendSecrets ? secrets.get(action.id!) : undefined, creating: false });
    } else {
      writesLedger = true;
      add(action.kind, { body, secrets: secrets.get(action.id!) ?? Object.fromEntries(Object.keys(action.object.secrets ?? {}).map((f) => [f, undefined])), creating: true });
    }
  }
  // The stack's ledger is a policy profile too: its fields must exist on the node.
  if (writesLedger) add(LEDGER_KIND_NAME, { body: ledgerBody(emptyLedger(set.stack)), creating: plan.ledger.key === undefined });
  return byKind;
}

/** Reads the schemas of the given kinds (`PEXIP_PARALLELISM` at a time) and compares; returns every finding. */
export async function checkSchemas(client: PexipClient, sendings: ReadonlyMap<KindName, readonly Sending[]>, stop?: StopToken): Promise<SchemaFinding[]> {
  const schemas = new Map<KindName, NodeSchema>();
  await inPool(client, [...sendings.keys()], stop, async (name) => {
    schemas.set(name, await readSchema(client, kindByName(name)));
  });
  // In the order the kinds were given, whatever order the reads finished in.
  return [...sendings.keys()].flatMap((name) => compareWithSchema(schemas.get(name)!, sendings.get(name) ?? []));
}

/**
 * The desired set fitted to the node (the `adapted` findings): its spellings of guessed values put in, and fields it
 * lacks left out where the stack sends only their default. Markers keep the hash of the spec as declared.
 */
export function adaptToNode(set: DesiredSet, findings: readonly SchemaFinding[]): DesiredSet {
  const adapted = findings.filter((f) => f.status === 'adapted');
  if (adapted.length === 0) return set;
  const rewrite = (kind: KindSpec, spec: JsonObject): JsonObject => {
    const out = { ...spec };
    for (const f of adapted) {
      if (f.kind.name !== kind.name || !Object.prototype.hasOwnProperty.call(out, f.field)) continue;
      if (f.omit && omittable(fieldOf(kind, f.field), out[f.field])) delete out[f.field];
      else if (!f.omit && out[f.field] === f.from) out[f.field] = f.to!;
    }
    return out;
  };
  return {
    ...set,
    objects: set.objects.map((o) => {
      const spec = rewrite(kindByName(o.kind), o.spec);
      return canonicalJson(spec) === canonicalJson(o.spec) ? o : { ...o, spec, declaredSpecHash: o.declaredSpecHash ?? specHash(o.spec) };
    }),
  };
}
