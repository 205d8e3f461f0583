import { keyOf, naturalKeyOf } from '../api/client';
import { constructFields, type ConstructField } from '../constructs/fields';
import type { Environment } from '../epic/secret-variants';
import { isKindName, kindByName, type KindName } from '../kinds';
import { isLegacyMarker, ownerOf, stripMarker } from '../kinds/ownership';
import type { JsonObject, JsonValue, KindSpec } from '../kinds/types';
import { printable } from '../util/printable';
import { canonicalJson } from './desired';
import { findLedger, isLedgerObject, type Ledger, ledgerName, liveOwner } from './ledger';
import { type LiveState, referenceUri, uriOfLive } from './live';

/**
 * Export: live Pexip telehealth configuration as TypeScript construct code a user pastes into an app. Every object
 * is declared with `adopt: true`, so the first deploy takes the hand-made objects over instead of conflicting.
 * Secrets cannot be read back: they become `Secret.fromEnv(...)` references named for the environment, one name per
 * secret. Theme and branding packages cannot be downloaded either: those objects are referenced by name, not managed.
 * System locations are never owned: the locations that use an exported policy profile or web proxy become
 * `LocationAssignment`s, which take the fields over without a change because they already hold those values. The
 * stacks' ledgers (policy profiles named `pexip-cdktf: <stack>`) are bookkeeping, never exported.
 */

export interface ExportOptions {
  readonly stack: string;
  readonly environment: Environment;
  /**
   * `telehealth` (default): profiles, the rules that route to them, their themes, telehealth licences. `all`: every
   * object of the kinds a stack owns, and the system locations that use the exported policy profiles and web proxies.
   */
  readonly scope: 'telehealth' | 'all';
  /** The package name to import the constructs from. */
  readonly importFrom?: string;
}

export interface Exported {
  /** Hand-made names may hold text-direction or zero-width characters: they appear as `\u…` escapes, never raw. */
  readonly code: string;
  /** Objects left out, and why. */
  readonly skipped: readonly { kind: string; name: string; reason: string }[];
}

/** Each secret field of each kind: the prop that holds it and the end of its environment variable's name. */
const SECRETS: Readonly<Record<string, Readonly<Record<string, { readonly prop: string; readonly env: string }>>>> = {
  telehealth_profile: {
    epic_patient_app_client_secret: { prop: 'patientClientSecret', env: 'PATIENT_CLIENT_SECRET' },
    epic_provider_app_client_secret: { prop: 'providerClientSecret', env: 'PROVIDER_CLIENT_SECRET' },
    epic_encryption_key: { prop: 'encryptionKey', env: 'ENCRYPTION_KEY' },
    epic_backend_oauth2_app_private_key: { prop: 'backendPrivateKey', env: 'BACKEND_PRIVATE_KEY' },
  },
  policy_server: { password: { prop: 'password', env: 'POLICY_SERVER_PASSWORD' } },
  http_proxy: { password: { prop: 'password', env: 'WEB_PROXY_PASSWORD' } },
};
/** Whether a secret field is set on the live object (secrets cannot be read back, so this is inferred). */
function hasSecret(kind: KindSpec, field: string, object: JsonObject): boolean {
  if (kind.name === 'telehealth_profile' && field === 'epic_backend_oauth2_app_private_key') return Boolean(object.epic_backend_oauth2_app_client_id);
  // A password without a user name is not used.
  if (kind.name === 'policy_server' || kind.name === 'http_proxy') return Boolean(object.username);
  return true;
}
/** Kinds exported as `fromName` lookups: their packages cannot be read back. */
const LOOKUP_ONLY = new Set<KindName>(['ivr_theme', 'webapp_branding']);

function identifier(name: string, taken: Set<string>): string {
  const words = name.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, ' ').trim().split(' ').filter(Boolean);
  let base = words.map((w, i) => (i === 0 ? w.toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())).join('') || 'object';
  if (/^[0-9]/.test(base)) base = `o${base}`;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}${n}`;
  taken.add(id);
  return id;
}

function constructId(name: string, taken: Set<string>): string {
  const base = name.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'object';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

const literal = (value: JsonValue) => JSON.stringify(value).replace(/'/g, "\\'").replace(/^"(.*)"$/s, (_, s: string) => `'${s.replace(/\\"/g, '"')}'`);

/** The objects `scope` covers, in creation order, and what they refer to. */
function selection(live: LiveState, options: ExportOptions): { kind: KindSpec; object: JsonObject }[] {
  const all = (name: KindName) => [...(live.get(name) ?? [])];
  if (options.scope === 'all') {
    return (['licence', 'http_proxy', 'policy_server', 'ivr_theme', 'webapp_branding', 'webapp_alias', 'telehealth_profile', 'gateway_routing_rule'] as KindName[]).flatMap((k) =>
      all(k)
        .filter((object) => !isLedgerObject(kindByName(k), object))
        .map((object) => ({ kind: kindByName(k), object })),
    );
  }
  const rules = all('gateway_routing_rule').filter((r) => r.called_device_type === 'telehealth_profile');
  const themeUris = new Set(rules.map((r) => referenceUri(r.ivr_theme)).filter((u): u is string => u !== null));
  return [
    ...all('licence').filter((l) => l.license_type === 'telehealth').map((object) => ({ kind: kindByName('licence'), object })),
    ...all('ivr_theme').filter((t) => themeUris.has(uriOfLive(kindByName('ivr_theme'), t))).map((object) => ({ kind: kindByName('ivr_theme'), object })),
    ...all('telehealth_profile').map((object) => ({ kind: kindByName('telehealth_profile'), object })),
    ...rules.map((object) => ({ kind: kindByName('gateway_routing_rule'), object })),
  ];
}

/** Every stack's ledger in Pexip, so objects kept in one (web proxies, themes) count as that stack's. */
function ledgersIn(live: LiveState): Ledger[] {
  const kind = kindByName('policy_server');
  return (live.get('policy_server') ?? []).flatMap((object) => {
    const name = String(object.name ?? '');
    const stack = name.slice(ledgerName('').length);
    if (!isLedgerObject(kind, object) || name !== ledgerName(stack)) return [];
    try {
      const found = findLedger(live, stack);
      return found ? [found.ledger] : [];
    } catch {
      // A damaged ledger says nothing reliable; the plan reports it when that stack runs.
      return [];
    }
  });
}

export function exportCode(live: LiveState, options: ExportOptions): Exported {
  const variant = options.environment === 'production' ? 'PROD' : 'NONPROD';
  const skipped: { kind: string; name: string; reason: string }[] = [];
  const variables = new Map<string, string>();
  /** URIs of the objects declared with `new` (not looked up): only those can be assigned to locations. */
  const declared = new Map<string, { variable: string; name: string }>();
  const taken = new Set<string>(['app', 'stack']);
  const ids = new Set<string>();
  const used = new Set<string>(['PexipStack']);
  const envNames = new Set<string>();
  const body: string[] = [];
  const ledgers = ledgersIn(live);

  for (const { kind, object } of selection(live, options)) {
    const name = naturalKeyOf(kind, object) ?? keyOf(kind, object);
    const owner = ownerOf(kind, object, { stack: options.stack, logicalIds: [] }) ?? (kind.ownership.style === 'ledger' ? liveOwner(kind, object, options.stack, ledgers) : undefined);
    if (owner && owner.stack !== options.stack) {
      skipped.push({ kind: kind.name, name, reason: `owned by stack "${owner.stack}"` });
      continue;
    }
    if (object.is_default === true || (kind.name === 'ivr_theme' && typeof object.uuid === 'string' && !/^[0-9a-f-]{36}$/.test(object.uuid))) {
      variables.set(uriOfLive(kind, object), `${kind.constructName}.fromName(${literal(name)})`);
      used.add(kind.constructName);
      continue;
    }
    const variable = identifier(name, taken);
    variables.set(uriOfLive(kind, object), variable);
    used.add(kind.constructName);
    if (LOOKUP_ONLY.has(kind.name as KindName)) {
      body.push(`// ${kind.title} "${name}": its package cannot be downloaded from Pexip, so it is referenced, not managed.`);
      body.push(`// To manage it, replace this with new ${kind.constructName}(stack, '…', { name: ${literal(name)}, packageFile: '…', adopt: true }).`);
      body.push(`const ${variable} = ${kind.constructName}.fromName(${literal(name)});`, '');
      continue;
    }
    const props = propsOf(kind, object, variables, variant, used, envNames);
    body.push(`// ${kind.title} "${name}" (${kind.detailKey} ${keyOf(kind, object)})`);
    body.push(`const ${variable} = new ${kind.constructName}(stack, '${constructId(name, ids)}', {`);
    for (const line of props) body.push(`  ${line}`);
    body.push('});', '');
    declared.set(uriOfLive(kind, object), { variable, name });
  }
  body.push(...locationAssignments(live, declared, ids, used));
  // Only objects something refers to keep a variable; the rest are plain statements.
  const lines = body.map((line, i) => {
    const match = /^const (\w+) = /.exec(line);
    if (!match) return line;
    const referenced = body.some((other, j) => j !== i && new RegExp(`\\b${match[1]}\\b`).test(other));
    return referenced ? line : line.slice(match[0].length);
  });
  const code = [
    `// Exported by pexip-cdktf export from live Pexip configuration. Review before deploying: every object is declared`,
    `// with adopt: true, so the first deploy takes it over; secrets are read from the environment variables named below.`,
    `import { App } from 'cdktf';`,
    `import { ${[...used, ...(body.some((l) => l.includes('Secret.fromEnv')) ? ['Secret'] : [])].sort().join(', ')} } from '${options.importFrom ?? 'pexip-telehealth-cdktf'}';`,
    '',
    `const app = new App({ skipValidation: true });`,
    `const stack = new PexipStack(app, '${options.stack}', { environment: '${options.environment}' });`,
    '',
    ...lines,
    'app.synth();',
    '',
  ].join('\n');
  return { code: printable(code), skipped };
}

/**
 * The locations that use exported policy profiles or web proxies, one `LocationAssignment` per pair (locations using
 * the same policy profile and web proxy share one). Only the fields pointing at exported objects are declared: a
 * field pointing elsewhere stays someone else's.
 */
function locationAssignments(live: LiveState, declared: ReadonlyMap<string, { variable: string; name: string }>, ids: Set<string>, used: Set<string>): string[] {
  const groups = new Map<string, { policy?: { variable: string; name: string }; proxy?: { variable: string; name: string }; locations: string[] }>();
  const kind = kindByName('system_location');
  for (const location of live.get('system_location') ?? []) {
    const policy = declared.get(referenceUri(location.policy_server) ?? '');
    const proxy = declared.get(referenceUri(location.http_proxy) ?? '');
    if (!policy && !proxy) continue;
    const key = `${policy?.variable ?? ''}|${proxy?.variable ?? ''}`;
    const group = groups.get(key) ?? { policy, proxy, locations: [] };
    group.locations.push(naturalKeyOf(kind, location) ?? keyOf(kind, location));
    groups.set(key, group);
  }
  if (groups.size > 0) used.add(kind.constructName);
  return [...groups.values()].flatMap(({ policy, proxy, locations }) => {
    const what = [policy ? `policy profile "${policy.name}"` : undefined, proxy ? `web proxy "${proxy.name}"` : undefined].filter(Boolean).join(' and ');
    // Short, cut between words: each location's claim adds its own id (up to 31 characters) and the whole path must
    // fit a logical id (60), "-<n>" included.
    const words = constructId(`locations ${policy?.name ?? proxy!.name}`, new Set()).split('-');
    while (words.length > 1 && words.join('-').length > 25) words.pop();
    const id = constructId(words.join('-').slice(0, 25), ids);
    return [
      `// system locations using ${what}: they already do, so the first deploy records ${policy && proxy ? 'both' : 'it'} without a change`,
      `new ${kind.constructName}(stack, '${id}', {`,
      `  locations: [${locations.map((l) => literal(l)).join(', ')}],`,
      ...(policy ? [`  policyProfile: ${policy.variable},`] : []),
      ...(proxy ? [`  webProxy: ${proxy.variable},`] : []),
      '});',
      '',
    ];
  });
}

function propsOf(kind: KindSpec, object: JsonObject, variables: ReadonlyMap<string, string>, variant: string, used: Set<string>, envNames: Set<string>): string[] {
  const lines: string[] = [];
  for (const field of constructFields(kind)) {
    const value = wireToProp(kind, field, object[field.wire], variables, used);
    if (value === undefined) continue;
    lines.push(`${field.prop}: ${value},`);
  }
  for (const [field, secret] of Object.entries(SECRETS[kind.name] ?? {})) {
    if (!hasSecret(kind, field, object)) continue;
    // One variable per secret: two proxies (or profiles) have two passwords.
    const base = `EPIC_${variant}_${secret.env}`;
    let env = base;
    for (let n = 2; envNames.has(env); n++) env = `${base}_${n}`;
    envNames.add(env);
    lines.push(`${secret.prop}: Secret.fromEnv('${env}'),`);
  }
  lines.push('adopt: true,');
  return lines;
}

/** A live value as prop source text, or undefined when it is the default (the construct sends that anyway). */
function wireToProp(kind: KindSpec, field: ConstructField, value: JsonValue | undefined, variables: ReadonlyMap<string, string>, used: Set<string>): string | undefined {
  const { spec, wire } = field;
  if (value === undefined || isLegacyMarker(kind, wire, value)) return undefined;
  if (wire === 'description') {
    const text = stripMarker(String(value ?? ''));
    return text === '' ? undefined : literal(text);
  }
  if (spec.type === 'reference') {
    const uri = referenceUri(value);
    if (uri === null) return spec.default === null ? undefined : 'null';
    if (spec.references && isKindName(spec.references)) {
      const variable = variables.get(uri);
      if (variable) return variable;
      const target = kindByName(spec.references);
      const name = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject)[target.naturalKey] : undefined;
      used.add(target.constructName);
      return typeof name === 'string' ? `${target.constructName}.fromName(${literal(name)})` : literal(uri);
    }
    return literal(uri);
  }
  if (spec.type === 'valueList') {
    const names = Array.isArray(value) ? value.map((v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? String((v as JsonObject).value) : String(v))) : [];
    return names.length === 0 && canonicalJson(spec.default ?? []) === '[]' ? undefined : literal(names);
  }
  if (spec.type === 'referenceList') return Array.isArray(value) && value.length > 0 ? literal(value) : undefined;
  if (spec.propValues) {
    const meaning = spec.canonicalChoice && typeof value === 'string' ? spec.canonicalChoice(value) : undefined;
    const prop = Object.entries(spec.propValues).find(([p, w]) => w === value || (meaning !== undefined && p === meaning))?.[0];
    return prop === undefined ? literal(value) : literal(prop);
  }
  if (spec.default !== undefined && !spec.assumedDefault && canonicalJson(spec.default) === canonicalJson(value)) return undefined;
  return literal(value);
}
