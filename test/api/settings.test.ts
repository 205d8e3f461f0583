import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/api/errors';
import { Redactor } from '../../src/api/redact';
import { parseRetryAfter, retryDelay, DEFAULT_RETRY_POLICY } from '../../src/api/retry';
import { connectionFromEnv, parseAddress, parseTokenUrl } from '../../src/api/settings';
import { tempDir } from '../helpers/terraform';

const basic = { PEXIP_ADDRESS: 'manager.example.org', PEXIP_USERNAME: 'api', PEXIP_PASSWORD: 'pw-123456' };

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    connectionFromEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('connection settings from the environment', () => {
  it('defaults a bare host name to https', () => {
    expect(connectionFromEnv(basic).address).toBe('https://manager.example.org');
  });

  it.each([
    [{ ...basic, PEXIP_ADDRESS: undefined }, 'PEXIP_ADDRESS', /PEXIP_ADDRESS is not set/],
    [{ ...basic, PEXIP_ADDRESS: 'http://manager.example.org' }, 'PEXIP_ADDRESS', /plain http:\/\/ to manager\.example\.org/],
    [{ ...basic, PEXIP_ADDRESS: 'https://u:p@manager.example.org' }, 'PEXIP_ADDRESS', /must not contain credentials/],
    [{ ...basic, PEXIP_ADDRESS: 'https://manager.example.org/admin' }, 'PEXIP_ADDRESS', /without a path/],
    [{ ...basic, PEXIP_PASSWORD: undefined }, 'PEXIP_PASSWORD', /PEXIP_PASSWORD is not set/],
    [{ ...basic, PEXIP_OAUTH2_CLIENT_ID: 'c' }, 'PEXIP_OAUTH2_CLIENT_ID', /set one way to authenticate/],
    [{ PEXIP_ADDRESS: 'm', PEXIP_OAUTH2_CLIENT_ID: 'c' }, 'PEXIP_OAUTH2_PRIVATE_KEY', /OAuth2 needs the client private key/],
    [{ PEXIP_ADDRESS: 'm', PEXIP_OAUTH2_CLIENT_ID: 'c', PEXIP_OAUTH2_PRIVATE_KEY: 'not pem' }, 'PEXIP_OAUTH2_PRIVATE_KEY', /does not hold a readable PEM private key/],
    [{ ...basic, PEXIP_CA_FILE: '/nonexistent/ca.pem' }, 'PEXIP_CA_FILE', /PEXIP_CA_FILE names a file that cannot be read: \/nonexistent\/ca\.pem \(ENOENT\)/],
    [{ ...basic, PEXIP_TIMEOUT_SECONDS: 'soon' }, 'PEXIP_TIMEOUT_SECONDS', /must be a number of seconds from 1 to 3600 \(got "soon"\)/],
  ])('refuses bad settings with an error naming the variable (%#)', (env, field, message) => {
    const error = configError(env as NodeJS.ProcessEnv);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('refuses an OAuth2 key that is not EC P-256', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const dir = tempDir('pexip-key-');
    writeFileSync(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const error = configError({ PEXIP_ADDRESS: 'm', PEXIP_OAUTH2_CLIENT_ID: 'c', PEXIP_OAUTH2_PRIVATE_KEY_FILE: join(dir, 'key.pem') });
    expect(error.message).toBe('PEXIP_OAUTH2_PRIVATE_KEY_FILE is not an EC P-256 private key; Pexip OAuth2 clients sign with ES256.');
  });

  it('allows plain HTTP to loopback, and elsewhere only when explicitly asked, with a loud warning', () => {
    expect(parseAddress('http://127.0.0.1:8080', false)).toEqual({ address: 'http://127.0.0.1:8080', warnings: [] });
    expect(parseAddress('http://manager.example.org', true).warnings[0]).toMatch(/^INSECURE: plain HTTP/);
  });

  it('warns loudly when TLS verification is switched off', () => {
    expect(connectionFromEnv({ ...basic, PEXIP_INSECURE_SKIP_TLS_VERIFY: '1' }).warnings).toEqual([
      'INSECURE: TLS certificate verification is OFF (PEXIP_INSECURE_SKIP_TLS_VERIFY=1); anyone on the path can read credentials and secrets.',
    ]);
  });
});

describe('a stack\'s own node: PEXIP_<VARIANT>_…', () => {
  const prod = { PEXIP_PROD_ADDRESS: 'https://mgmt-prod.example.org', PEXIP_PROD_USERNAME: 'api-prod', PEXIP_PROD_PASSWORD: 'pw-prod-77' };
  const error = (env: NodeJS.ProcessEnv, variant: string) => {
    try {
      connectionFromEnv(env, variant);
    } catch (e) {
      return e as ConfigError;
    }
    throw new Error('expected a ConfigError');
  };

  it('reads every connection variable under the stack\'s prefix when its address is set, never the default node\'s', () => {
    const settings = connectionFromEnv({ ...basic, ...prod }, 'PROD');
    expect(settings.address).toBe('https://mgmt-prod.example.org');
    expect(settings.auth).toEqual({ type: 'basic', username: 'api-prod', password: 'pw-prod-77' });
    expect(settings.variablePrefix).toBe('PEXIP_PROD_');
    // The default node's password is not a fallback for the stack's own node.
    const missing = error({ ...basic, PEXIP_PROD_ADDRESS: 'https://mgmt-prod.example.org', PEXIP_PROD_USERNAME: 'api-prod' }, 'PROD');
    expect(missing.message).toBe('PEXIP_PROD_PASSWORD is not set: set the password of API user "api-prod"');
    expect(missing.field).toBe('PEXIP_PROD_PASSWORD');
  });

  it('without its own address, a stack uses the default node; a stray own variable is refused, not ignored', () => {
    expect(connectionFromEnv(basic, 'NONPROD').address).toBe('https://manager.example.org');
    expect(connectionFromEnv(basic, 'NONPROD').variablePrefix).toBeUndefined();
    expect(error({ ...basic, PEXIP_NONPROD_PASSWORD: 'x' }, 'NONPROD').message).toBe(
      'PEXIP_NONPROD_PASSWORD is set but PEXIP_NONPROD_ADDRESS is not: a stack reads its own connection variables only with its own address. Set PEXIP_NONPROD_ADDRESS, or unset PEXIP_NONPROD_PASSWORD to use the default node (PEXIP_ADDRESS).',
    );
  });

  it('refuses a line break in a connection value (a Windows file\'s carriage return), naming the variable, never the value', () => {
    const refused = error({ ...prod, PEXIP_PROD_PASSWORD: 'pw-prod-77\r' }, 'PROD');
    expect(refused.message).toBe('PEXIP_PROD_PASSWORD holds a line break (a carriage return from a Windows file?): remove it.');
    expect(configError({ ...basic, PEXIP_USERNAME: 'api\n' }).message).toBe('PEXIP_USERNAME holds a line break (a carriage return from a Windows file?): remove it.');
  });

  it('names the stack\'s own variables in its errors; tunables fall back to the unsuffixed ones', () => {
    expect(error({ ...prod, PEXIP_PROD_ADDRESS: 'http://mgmt-prod.example.org' }, 'PROD').message).toMatch(/^PEXIP_PROD_ADDRESS uses plain http:\/\/ to mgmt-prod\.example\.org: .* set PEXIP_PROD_ALLOW_HTTP=1 if you really mean it\.$/);
    expect(connectionFromEnv({ ...prod, PEXIP_PARALLELISM: '3' }, 'PROD').parallelism).toBe(3);
    expect(connectionFromEnv({ ...prod, PEXIP_PARALLELISM: '3', PEXIP_PROD_PARALLELISM: '5' }, 'PROD').parallelism).toBe(5);
    expect(error({ ...prod, PEXIP_PROD_TIMEOUT_SECONDS: '0' }, 'PROD').message).toBe('PEXIP_PROD_TIMEOUT_SECONDS must be a number of seconds from 1 to 3600 (got "0").');
  });
});

describe('numeric settings', () => {
  it('defaults to a 30 s timeout, 5 attempts and 4 requests at once', () => {
    expect(connectionFromEnv(basic)).toMatchObject({ timeoutMs: 30_000, maxAttempts: 5, parallelism: 8 });
  });

  it('accepts the bounds, and decimal seconds from 1', () => {
    const low = connectionFromEnv({ ...basic, PEXIP_TIMEOUT_SECONDS: '1', PEXIP_MAX_ATTEMPTS: '1', PEXIP_PARALLELISM: '1' });
    expect(low).toMatchObject({ timeoutMs: 1_000, maxAttempts: 1, parallelism: 1 });
    const high = connectionFromEnv({ ...basic, PEXIP_TIMEOUT_SECONDS: '3600', PEXIP_MAX_ATTEMPTS: '10', PEXIP_PARALLELISM: '16' });
    expect(high).toMatchObject({ timeoutMs: 3_600_000, maxAttempts: 10, parallelism: 16 });
    expect(connectionFromEnv({ ...basic, PEXIP_TIMEOUT_SECONDS: '2.5' }).timeoutMs).toBe(2_500);
  });

  it.each([
    ['PEXIP_TIMEOUT_SECONDS', '0.999', 'a number of seconds from 1 to 3600'],
    ['PEXIP_TIMEOUT_SECONDS', '3600.5', 'a number of seconds from 1 to 3600'],
    ['PEXIP_TIMEOUT_SECONDS', '1e3', 'a number of seconds from 1 to 3600'],
    ['PEXIP_TIMEOUT_SECONDS', 'Infinity', 'a number of seconds from 1 to 3600'],
    ['PEXIP_TIMEOUT_SECONDS', '-5', 'a number of seconds from 1 to 3600'],
    ['PEXIP_MAX_ATTEMPTS', '11', 'a whole number from 1 to 10'],
    ['PEXIP_MAX_ATTEMPTS', '2.0', 'a whole number from 1 to 10'],
    ['PEXIP_MAX_ATTEMPTS', '0x5', 'a whole number from 1 to 10'],
    ['PEXIP_PARALLELISM', '17', 'a whole number from 1 to 16'],
    ['PEXIP_PARALLELISM', '1.5', 'a whole number from 1 to 16'],
  ])('refuses %s=%s, naming the range', (name, value, range) => {
    const error = configError({ ...basic, [name]: value });
    expect(error.field).toBe(name);
    expect(error.message).toBe(`${name} must be ${range} (got "${value}").`);
  });
});

describe('the OAuth2 token URL', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const oauth = { PEXIP_ADDRESS: 'manager.example.org', PEXIP_OAUTH2_CLIENT_ID: 'cdktf', PEXIP_OAUTH2_PRIVATE_KEY: key };
  const tokenUrlOf = (env: NodeJS.ProcessEnv) => {
    const auth = connectionFromEnv(env).auth;
    return auth.type === 'oauth2' ? auth.tokenUrl : undefined;
  };

  it('defaults to the address\'s /oauth/token/ and keeps a given URL exactly as written (it is the assertion\'s audience)', () => {
    expect(tokenUrlOf(oauth)).toBe('https://manager.example.org/oauth/token/');
    expect(tokenUrlOf({ ...oauth, PEXIP_OAUTH2_TOKEN_URL: 'https://Login.Example.org:443/oauth/token' })).toBe('https://Login.Example.org:443/oauth/token');
  });

  it('follows the address\'s rules: https, plain http only to loopback or when allowed, with a warning', () => {
    expect(parseTokenUrl('http://127.0.0.1:9/oauth/token/', false, 'https://manager.example.org')).toEqual({ tokenUrl: 'http://127.0.0.1:9/oauth/token/', warnings: [] });
    expect(() => parseTokenUrl('http://login.example.org/token', false, 'https://manager.example.org')).toThrow(
      'PEXIP_OAUTH2_TOKEN_URL uses plain http:// to login.example.org: the signed client assertion and the access token would cross the network unencrypted. Use https://, or set PEXIP_ALLOW_HTTP=1 if you really mean it.',
    );
    expect(parseTokenUrl('http://login.example.org/token', true, 'https://manager.example.org').warnings).toEqual([
      'INSECURE: plain HTTP to login.example.org for OAuth2 tokens (PEXIP_ALLOW_HTTP=1): the signed client assertion and the access token cross the network unencrypted.',
    ]);
    expect(() => parseTokenUrl('ftp://login.example.org/token', false, 'https://m')).toThrow('PEXIP_OAUTH2_TOKEN_URL must use https:// (got ftp:).');
    expect(() => parseTokenUrl('https://id:secret@login.example.org/token', false, 'https://m')).toThrow('PEXIP_OAUTH2_TOKEN_URL must not contain credentials; the OAuth2 client authenticates with its private key.');
  });

  it('warns once, not twice, when address and token URL are the same plain-http host', () => {
    const env = { ...oauth, PEXIP_ADDRESS: 'http://manager.example.org', PEXIP_ALLOW_HTTP: '1' };
    expect(connectionFromEnv(env).warnings).toEqual(['INSECURE: plain HTTP to manager.example.org (PEXIP_ALLOW_HTTP=1): credentials and secrets cross the network unencrypted.']);
    expect(connectionFromEnv({ ...env, PEXIP_OAUTH2_TOKEN_URL: 'http://login.example.org/token' }).warnings).toHaveLength(2);
  });

  it.each(['not a url', 'login.example.org/oauth/token/', 'https//login.example.org/oauth/token/', 'https://login.example.org:99999/'])(
    'refuses "%s" with an error naming the variable, not a TypeError',
    (value) => {
      const error = configError({ ...oauth, PEXIP_OAUTH2_TOKEN_URL: value });
      expect(error.field).toBe('PEXIP_OAUTH2_TOKEN_URL');
      expect(error.message).toBe(`PEXIP_OAUTH2_TOKEN_URL is not a valid URL: "${value}"; give the token endpoint's full address, e.g. https://manager.example.org/oauth/token/.`);
    },
  );
});

describe('the CA file', () => {
  it('refuses a file without a PEM certificate and one whose certificate does not parse', () => {
    const dir = tempDir('pexip-ca-');
    writeFileSync(join(dir, 'der.cer'), Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x02, 0x82]));
    expect(configError({ ...basic, PEXIP_CA_FILE: join(dir, 'der.cer') }).message).toBe(
      `PEXIP_CA_FILE holds no PEM certificate ("-----BEGIN CERTIFICATE-----"): ${join(dir, 'der.cer')}. Give the private CA's certificate in PEM form; convert a DER file with: openssl x509 -inform der -in ca.cer -out ca.pem`,
    );
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    writeFileSync(join(dir, 'key.pem'), key);
    expect(configError({ ...basic, PEXIP_CA_FILE: join(dir, 'key.pem') }).message).toMatch(/^PEXIP_CA_FILE holds no PEM certificate/);
  });

  it('accepts a bundle of real certificates, and names the one of them that does not parse', () => {
    const dir = tempDir('pexip-ca-');
    for (const name of ['a', 'b']) {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`], { cwd: dir, stdio: 'pipe' });
    }
    const bundle = Buffer.concat([readFileSync(join(dir, 'a.pem')), readFileSync(join(dir, 'b.pem'))]);
    writeFileSync(join(dir, 'bundle.pem'), bundle);
    expect(connectionFromEnv({ ...basic, PEXIP_CA_FILE: join(dir, 'bundle.pem') }).ca).toEqual(bundle);
    writeFileSync(join(dir, 'broken.pem'), `${readFileSync(join(dir, 'a.pem'), 'utf8')}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`);
    expect(configError({ ...basic, PEXIP_CA_FILE: join(dir, 'broken.pem') }).message).toBe(
      `PEXIP_CA_FILE holds a PEM certificate that cannot be parsed (certificate 2 of 2): ${join(dir, 'broken.pem')}.`,
    );
  });
});

describe('retry timing', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('caps Retry-After and doubles the backoff per attempt with jitter', () => {
    expect(retryDelay(DEFAULT_RETRY_POLICY, 1, 3_600_000)).toBe(60_000);
    expect(retryDelay(DEFAULT_RETRY_POLICY, 1, undefined, () => 0)).toBe(100);
    expect(retryDelay(DEFAULT_RETRY_POLICY, 3, undefined, () => 1)).toBe(800);
    expect(retryDelay(DEFAULT_RETRY_POLICY, 20, undefined, () => 1)).toBe(5_000);
  });
});

describe('redaction', () => {
  it('replaces secrets and their encodings, longest first', () => {
    const r = new Redactor();
    r.addSecret('abc/def+1');
    r.addSecret('abc/def+1-longer');
    expect(r.redact('a abc/def+1-longer b abc%2Fdef%2B1 c')).toBe('a (sensitive) b (sensitive) c');
  });

  it('masks patient names in appointment conference names', () => {
    expect(new Redactor().redact('GET conference "Appointment for Kai Oosman Picardo Healthcare Org:5ec8 in Radiology" failed')).toBe(
      'GET conference "Appointment for (patient name redacted):5ec8 in Radiology" failed',
    );
  });

  it('ignores values too short to be secrets', () => {
    const r = new Redactor();
    r.addSecret('ab');
    expect(r.redact('abc')).toBe('abc');
  });
});
