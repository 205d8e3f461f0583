import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
  /** Per-request timeout in milliseconds. */
  readonly timeoutMs: number;
  /** Attempts per idempotent request (first try included). */
  readonly maxAttempts: number;
  /** Warnings the caller must print (insecure modes). */
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

function required(env: NodeJS.ProcessEnv, name: string, why: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new ConfigError(`${name} is not set: ${why}`, { field: name });
  return value;
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a positive number (got "${raw}").`, { field: name });
  return value;
}

/** Normalises `PEXIP_ADDRESS` (a URL or bare host name) to an origin, refusing plain HTTP to non-loopback hosts. */
export function parseAddress(raw: string, allowHttp: boolean): { address: string; warnings: string[] } {
  const withScheme = /^[a-z]+:\/\//i.test(raw.trim()) ? raw.trim() : `https://${raw.trim()}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError(`PEXIP_ADDRESS is not a valid URL or host name: "${raw}".`, { field: 'PEXIP_ADDRESS' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`PEXIP_ADDRESS must use https:// (got ${url.protocol}).`, { field: 'PEXIP_ADDRESS' });
  }
  if (url.username || url.password) {
    throw new ConfigError('PEXIP_ADDRESS must not contain credentials; use PEXIP_USERNAME and PEXIP_PASSWORD.', { field: 'PEXIP_ADDRESS' });
  }
  if (url.pathname !== '/' && url.pathname !== '') {
    throw new ConfigError(`PEXIP_ADDRESS must be the Management Node's address only, without a path (got "${url.pathname}").`, { field: 'PEXIP_ADDRESS' });
  }
  const warnings: string[] = [];
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    if (!allowHttp) {
      throw new ConfigError(`PEXIP_ADDRESS uses plain http:// to ${url.hostname}: credentials would cross the network unencrypted. Use https://, or set PEXIP_ALLOW_HTTP=1 if you really mean it.`, { field: 'PEXIP_ADDRESS' });
    }
    warnings.push(`INSECURE: plain HTTP to ${url.hostname} (PEXIP_ALLOW_HTTP=1): credentials and secrets cross the network unencrypted.`);
  }
  return { address: url.origin, warnings };
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

function readFileSetting(env: NodeJS.ProcessEnv, name: string): Buffer {
  const path = env[name]!;
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(`${name} names a file that cannot be read: ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, { field: name });
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
    let privateKeyPem: string;
    if (env.PEXIP_OAUTH2_PRIVATE_KEY_FILE) {
      privateKeyPem = checkOAuth2Key(readFileSetting(env, 'PEXIP_OAUTH2_PRIVATE_KEY_FILE').toString('utf8'), 'PEXIP_OAUTH2_PRIVATE_KEY_FILE');
    } else {
      privateKeyPem = checkOAuth2Key(required(env, 'PEXIP_OAUTH2_PRIVATE_KEY', 'OAuth2 needs the client private key: set PEXIP_OAUTH2_PRIVATE_KEY_FILE (a PEM file) or PEXIP_OAUTH2_PRIVATE_KEY'), 'PEXIP_OAUTH2_PRIVATE_KEY');
    }
    redactor.addSecret(privateKeyPem);
    auth = { type: 'oauth2', clientId: oauthClient, privateKeyPem, tokenUrl: env.PEXIP_OAUTH2_TOKEN_URL || `${address}/oauth/token/` };
  } else {
    const username = required(env, 'PEXIP_USERNAME', 'set PEXIP_USERNAME and PEXIP_PASSWORD (Basic auth) or PEXIP_OAUTH2_CLIENT_ID (OAuth2)');
    const password = required(env, 'PEXIP_PASSWORD', `set the password of API user "${username}"`);
    redactor.addSecret(password);
    auth = { type: 'basic', username, password };
  }
  const insecure = env.PEXIP_INSECURE_SKIP_TLS_VERIFY === '1';
  if (insecure) warnings.push('INSECURE: TLS certificate verification is OFF (PEXIP_INSECURE_SKIP_TLS_VERIFY=1); anyone on the path can read credentials and secrets.');
  return {
    address,
    auth,
    ca: env.PEXIP_CA_FILE ? readFileSetting(env, 'PEXIP_CA_FILE') : undefined,
    insecureSkipTlsVerify: insecure,
    timeoutMs: positiveNumber(env, 'PEXIP_TIMEOUT_SECONDS', 30) * 1000,
    maxAttempts: Math.floor(positiveNumber(env, 'PEXIP_MAX_ATTEMPTS', 5)),
    warnings,
  };
}
