import { keyOf, naturalKeyOf } from '../api/client';
import { constructFields, type ConstructField } from '../constructs/fields';
import type { Environment } from '../epic/secret-variants';
import { isKindName, kindByName, type KindName } from '../kinds';
import { isLegacyMarker, ownerOf, stripMarker } from '../kinds/ownership';
import type { JsonObject, JsonValue, KindSpec } from '../kinds/types';
import { canonicalJson } from './desired';
import { type LiveState, referenceUri, uriOfLive } from './live';

/**
 * Export: live Pexip telehealth configuration as TypeScript construct code a user pastes into an app. Every object
 * is declared with `adopt: true`, so the first deploy takes the hand-made objects over instead of conflicting.
 * Secrets cannot be read back: they become `Secret.fromEnv(...)` references named for the environment. Theme and
 * branding packages cannot be downloaded either: those objects are referenced by name, not managed.
 */

export interface ExportOptions {
  readonly stack: string;
  readonly environment: Environment;
  /** `telehealth` (default): profiles, the rules that route to them, their themes, telehealth licences. `all`: every object of our kinds. */
  readonly scope: 'telehealth' | 'all';
  /** The package name to import the constructs from. */
  readonly importFrom?: string;
}

export interface Exported {
  readonly code: string;
  /** Objects left out, and why. */
  readonly skipped: readonly { kind: string; name: string; reason: string }[];
}

const SECRET_NAMES: Readonly<Record<string, string>> = {
  epic_patient_app_client_secret: 'PATIENT_CLIENT_SECRET',
  epic_provider_app_client_secret: 'PROVIDER_CLIENT_SECRET',
  epic_encryption_key: 'ENCRYPTION_KEY',
  epic_backend_oauth2_app_private_key: 'BACKEND_PRIVATE_KEY',
  password: 'POLICY_SERVER_PASSWORD',
};
const SECRET_PROPS: Readonly<Record<string, string>> = {
  epic_patient_app_client_secret: 'patientClientSecret',
  epic_provider_app_client_secret: 'providerClientSecret',
  epic_encryption_key: 'encryptionKey',
  epic_backend_oauth2_app_private_key: 'backendPrivateKey',
  password: 'password',
};
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
    return (['licence', 'policy_server', 'ivr_theme', 'webapp_branding', 'webapp_alias', 'telehealth_profile', 'gateway_routing_rule'] as KindName[]).flatMap((k) =>
      all(k).map((object) => ({ kind: kindByName(k), object })),
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

export function exportCode(live: LiveState, options: ExportOptions): Exported {
  const variant = options.environment === 'production' ? 'PROD' : 'NONPROD';
  const skipped: { kind: string; name: string; reason: string }[] = [];
  const variables = new Map<string, string>();
  const taken = new Set<string>(['app', 'stack']);
  const ids = new Set<string>();
  const used = new Set<string>(['PexipStack']);
  const body: string[] = [];

  for (const { kind, object } of selection(live, options)) {
    const name = naturalKeyOf(kind, object) ?? keyOf(kind, object);
    const owner = ownerOf(kind, object, { stack: options.stack, logicalIds: [] });
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
    const props = propsOf(kind, object, variables, variant, used);
    body.push(`// ${kind.title} "${name}" (${kind.detailKey} ${keyOf(kind, object)})`);
    body.push(`const ${variable} = new ${kind.constructName}(stack, '${constructId(name, ids)}', {`);
    for (const line of props) body.push(`  ${line}`);
    body.push('});', '');
  }
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
  return { code, skipped };
}

function propsOf(kind: KindSpec, object: JsonObject, variables: ReadonlyMap<string, string>, variant: string, used: Set<string>): string[] {
  const lines: string[] = [];
  for (const field of constructFields(kind)) {
    const value = wireToProp(kind, field, object[field.wire], variables, used);
    if (value === undefined) continue;
    lines.push(`${field.prop}: ${value},`);
  }
  for (const [field, spec] of Object.entries(kind.fields)) {
    if (!spec.secret) continue;
    if (kind.name === 'telehealth_profile' && field === 'epic_backend_oauth2_app_private_key' && !object.epic_backend_oauth2_app_client_id) continue;
    if (kind.name === 'policy_server' && !object.username) continue;
    lines.push(`${SECRET_PROPS[field]}: Secret.fromEnv('EPIC_${variant}_${SECRET_NAMES[field]}'),`);
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
