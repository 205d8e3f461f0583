import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readBoundedFile, readBoundedText } from '../util/read-file';
import { ConfigError } from './errors';
import { redactor } from './redact';

/** How to reach one Pexip Management Node, resolved from the environment (see README, "Environment variables"). */
export interface ConnectionSettings {
  /** Origin of the Management Node, e.g. `https://manager.example.org` (no trailing slash). */
  readonly address: string;
  readonly auth: BasicAuthSettings | OAuth2Settings;
  /** PEM bundle of a private CA that signed the Management Node's certificate. */
  readonly ca?: Buffer;
  /** Skip TLS verification: only with `PEXIP_INSECURE_SKIP_TLS_VERIFY=1`, and warned about on every run. */
  readonly insecureSkipTlsVerify: boolean;
  /** Per-request timeout in milliseconds (`PEXIP_TIMEOUT_SECONDS`, 1–3600 s). */
  readonly timeoutMs: number;
  /** Attempts per idempotent request (first try included); `PEXIP_MAX_ATTEMPTS`, 1–10. */
  readonly maxAttempts: number;
  /**
   * How many requests the engine may have in flight at once (`PEXIP_PARALLELISM`, 1–16, default 8). Below the 10 of
   * Terraform, which Pexip's own provider runs at; enough to list every kind in two rounds. A small Management Node
   * may want less (pexshell caps itself at 5).
   */
  readonly parallelism: number;
  /** Warnings the caller must print on every run, whatever the log level (insecure modes). */
  readonly warnings: readonly string[];
  /** How this node's variables are named in messages: `PEXIP_` (default) or a stack's own `PEXIP_<VARIANT>_`. */
  readonly variablePrefix?: string;
}

export interface BasicAuthSettings {
  readonly type: 'basic';
  readonly username: string;
  readonly password: string;
}

export interface OAuth2Settings {
  readonly type: 'oauth2';
  readonly clientId: string;
  /** PEM of the client's EC P-256 private key (the `private_key_jwt` Pexip showed once). */
  readonly privateKeyPem: string;
  /** Token endpoint; defaults to `<address>/oauth/token/`. */
  readonly tokenUrl: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Bounds of the numeric settings (README, "Environment variables"). */
export const TIMEOUT_SECONDS = { min: 1, max: 3600, fallback: 30 } as const;
export const MAX_ATTEMPTS = { min: 1, max: 10, fallback: 5 } as const;
export const PARALLELISM = { min: 1, max: 16, fallback: 8 } as const;
/** Caps on files named by settings: far above any real CA bundle or key, far below memory trouble. */
export const CA_FILE_MAX_BYTES = 1024 * 1024;
export const PRIVATE_KEY_FILE_MAX_BYTES = 64 * 1024;

function required(env: NodeJS.ProcessEnv, name: string, why: string, rename: (name: string) => string = (x) => `PEXIP_${x}`): string {
  const value = env[name];
  const shown = rename(name.replace(/^PEXIP_/, ''));
  if (value === undefined || value.trim() === '') throw new ConfigError(`${shown} is not set: ${why}`, { field: shown });
  // A value pasted from a Windows file ($(cat pw.txt)) keeps its carriage return: the node would refuse it, or worse.
  if (/[\r\n]/.test(value) && !name.endsWith('PRIVATE_KEY')) throw new ConfigError(`${shown} holds a line break (a carriage return from a Windows file?): remove it.`, { field: shown });
  return value;
}

/**
 * A numeric setting within [min, max]. The bounds are not cosmetic: Node's timers hold 32-bit milliseconds (a longer
 * timeout silently becomes 1 ms), a sub-millisecond timeout means none at all, and a fractional or huge attempt
 * count makes retry loops meaningless.
 */
function boundedNumber(env: NodeJS.ProcessEnv, name: string, bounds: { min: number; max: number; fallback: number }, kind: 'whole' | 'seconds'): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return bounds.fallback;
  const text = raw.trim();
  // Plain decimal notation only: Number() would also take "1e9", "0x10" and "Infinity".
  const shape = kind === 'whole' ? /^\d+$/ : /^\d+(\.\d+)?$/;
  const value = Number(text);
  if (!shape.test(text) || value < bounds.min || value > bounds.max) {
    const what = kind === 'whole' ? 'a whole number' : 'a number of seconds';
    throw new ConfigError(`${name} must be ${what} from ${bounds.min} to ${bounds.max} (got "${raw}").`, { field: name });
  }
  return value;
}

/** `raw` as a URL (a bare host name means https), refusing schemes other than http(s) and embedded credentials. */
function parseHttpUrl(raw: string, variable: string, invalid: string, credentialsHint: string): URL {
  const trimmed = raw.trim();
  const withScheme = HAS_SCHEME.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError(invalid, { field: variable });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${variable} must use https:// (got ${url.protocol}).`, { field: variable });
  }
  if (url.username || url.password) throw new ConfigError(`${variable} must not contain credentials; ${credentialsHint}.`, { field: variable });
  return url;
}

/**
 * Plain HTTP is refused unless the host is loopback (nothing crosses a network) or the user said PEXIP_ALLOW_HTTP=1;
 * in that case the returned warning must be printed on every run.
 */
function plainHttpWarning(url: URL, variable: string, allowHttp: boolean, exposed: { refused: string; warned: string }, purpose = '', names: SettingNames = DEFAULT_NAMES): string | undefined {
  if (url.protocol !== 'http:' || LOOPBACK.has(url.hostname)) return undefined;
  const allow = names.of('ALLOW_HTTP');
  if (!allowHttp) {
    throw new ConfigError(`${variable} uses plain http:// to ${url.hostname}: ${exposed.refused} would cross the network unencrypted. Use https://, or set ${allow}=1 if you really mean it.`, { field: variable });
  }
  return `INSECURE: plain HTTP to ${url.hostname}${purpose} (${allow}=1): ${exposed.warned} cross the network unencrypted.`;
}

/** Normalises `PEXIP_ADDRESS` (a URL or bare host name) to an origin, refusing plain HTTP to non-loopback hosts. */
export function parseAddress(raw: string, allowHttp: boolean, names: SettingNames = DEFAULT_NAMES): { address: string; warnings: string[] } {
  const variable = names.of('ADDRESS');
  const url = parseHttpUrl(raw, variable, `${variable} is not a valid URL or host name: "${raw}".`, `use ${names.of('USERNAME')} and ${names.of('PASSWORD')}`);
  if (url.pathname !== '/' && url.pathname !== '') {
    throw new ConfigError(`${variable} must be the Management Node's address only, without a path (got "${url.pathname}").`, { field: variable });
  }
  const warning = plainHttpWarning(url, variable, allowHttp, { refused: 'credentials', warned: 'credentials and secrets' }, '', names);
  return { address: url.origin, warnings: warning ? [warning] : [] };
}

/**
 * Checks `PEXIP_OAUTH2_TOKEN_URL` by the address's rules: the client assertion sent there is as good as a password
 * for its lifetime, and the answer is a bearer token. A token URL on the address's own origin needs no warning of its
 * own: the address's warning already covers that connection.
 */
export function parseTokenUrl(raw: string, allowHttp: boolean, address: string, names: SettingNames = DEFAULT_NAMES): { tokenUrl: string; warnings: string[] } {
  const variable = names.of('OAUTH2_TOKEN_URL');
  const invalid = `${variable} is not a valid URL: "${raw}"; give the token endpoint's full address, e.g. https://manager.example.org/oauth/token/.`;
  // Unlike the address, no bare form: "https//login/token" would otherwise become a request to a host named "https".
  if (!HAS_SCHEME.test(raw.trim())) throw new ConfigError(invalid, { field: variable });
  const url = parseHttpUrl(raw, variable, invalid, 'the OAuth2 client authenticates with its private key');
  const exposed = 'the signed client assertion and the access token';
  const warning = plainHttpWarning(url, variable, allowHttp, { refused: exposed, warned: exposed }, ' for OAuth2 tokens', names);
  // Kept as written, not re-serialised: the assertion's `aud` must match what the token endpoint expects.
  return { tokenUrl: raw.trim(), warnings: warning && url.origin !== address ? [warning] : [] };
}

/**
 * Checks that a CA bundle holds PEM certificates, every one readable. Without this, a DER file, a private key or a
 * text file given as PEXIP_CA_FILE was accepted and replaced the trusted roots with nothing usable, so every TLS
 * connection then failed with an error that blamed the server.
 */
export function checkCaBundle(pem: Buffer, source: string, path: string): Buffer {
  const blocks = pem.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    throw new ConfigError(
      `${source} holds no PEM certificate ("-----BEGIN CERTIFICATE-----"): ${path}. Give the private CA's certificate in PEM form; convert a DER file with: openssl x509 -inform der -in ca.cer -out ca.pem`,
      { field: source },
    );
  }
  blocks.forEach((block, index) => {
    try {
      new X509Certificate(block);
    } catch {
      throw new ConfigError(`${source} holds a PEM certificate that cannot be parsed (certificate ${index + 1} of ${blocks.length}): ${path}.`, { field: source });
    }
  });
  return pem;
}

/** Checks that a PEM holds an EC P-256 private key, as Pexip's OAuth2 clients use (ES256). */
export function checkOAuth2Key(pem: string, source: string): string {
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new ConfigError(`${source} is not an EC P-256 private key; Pexip OAuth2 clients sign with ES256.`, { field: source });
    }
    return pem;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${source} does not hold a readable PEM private key.`, { field: source });
  }
}

/**
 * The names of one node's connection variables. A stack with its own node (`PEXIP_<VARIANT>_ADDRESS` set) reads every
 * connection variable under its own names and never the unsuffixed ones: the default node's password must not reach
 * another node. Tunables (timeout, attempts, parallelism) fall back to the unsuffixed names.
 */
export interface SettingNames {
  /** The stack's variant word when it has its own node; undefined for the default node. */
  readonly variant?: string;
  /** `PEXIP_<name>` or `PEXIP_<VARIANT>_<name>`. */
  of(name: string): string;
}

const DEFAULT_NAMES: SettingNames = { of: (name) => `PEXIP_${name}` };

/** Connection variables (per node); the tunables are not among them. */
export const CONNECTION_VARIABLES = ['ADDRESS', 'USERNAME', 'PASSWORD', 'OAUTH2_CLIENT_ID', 'OAUTH2_PRIVATE_KEY_FILE', 'OAUTH2_PRIVATE_KEY', 'OAUTH2_TOKEN_URL', 'CA_FILE', 'INSECURE_SKIP_TLS_VERIFY', 'ALLOW_HTTP'] as const;
const TUNABLES = ['TIMEOUT_SECONDS', 'MAX_ATTEMPTS', 'PARALLELISM'] as const;

/** A stack's variant word: the word in its secrets' names and in its own connection variables. */
export const VARIANT_WORD = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/**
 * Which variables reach a stack's node: `PEXIP_<VARIANT>_…` when `PEXIP_<VARIANT>_ADDRESS` is set, otherwise the
 * unsuffixed default. A stack variable set without its address is refused: it would otherwise be silently ignored
 * while the stack talks to the default node.
 */
export function settingNames(env: NodeJS.ProcessEnv, variant: string | undefined): SettingNames {
  if (variant === undefined) return DEFAULT_NAMES;
  const own = (name: string) => `PEXIP_${variant}_${name}`;
  if (env[own('ADDRESS')]?.trim()) return { variant, of: own };
  const stray = CONNECTION_VARIABLES.map(own).find((name) => env[name] !== undefined && env[name] !== '');
  if (stray) throw new ConfigError(`${stray} is set but ${own('ADDRESS')} is not: a stack reads its own connection variables only with its own address. Set ${own('ADDRESS')}, or unset ${stray} to use the default node (PEXIP_ADDRESS).`, { field: stray });
  return DEFAULT_NAMES;
}

/** The environment as `connectionFromEnv` reads it for these names: the node's own variables under default names. */
function scopedEnv(env: NodeJS.ProcessEnv, names: SettingNames): NodeJS.ProcessEnv {
  if (names.variant === undefined) return env;
  const scoped: NodeJS.ProcessEnv = {};
  for (const name of CONNECTION_VARIABLES) scoped[`PEXIP_${name}`] = env[names.of(name)];
  return scoped;
}

/** The variable that names a stack's node address (for messages). */
export function addressVariable(env: NodeJS.ProcessEnv, variant?: string): string {
  return settingNames(env, variant).of('ADDRESS');
}

/**
 * Reads connection settings from the environment (a stack's own node when `variant` is given and its
 * `PEXIP_<VARIANT>_ADDRESS` is set); every secret it reads is registered for redaction.
 */
export function connectionFromEnv(fullEnv: NodeJS.ProcessEnv = process.env, variant?: string): ConnectionSettings {
  const names = settingNames(fullEnv, variant);
  const env = scopedEnv(fullEnv, names);
  const n = names.of;
  const tunable = (name: (typeof TUNABLES)[number]) => (names.variant !== undefined && fullEnv[n(name)]?.trim() ? n(name) : `PEXIP_${name}`);
  const allowHttp = env.PEXIP_ALLOW_HTTP === '1';
  const { address, warnings } = parseAddress(required(env, 'PEXIP_ADDRESS', 'set it to the Management Node address, e.g. https://manager.example.org', n), allowHttp, names);
  const oauthClient = env.PEXIP_OAUTH2_CLIENT_ID;
  const hasBasic = Boolean(env.PEXIP_USERNAME || env.PEXIP_PASSWORD);
  let auth: BasicAuthSettings | OAuth2Settings;
  if (oauthClient) {
    if (hasBasic) throw new ConfigError(`Both ${n('OAUTH2_CLIENT_ID')} and ${n('USERNAME')}/${n('PASSWORD')} are set; set one way to authenticate.`, { field: n('OAUTH2_CLIENT_ID') });
    const { tokenUrl, warnings: tokenWarnings } = parseTokenUrl(env.PEXIP_OAUTH2_TOKEN_URL?.trim() ? env.PEXIP_OAUTH2_TOKEN_URL : `${address}/oauth/token/`, allowHttp, address, names);
    warnings.push(...tokenWarnings);
    let privateKeyPem: string;
    if (env.PEXIP_OAUTH2_PRIVATE_KEY_FILE) {
      const file = readBoundedText(env.PEXIP_OAUTH2_PRIVATE_KEY_FILE, { source: n('OAUTH2_PRIVATE_KEY_FILE'), maxBytes: PRIVATE_KEY_FILE_MAX_BYTES, sizeHint: 'An EC P-256 private key in PEM is about 250 bytes.' });
      privateKeyPem = checkOAuth2Key(file, n('OAUTH2_PRIVATE_KEY_FILE'));
    } else {
      privateKeyPem = checkOAuth2Key(required(env, 'PEXIP_OAUTH2_PRIVATE_KEY', `OAuth2 needs the client private key: set ${n('OAUTH2_PRIVATE_KEY_FILE')} (a PEM file) or ${n('OAUTH2_PRIVATE_KEY')}`, n), n('OAUTH2_PRIVATE_KEY'));
    }
    redactor.addSecret(privateKeyPem);
    auth = { type: 'oauth2', clientId: oauthClient, privateKeyPem, tokenUrl };
  } else {
    const username = required(env, 'PEXIP_USERNAME', `set ${n('USERNAME')} and ${n('PASSWORD')} (Basic auth) or ${n('OAUTH2_CLIENT_ID')} (OAuth2)`, n);
    const password = required(env, 'PEXIP_PASSWORD', `set the password of API user "${username}"`, n);
    redactor.addSecret(password);
    auth = { type: 'basic', username, password };
  }
  const insecure = env.PEXIP_INSECURE_SKIP_TLS_VERIFY === '1';
  if (insecure) warnings.push(`INSECURE: TLS certificate verification is OFF (${n('INSECURE_SKIP_TLS_VERIFY')}=1); anyone on the path can read credentials and secrets.`);
  const caFile = env.PEXIP_CA_FILE;
  const ca = caFile
    ? checkCaBundle(readBoundedFile(caFile, { source: n('CA_FILE'), maxBytes: CA_FILE_MAX_BYTES, sizeHint: 'A private CA bundle is a few KiB of PEM certificates.' }), n('CA_FILE'), caFile)
    : undefined;
  return {
    address,
    auth,
    ca,
    insecureSkipTlsVerify: insecure,
    timeoutMs: boundedNumber(fullEnv, tunable('TIMEOUT_SECONDS'), TIMEOUT_SECONDS, 'seconds') * 1000,
    maxAttempts: boundedNumber(fullEnv, tunable('MAX_ATTEMPTS'), MAX_ATTEMPTS, 'whole'),
    parallelism: boundedNumber(fullEnv, tunable('PARALLELISM'), PARALLELISM, 'whole'),
    warnings,
    ...(names.variant !== undefined ? { variablePrefix: `PEXIP_${names.variant}_` } : {}),
  };
}
