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

function required(env: NodeJS.ProcessEnv, name: string, why: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new ConfigError(`${name} is not set: ${why}`, { field: name });
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
function plainHttpWarning(url: URL, variable: string, allowHttp: boolean, exposed: { refused: string; warned: string }, purpose = ''): string | undefined {
  if (url.protocol !== 'http:' || LOOPBACK.has(url.hostname)) return undefined;
  if (!allowHttp) {
    throw new ConfigError(`${variable} uses plain http:// to ${url.hostname}: ${exposed.refused} would cross the network unencrypted. Use https://, or set PEXIP_ALLOW_HTTP=1 if you really mean it.`, { field: variable });
  }
  return `INSECURE: plain HTTP to ${url.hostname}${purpose} (PEXIP_ALLOW_HTTP=1): ${exposed.warned} cross the network unencrypted.`;
}

/** Normalises `PEXIP_ADDRESS` (a URL or bare host name) to an origin, refusing plain HTTP to non-loopback hosts. */
export function parseAddress(raw: string, allowHttp: boolean): { address: string; warnings: string[] } {
  const url = parseHttpUrl(raw, 'PEXIP_ADDRESS', `PEXIP_ADDRESS is not a valid URL or host name: "${raw}".`, 'use PEXIP_USERNAME and PEXIP_PASSWORD');
  if (url.pathname !== '/' && url.pathname !== '') {
    throw new ConfigError(`PEXIP_ADDRESS must be the Management Node's address only, without a path (got "${url.pathname}").`, { field: 'PEXIP_ADDRESS' });
  }
  const warning = plainHttpWarning(url, 'PEXIP_ADDRESS', allowHttp, { refused: 'credentials', warned: 'credentials and secrets' });
  return { address: url.origin, warnings: warning ? [warning] : [] };
}

/**
 * Checks `PEXIP_OAUTH2_TOKEN_URL` by the address's rules: the client assertion sent there is as good as a password
 * for its lifetime, and the answer is a bearer token. A token URL on the address's own origin needs no warning of its
 * own: the address's warning already covers that connection.
 */
export function parseTokenUrl(raw: string, allowHttp: boolean, address: string): { tokenUrl: string; warnings: string[] } {
  const invalid = `PEXIP_OAUTH2_TOKEN_URL is not a valid URL: "${raw}"; give the token endpoint's full address, e.g. https://manager.example.org/oauth/token/.`;
  // Unlike the address, no bare form: "https//login/token" would otherwise become a request to a host named "https".
  if (!HAS_SCHEME.test(raw.trim())) throw new ConfigError(invalid, { field: 'PEXIP_OAUTH2_TOKEN_URL' });
  const url = parseHttpUrl(raw, 'PEXIP_OAUTH2_TOKEN_URL', invalid, 'the OAuth2 client authenticates with its private key');
  const exposed = 'the signed client assertion and the access token';
  const warning = plainHttpWarning(url, 'PEXIP_OAUTH2_TOKEN_URL', allowHttp, { refused: exposed, warned: exposed }, ' for OAuth2 tokens');
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

/** Reads connection settings from the environment; every secret it reads is registered for redaction. */
export function connectionFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectionSettings {
  const allowHttp = env.PEXIP_ALLOW_HTTP === '1';
  const { address, warnings } = parseAddress(required(env, 'PEXIP_ADDRESS', 'set it to the Management Node address, e.g. https://manager.example.org'), allowHttp);
  const oauthClient = env.PEXIP_OAUTH2_CLIENT_ID;
  const hasBasic = Boolean(env.PEXIP_USERNAME || env.PEXIP_PASSWORD);
  let auth: BasicAuthSettings | OAuth2Settings;
  if (oauthClient) {
    if (hasBasic) throw new ConfigError('Both PEXIP_OAUTH2_CLIENT_ID and PEXIP_USERNAME/PEXIP_PASSWORD are set; set one way to authenticate.', { field: 'PEXIP_OAUTH2_CLIENT_ID' });
    const { tokenUrl, warnings: tokenWarnings } = parseTokenUrl(env.PEXIP_OAUTH2_TOKEN_URL?.trim() ? env.PEXIP_OAUTH2_TOKEN_URL : `${address}/oauth/token/`, allowHttp, address);
    warnings.push(...tokenWarnings);
    let privateKeyPem: string;
    if (env.PEXIP_OAUTH2_PRIVATE_KEY_FILE) {
      const file = readBoundedText(env.PEXIP_OAUTH2_PRIVATE_KEY_FILE, { source: 'PEXIP_OAUTH2_PRIVATE_KEY_FILE', maxBytes: PRIVATE_KEY_FILE_MAX_BYTES, sizeHint: 'An EC P-256 private key in PEM is about 250 bytes.' });
      privateKeyPem = checkOAuth2Key(file, 'PEXIP_OAUTH2_PRIVATE_KEY_FILE');
    } else {
      privateKeyPem = checkOAuth2Key(required(env, 'PEXIP_OAUTH2_PRIVATE_KEY', 'OAuth2 needs the client private key: set PEXIP_OAUTH2_PRIVATE_KEY_FILE (a PEM file) or PEXIP_OAUTH2_PRIVATE_KEY'), 'PEXIP_OAUTH2_PRIVATE_KEY');
    }
    redactor.addSecret(privateKeyPem);
    auth = { type: 'oauth2', clientId: oauthClient, privateKeyPem, tokenUrl };
  } else {
    const username = required(env, 'PEXIP_USERNAME', 'set PEXIP_USERNAME and PEXIP_PASSWORD (Basic auth) or PEXIP_OAUTH2_CLIENT_ID (OAuth2)');
    const password = required(env, 'PEXIP_PASSWORD', `set the password of API user "${username}"`);
    redactor.addSecret(password);
    auth = { type: 'basic', username, password };
  }
  const insecure = env.PEXIP_INSECURE_SKIP_TLS_VERIFY === '1';
  if (insecure) warnings.push('INSECURE: TLS certificate verification is OFF (PEXIP_INSECURE_SKIP_TLS_VERIFY=1); anyone on the path can read credentials and secrets.');
  const caFile = env.PEXIP_CA_FILE;
  const ca = caFile
    ? checkCaBundle(readBoundedFile(caFile, { source: 'PEXIP_CA_FILE', maxBytes: CA_FILE_MAX_BYTES, sizeHint: 'A private CA bundle is a few KiB of PEM certificates.' }), 'PEXIP_CA_FILE', caFile)
    : undefined;
  return {
    address,
    auth,
    ca,
    insecureSkipTlsVerify: insecure,
    timeoutMs: boundedNumber(env, 'PEXIP_TIMEOUT_SECONDS', TIMEOUT_SECONDS, 'seconds') * 1000,
    maxAttempts: boundedNumber(env, 'PEXIP_MAX_ATTEMPTS', MAX_ATTEMPTS, 'whole'),
    parallelism: boundedNumber(env, 'PEXIP_PARALLELISM', PARALLELISM, 'whole'),
    warnings,
  };
}
