import { createPublicKey, randomBytes, timingSafeEqual, verify } from 'node:crypto';
import type { JsonObject } from '../kinds/types';

/**
 * The Management Node's authentication: HTTP Basic for admin users, and OAuth2 client credentials with an ES256
 * client-assertion JWT at `/oauth/token/` (reference §1.4). Tokens expire after `api_oauth2_expiration` seconds.
 */
export interface AuthOptions {
  /** Basic-auth users: name → password. */
  readonly users: Readonly<Record<string, string>>;
  /** OAuth2 clients: client id → PEM public key. */
  readonly oauthClients: Readonly<Record<string, string>>;
  /** Token lifetime in seconds (Pexip's default is 3600). */
  readonly tokenLifetimeSeconds: number;
  /** `api_oauth2_disable_basic`: only OAuth2 tokens are accepted. */
  readonly disableBasic: boolean;
}

const CLOCK_SKEW_S = 60;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class SimulatorAuth {
  private readonly tokens = new Map<string, number>();
  private readonly usedJti = new Set<string>();

  constructor(
    private readonly options: AuthOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether an Authorization header grants access. */
  accepts(header: string | undefined): boolean {
    if (!header) return false;
    const [scheme, value = ''] = header.split(/\s+/, 2);
    if (scheme.toLowerCase() === 'basic') {
      if (this.options.disableBasic) return false;
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return false;
      const password = this.options.users[decoded.slice(0, colon)];
      return password !== undefined && safeEqual(password, decoded.slice(colon + 1));
    }
    if (scheme.toLowerCase() === 'bearer') {
      const expiresAt = this.tokens.get(value);
      return expiresAt !== undefined && expiresAt > this.now();
    }
    return false;
  }

  /** Ends every token now, as if they had all expired. */
  expireAllTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
  }

  /** `POST /oauth/token/`: the status and JSON body to answer. */
  issueToken(form: URLSearchParams, tokenUrl: string): { status: number; body: JsonObject } {
    const invalid = (error: string, description: string) => ({ status: error === 'invalid_client' ? 401 : 400, body: { error, error_description: description } });
    if (form.get('grant_type') !== 'client_credentials') return invalid('unsupported_grant_type', 'Only client_credentials is supported.');
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
      return invalid('invalid_request', 'client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.');
    }
    const assertion = form.get('client_assertion') ?? '';
    const parts = assertion.split('.');
    if (parts.length !== 3) return invalid('invalid_request', 'client_assertion is not a JWT.');
    let header: { alg?: unknown };
    let claims: { iss?: unknown; sub?: unknown; aud?: unknown; exp?: unknown; iat?: unknown; jti?: unknown };
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return invalid('invalid_request', 'client_assertion is not a JWT.');
    }
    if (header.alg !== 'ES256') return invalid('invalid_client', 'The assertion must be signed with ES256.');
    const clientId = String(claims.iss);
    const publicKey = this.options.oauthClients[clientId];
    if (!publicKey || claims.sub !== claims.iss) return invalid('invalid_client', 'Unknown client.');
    const signatureOk = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: createPublicKey(publicKey), dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2], 'base64url'));
    if (!signatureOk) return invalid('invalid_client', 'The assertion signature does not verify.');
    const nowS = this.now() / 1000;
    if (String(claims.aud).replace(/\/?$/, '/') !== tokenUrl) return invalid('invalid_client', 'The assertion audience is not this token endpoint.');
    if (typeof claims.exp !== 'number' || claims.exp < nowS - CLOCK_SKEW_S) return invalid('invalid_client', 'The assertion has expired.');
    if (typeof claims.jti !== 'string' || this.usedJti.has(claims.jti)) return invalid('invalid_client', 'The assertion was already used.');
    this.usedJti.add(claims.jti);
    const token = randomBytes(24).toString('hex');
    this.tokens.set(token, this.now() + this.options.tokenLifetimeSeconds * 1000);
    return { status: 200, body: { access_token: token, expires_in: this.options.tokenLifetimeSeconds, token_type: 'Bearer', scope: 'is_admin use_api' } };
  }
}
