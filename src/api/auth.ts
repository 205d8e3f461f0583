import { randomBytes, sign } from 'node:crypto';
import { PexipAuthError, PexipProtocolError } from './errors';
import { redactor } from './redact';
import type { BasicAuthSettings, OAuth2Settings } from './settings';

/** Produces the Authorization header for management-API requests. */
export interface Authenticator {
  /** The header value for the next request. */
  authorization(): Promise<string>;
  /** Called after a 401: true when fresh credentials were obtained and the request is worth one more try. */
  refreshAfterUnauthorized(): Promise<boolean>;
}

export class BasicAuthenticator implements Authenticator {
  private readonly header: string;

  constructor(settings: BasicAuthSettings) {
    this.header = `Basic ${Buffer.from(`${settings.username}:${settings.password}`).toString('base64')}`;
    redactor.addSecret(this.header);
  }

  async authorization(): Promise<string> {
    return this.header;
  }

  async refreshAfterUnauthorized(): Promise<boolean> {
    return false;
  }
}

/** What the token endpoint call needs from the HTTP layer: POST a form, get status and parsed body back. */
export type FormPoster = (url: string, form: URLSearchParams) => Promise<{ status: number; body: unknown }>;

/** Tokens are renewed this long before they expire (pexshell renews 5 minutes early). */
const RENEW_BEFORE_MS = 5 * 60_000;

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** A client assertion JWT signed ES256 with the OAuth2 client's private key, for `/oauth/token/`. */
export function clientAssertion(settings: OAuth2Settings, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const header = base64url(JSON.stringify({ alg: 'ES256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({ iss: settings.clientId, sub: settings.clientId, aud: settings.tokenUrl, iat, exp: iat + 300, jti: randomBytes(18).toString('hex') }),
  );
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), { key: settings.privateKeyPem, dsaEncoding: 'ieee-p1363' });
  return `${header}.${payload}.${base64url(signature)}`;
}

/**
 * OAuth2 client credentials with a private-key JWT (Pexip's management-API OAuth2). The token is cached and
 * renewed shortly before it expires, or once after a 401; concurrent callers share one token request.
 */
export class OAuth2Authenticator implements Authenticator {
  private token?: { value: string; expiresAt: number };
  private pending?: Promise<string>;

  constructor(
    private readonly settings: OAuth2Settings,
    private readonly post: FormPoster,
    private readonly now: () => number = Date.now,
  ) {}

  async authorization(): Promise<string> {
    if (this.token && this.token.expiresAt - this.now() > Math.min(RENEW_BEFORE_MS, this.lifetimeMargin())) return `Bearer ${this.token.value}`;
    return `Bearer ${await this.fetchToken()}`;
  }

  async refreshAfterUnauthorized(): Promise<boolean> {
    this.token = undefined;
    await this.fetchToken();
    return true;
  }

  /** For short-lived tokens, renew when a tenth of the lifetime is left rather than five minutes. */
  private lifetimeMargin(): number {
    return this.token ? (this.token.expiresAt - this.issuedAt) / 10 : 0;
  }

  private issuedAt = 0;

  private fetchToken(): Promise<string> {
    this.pending ??= this.requestToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async requestToken(): Promise<string> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: clientAssertion(this.settings, this.now()),
    });
    redactor.addSecret(form.get('client_assertion')!);
    const context = { method: 'POST', path: new URL(this.settings.tokenUrl).pathname, kind: 'OAuth2 token' };
    const { status, body } = await this.post(this.settings.tokenUrl, form);
    if (status === 400 || status === 401 || status === 403) {
      const reason = typeof body === 'object' && body !== null && 'error' in body ? ` (${String((body as { error: unknown }).error)})` : '';
      throw new PexipAuthError(`the OAuth2 token request was refused${reason}: check PEXIP_OAUTH2_CLIENT_ID and that the private key belongs to that client.`, { ...context, status });
    }
    const token = body as { access_token?: unknown; expires_in?: unknown; token_type?: unknown };
    if (status !== 200 || typeof token?.access_token !== 'string' || String(token.token_type).toLowerCase() !== 'bearer') {
      throw new PexipProtocolError(`unexpected answer from the OAuth2 token endpoint (HTTP ${status}); expected {"access_token", "token_type": "Bearer", "expires_in"}.`, { ...context, status });
    }
    redactor.addSecret(token.access_token);
    const lifetimeMs = (typeof token.expires_in === 'number' && token.expires_in > 0 ? token.expires_in : 3600) * 1000;
    this.issuedAt = this.now();
    this.token = { value: token.access_token, expiresAt: this.issuedAt + lifetimeMs };
    return token.access_token;
  }
}
