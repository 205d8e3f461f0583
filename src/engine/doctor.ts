import { PexipClient } from '../api/client';
import { PexipApiError, PexipAuthError, PexipCdktfError, PexipConnectionError, PexipNotFoundError } from '../api/errors';
import type { Logger } from '../api/log';
import { type ConnectionSettings, connectionFromEnv, settingNames } from '../api/settings';
import { readNodeIdentity } from './node-identity';
import { kindByName, type KindName } from '../kinds';
import type { JsonObject } from '../kinds/types';
import { fieldOf } from '../kinds/validate';
import { describeConflict } from './apply';
import { type DesiredSet, variantOf } from './desired';
import { emptyLedger, LEDGER_KIND_NAME, ledgerBody } from './ledger';
import { compareWithSchema, type NodeSchema, readSchema, type Sending } from './node-schema';
import { inPool } from './live';
import { desiredBody } from './plan';
import { planAgainstLive } from './reconcile';
import { SecretResolver } from './secrets';

/**
 * `pexip-cdktf doctor`: read-only first contact with a Management Node. Settings, reachability and TLS,
 * authentication, version; with a stack also the telehealth licences, every declared kind against the node's own
 * schema, and a plan (names the stack needs, objects it would conflict with). Nothing is written.
 */

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  readonly check: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly kind?: string;
  readonly field?: string;
}

export interface DoctorReport {
  readonly address?: string;
  readonly version?: string;
  readonly ready: boolean;
  readonly checks: readonly Check[];
}

const STATUS = '/api/admin/status/v1/';

function describeAuth(connection: ConnectionSettings): string {
  return connection.auth.type === 'basic' ? `Basic auth as "${connection.auth.username}"` : `OAuth2 client "${connection.auth.clientId}"`;
}

function failure(error: unknown): string {
  return error instanceof PexipCdktfError ? error.message : `internal error: ${(error as Error).message}`;
}

export async function runDoctor(env: NodeJS.ProcessEnv, set: DesiredSet | undefined, appDir: string | undefined, logger: Logger): Promise<DoctorReport> {
  const checks: Check[] = [];
  const done = (version?: string, address?: string): DoctorReport => ({ address, version, ready: !checks.some((c) => c.status === 'fail'), checks });
  let connection: ConnectionSettings;
  try {
    connection = connectionFromEnv(env, set ? variantOf(set) : undefined);
  } catch (error) {
    checks.push({ check: 'settings', status: 'fail', detail: failure(error) });
    return done();
  }
  const names = settingNames(env, set ? variantOf(set) : undefined);
  checks.push({ check: 'settings', status: 'ok', detail: `${connection.address} (${names.of('ADDRESS')}), ${describeAuth(connection)}${connection.ca ? `, private CA from ${names.of('CA_FILE')}` : ''}` });
  for (const warning of connection.warnings) checks.push({ check: 'settings', status: 'warn', detail: warning });
  // Two attempts at most: doctor answers quickly, and a dead node should not take minutes of retries to say so.
  const client = new PexipClient({ connection: { ...connection, maxAttempts: Math.min(connection.maxAttempts, 2), warnings: [] }, logger });
  try {
    const version = await checkConnection(client, connection, checks);
    if (version !== null) await checkIdentity(client, checks);
    if (version === null || !set) return done(version ?? undefined, connection.address);
    await checkLicensing(client, set, checks);
    await checkSchemas(client, set, appDir ?? '.', env, checks);
    await checkPlan(client, set, checks);
    return done(version, connection.address);
  } finally {
    client.close();
  }
}

/** Reachability, TLS, authentication and version from one request; null when the node cannot be used at all. */
async function checkConnection(client: PexipClient, connection: ConnectionSettings, checks: Check[]): Promise<string | null | undefined> {
  const tls = connection.address.startsWith('https:') ? (connection.insecureSkipTlsVerify ? 'TLS NOT verified' : 'TLS verified') : 'plain HTTP';
  let nodes: JsonObject[];
  try {
    nodes = await client.listPath(`${STATUS}management_vm/`, {}, { kind: 'management node status' });
  } catch (error) {
    if (error instanceof PexipConnectionError) {
      checks.push({ check: 'reachable', status: 'fail', detail: error.message }, { check: 'authentication', status: 'skip', detail: 'not tried: the node is not reachable' });
      return null;
    }
    if (error instanceof PexipAuthError) {
      checks.push({ check: 'reachable', status: 'ok', detail: `${connection.address} answers (${tls})` }, { check: 'authentication', status: 'fail', detail: error.message });
      return null;
    }
    checks.push({ check: 'reachable', status: 'ok', detail: `${connection.address} answers (${tls})` });
    if (error instanceof PexipNotFoundError) {
      checks.push({ check: 'authentication', status: 'ok', detail: `${describeAuth(connection)} accepted` }, { check: 'version', status: 'warn', detail: 'status/v1/management_vm/ is not served; the Pexip version is unknown' });
      return undefined;
    }
    checks.push({ check: 'api', status: 'fail', detail: failure(error) });
    return null;
  }
  checks.push({ check: 'reachable', status: 'ok', detail: `${connection.address} answers (${tls})` }, { check: 'authentication', status: 'ok', detail: `${describeAuth(connection)} accepted` });
  const primary = nodes.find((n) => n.primary === true) ?? nodes[0];
  const version = typeof primary?.version === 'string' ? primary.version : undefined;
  checks.push(
    version
      ? { check: 'version', status: 'ok', detail: `Pexip Infinity ${version}${typeof primary?.name === 'string' ? ` (Management Node "${primary.name}")` : ''}` }
      : { check: 'version', status: 'warn', detail: 'the Management Node does not report its version' },
  );
  return version;
}

/** Which node this is: what a stack deployed here records as its binding (and `moveToNode` names). */
async function checkIdentity(client: PexipClient, checks: Check[]): Promise<void> {
  try {
    const node = await readNodeIdentity(client);
    checks.push(node ? { check: 'node', status: 'ok', detail: `${node.id}: a stack deployed here is bound to this node` } : { check: 'node', status: 'warn', detail: 'configuration/v1/management_vm/ does not say which node this is: stacks deployed here cannot be bound to it' });
  } catch (error) {
    if (!(error instanceof PexipApiError)) throw error;
    checks.push({ check: 'node', status: 'warn', detail: `cannot read configuration/v1/management_vm/: ${error.message}` });
  }
}

async function checkLicensing(client: PexipClient, set: DesiredSet, checks: Check[]): Promise<void> {
  const declared = set.objects.find((o) => o.kind === 'licence');
  let status: JsonObject | undefined;
  try {
    status = (await client.listPath(`${STATUS}licensing/`, {}, { kind: 'licensing status' }))[0];
  } catch (error) {
    if (!(error instanceof PexipApiError)) throw error;
    checks.push({ check: 'licences', status: declared ? 'warn' : 'fail', detail: `cannot read status/v1/licensing/: ${error.message}` });
    return;
  }
  const total = typeof status?.telehealth_total === 'number' ? status.telehealth_total : undefined;
  const used = typeof status?.telehealth_count === 'number' ? status.telehealth_count : 0;
  if (total === undefined) {
    checks.push({ check: 'licences', status: 'warn', detail: 'the node reports no telehealth_total (a version without Epic telehealth?)' });
    return;
  }
  const free = total - used;
  const summary = `${free} of ${total} telehealth licence${total === 1 ? '' : 's'} free`;
  if (declared) checks.push({ check: 'licences', status: 'ok', detail: `${summary}; the stack activates entitlement ${String(declared.spec.entitlement_id)}` });
  // Not a failure: the deploy works without one (configuration needs no licence); only appointments cannot start.
  else if (total === 0) checks.push({ check: 'licences', status: 'warn', detail: 'no telehealth licence is installed and the stack declares none: the deploy works, but no appointment can start until one is; add a TelehealthLicence to the stack, or install one (Platform > Licenses)' });
  else checks.push({ check: 'licences', status: free > 0 ? 'ok' : 'warn', detail: free > 0 ? summary : `${summary}: every one is in use right now` });
}

/** What every declared object would send on create, compared with the node's schema of its kind. */
async function checkSchemas(client: PexipClient, set: DesiredSet, appDir: string, env: NodeJS.ProcessEnv, checks: Check[]): Promise<void> {
  const resolver = new SecretResolver(env, appDir);
  const byKind = new Map<KindName, Sending[]>();
  for (const object of set.objects) {
    if (object.kind === 'licence') continue;
    // Secret values when they can be read (their lengths are checked too); their presence otherwise.
    const secrets = Object.fromEntries(Object.entries(object.secrets ?? {}).map(([field, ref]) => {
      const read = resolver.read(ref, fieldOf(kindByName(object.kind), field));
      return [field, 'value' in read ? read.value : undefined];
    }));
    const body = desiredBody(set, object, new Map(), new Map());
    byKind.set(object.kind, [...(byKind.get(object.kind) ?? []), { body, secrets, creating: true }]);
  }
  if (set.objects.length > 0) byKind.set(LEDGER_KIND_NAME, [...(byKind.get(LEDGER_KIND_NAME) ?? []), { body: ledgerBody(emptyLedger(set.stack)), creating: true }]);
  const kinds = [...byKind.keys()].map(kindByName);
  // Every kind is read, `PEXIP_PARALLELISM` at a time, whatever fails: doctor reports each failure on its own line.
  const results: PromiseSettledResult<NodeSchema>[] = [];
  await inPool(client, kinds.map((kind, i) => ({ kind, i })), undefined, async ({ kind, i }) => {
    results[i] = await readSchema(client, kind).then((value) => ({ status: 'fulfilled' as const, value }), (reason: unknown) => ({ status: 'rejected' as const, reason }));
  });
  results.forEach((result, i) => {
    const kind = kinds[i];
    if (result.status === 'rejected') {
      checks.push({ check: 'schema', status: 'fail', kind: kind.title, detail: `${kind.title}: cannot read the schema: ${failure(result.reason)}` });
      return;
    }
    const sendings = byKind.get(kind.name as KindName)!;
    const findings = compareWithSchema(result.value, sendings);
    for (const f of findings) checks.push({ check: 'schema', status: f.status === 'adapted' ? 'ok' : 'fail', kind: kind.title, field: f.field, detail: `${kind.title}, field ${f.field}: ${f.message}` });
    if (!findings.some((f) => f.status === 'mismatch')) {
      const fields = new Set(sendings.flatMap((s) => [...Object.keys(s.body), ...Object.keys(s.secrets ?? {})]));
      checks.push({ check: 'schema', status: 'ok', kind: kind.title, detail: `${kind.title}: the ${fields.size} fields the stack sends match the node's schema` });
    }
  });
}

/** The plan against live Pexip: names that must exist (lookups), objects the stack would conflict with. */
async function checkPlan(client: PexipClient, set: DesiredSet, checks: Check[]): Promise<void> {
  let plan;
  try {
    ({ plan } = await planAgainstLive(set, client));
  } catch (error) {
    checks.push({ check: 'plan', status: 'fail', detail: failure(error) });
    return;
  }
  const conflicts = plan.actions.filter((a) => a.type === 'conflict');
  for (const c of conflicts) if (c.type === 'conflict') checks.push({ check: 'plan', status: 'fail', kind: kindByName(c.kind).title, detail: describeConflict(c) });
  if (conflicts.length === 0) {
    const count = (type: string) => plan.actions.filter((a) => a.type === type).length;
    checks.push({ check: 'plan', status: 'ok', detail: `no conflicts: ${count('create')} to create, ${count('update')} to update, ${count('prune')} to prune, ${count('unchanged')} unchanged` });
  }
}
