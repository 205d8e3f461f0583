import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/api/errors';
import { Redactor } from '../../src/api/redact';
import { parseRetryAfter, retryDelay, DEFAULT_RETRY_POLICY } from '../../src/api/retry';
import { connectionFromEnv, parseAddress } from '../../src/api/settings';
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
    [{ ...basic, PEXIP_TIMEOUT_SECONDS: 'soon' }, 'PEXIP_TIMEOUT_SECONDS', /must be a positive number \(got "soon"\)/],
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
