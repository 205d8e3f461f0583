import { generateKeyPairSync } from 'node:crypto';
import { PexipClient } from '../../src/api/client';
import {
  PexipAuthError,
  PexipConnectionError,
  PexipNotFoundError,
  PexipProtocolError,
  PexipServerError,
  PexipValidationError,
} from '../../src/api/errors';
import { redactor } from '../../src/api/redact';
import { connectionFromEnv } from '../../src/api/settings';
import { kindByName } from '../../src/kinds';
import type { PexipSimulator } from '../../src/simulator/server';
import { profileBody } from '../helpers/fixtures';
import { brandingPackage, themePackage } from '../helpers/packages';
import { clientFor, simulatorEnv, startSimulator } from '../helpers/simulator';

const policy = kindByName('policy_server');
const profile = kindByName('telehealth_profile');
let sim: PexipSimulator;
let client: PexipClient;

beforeEach(async () => {
  sim = await startSimulator();
  client = clientFor(sim, { pageSize: 20 });
});
afterEach(async () => {
  client.close();
  await sim.stop();
});

async function seedPolicies(count: number): Promise<void> {
  for (let i = 1; i <= count; i++) await client.create(policy, { name: `Policy ${i}` });
  sim.clearRequests();
}

describe('reads', () => {
  it('lists all 45 objects across three pages of 20', async () => {
    await seedPolicies(45);
    const objects = await client.list(policy);
    expect(objects.map((o) => o.name)).toEqual(Array.from({ length: 45 }, (_, i) => `Policy ${i + 1}`));
    expect(sim.requests.map((r) => r.query)).toEqual(['?limit=20&offset=0', '?limit=20&offset=20', '?limit=20&offset=40']);
  });

  it('finds an object by key, or undefined when it does not exist', async () => {
    const created = await client.create(policy, { name: 'P' });
    expect((await client.find(policy, created.key))?.name).toBe('P');
    expect(await client.find(policy, '999')).toBeUndefined();
  });
});

describe('writes', () => {
  it('creates from 201 + Location and reports key and URI', async () => {
    const created = await client.create(profile, profileBody());
    expect(created).toEqual({ key: '1', uri: '/api/admin/configuration/v1/telehealth_profile/1/', recovered: false });
  });

  it('uploads a theme package (multipart) and updates it in place', async () => {
    const theme = kindByName('ivr_theme');
    const created = await client.create(theme, { name: 'Waiting room' }, { file: { fileName: 'theme.zip', content: themePackage('a') } });
    await client.update(theme, created.key, { name: 'Waiting room 2' }, { file: { fileName: 'theme.zip', content: themePackage('b') } });
    expect((await client.find(theme, created.key))?.name).toBe('Waiting room 2');
    expect(sim.exportState().config).toHaveProperty(['ivr_theme', 4, 'files', 'package', 'size']);
  });

  it('keys branding by the server uuid from Location', async () => {
    const branding = kindByName('webapp_branding');
    const created = await client.create(branding, { name: 'B', webapp_type: 'webapp3' }, { file: { fileName: 'b.zip', content: brandingPackage() } });
    expect(created.key).toMatch(/^[0-9a-f-]{36}$/);
    expect((await client.find(branding, created.key))?.uuid).toBe(created.key);
  });

  it('refuses to replace a branding package in place', async () => {
    const branding = kindByName('webapp_branding');
    await expect(client.update(branding, 'x', {}, { file: { fileName: 'b.zip', content: brandingPackage() } })).rejects.toThrow(/cannot be replaced in place/);
  });

  it('finds a new licence by entitlement rather than trusting Location', async () => {
    const created = await client.create(kindByName('licence'), { entitlement_id: 'DEMO-TELEHEALTH-0002' });
    expect(created.key).toMatch(/^FID[0-9A-F]{12}$/);
    expect(sim.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
  });

  it('updates with one PATCH (202) and deletes with 204, tolerating 404 when asked', async () => {
    const created = await client.create(policy, { name: 'P' });
    sim.clearRequests();
    await client.update(policy, created.key, { description: 'd' });
    expect(sim.writes().map((r) => [r.method, r.status])).toEqual([['PATCH', 202]]);
    expect(await client.delete(policy, created.key)).toBe('deleted');
    expect(await client.delete(policy, created.key, { tolerateNotFound: true })).toBe('absent');
    await expect(client.delete(policy, created.key)).rejects.toBeInstanceOf(PexipNotFoundError);
  });
});

describe('retries', () => {
  it('retries a GET after 503 and 502 HTML pages, then succeeds', async () => {
    sim.addFault({ match: { method: 'GET' }, action: { type: 'status', status: 503 } });
    sim.addFault({ match: { method: 'GET' }, action: { type: 'html', status: 502 } });
    expect(await client.list(policy)).toEqual([]);
    expect(sim.requests.map((r) => r.status)).toEqual([503, 502, 200]);
  });

  it('waits as long as Retry-After asks on 429', async () => {
    const waits: number[] = [];
    client = clientFor(sim, { sleep: async (ms) => void waits.push(ms) });
    sim.addFault({ action: { type: 'status', status: 429, retryAfterSeconds: 3 } });
    await client.list(policy);
    expect(waits).toEqual([3000]);
  });

  it('pauses every request of the client on a 429, not only the one that got it', async () => {
    client = clientFor(sim, { sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) });
    sim.addFault({ match: { path: '/policy_server/' }, action: { type: 'status', status: 429, retryAfterSeconds: 0.5 } });
    const limited = client.list(policy);
    while (!sim.requests.some((r) => r.status === 429)) await new Promise((resolve) => setTimeout(resolve, 5));
    const limitedAt = Date.now();
    await client.list(kindByName('ivr_theme'));
    // The theme list was asked for right after the 429, yet went out only when the pause was over.
    expect(Date.now() - limitedAt).toBeGreaterThanOrEqual(400);
    await limited;
    expect(sim.requests.map((r) => `${r.resource} ${r.status}`)).toEqual(['policy_server 429', expect.stringMatching(/200$/), expect.stringMatching(/200$/)]);
  });

  it('does not retry a 500 on a GET, and says which object and request failed', async () => {
    sim.addFault({ action: { type: 'status', status: 500 } });
    const error = await client.find(policy, '7').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PexipServerError);
    expect((error as PexipServerError).message).toBe('policy profile "7" — GET /api/admin/configuration/v1/policy_server/7/: the Management Node answered HTTP 500.');
    expect(sim.requests).toHaveLength(1);
  });

  it('gives up after the configured attempts', async () => {
    client = clientFor(sim, {}, { PEXIP_MAX_ATTEMPTS: '3' });
    sim.addFault({ action: { type: 'status', status: 503 }, times: 10 });
    await expect(client.list(policy)).rejects.toBeInstanceOf(PexipServerError);
    expect(sim.requests).toHaveLength(3);
  });
});

describe('a POST is never retried blindly', () => {
  it('makes no duplicate when the answer to a committed POST is lost (connection reset after commit)', async () => {
    sim.addFault({ match: { method: 'POST' }, action: { type: 'reset-after' } });
    const created = await client.create(policy, { name: 'Once' });
    expect(created.recovered).toBe(true);
    expect((await client.list(policy)).map((o) => o.name)).toEqual(['Once']);
    expect(sim.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('sends the POST again when a re-read shows it was not committed (reset before handling)', async () => {
    sim.addFault({ match: { method: 'POST' }, action: { type: 'reset-before' } });
    const created = await client.create(policy, { name: 'Twice sent, once made' });
    expect(created.recovered).toBe(false);
    expect(await client.list(policy)).toHaveLength(1);
    expect(sim.requests.map((r) => `${r.method} ${String(r.status)}`)).toEqual(['POST reset', 'GET 200', 'POST 201', 'GET 200']);
  });

  it('re-reads before retrying after a 503 on POST', async () => {
    sim.addFault({ match: { method: 'POST' }, action: { type: 'status', status: 503 } });
    await client.create(policy, { name: 'P' });
    expect(sim.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'POST']);
  });

  it('matches the recovered object by ownership marker, not only by name', async () => {
    await client.create(policy, { name: 'Shared', description: 'made by hand' });
    sim.addFault({ match: { method: 'POST' }, action: { type: 'status', status: 502 } });
    const error = await client.create(policy, { name: 'Shared', description: 'x [pexip-cdktf:prod/policy]' }).catch((e: unknown) => e);
    // The re-read finds only the hand-made object; the retried POST then meets Pexip's uniqueness check.
    expect(error).toBeInstanceOf(PexipValidationError);
    expect((error as PexipValidationError).fieldErrors).toEqual([{ field: 'name', message: 'Policy profile with this Name already exists.' }]);
  });

  it('does not retry a POST refused with 400', async () => {
    await expect(client.create(policy, { name: '' })).rejects.toBeInstanceOf(PexipValidationError);
    expect(sim.requests).toHaveLength(1);
  });
});

describe('typed errors', () => {
  it('carries status, kind, object and field errors from a 400', async () => {
    const error = (await client.create(profile, profileBody({ name: 'Healthcare Org', service_name_template: 'Visit' })).catch((e: unknown) => e)) as PexipValidationError;
    expect(error).toBeInstanceOf(PexipValidationError);
    expect(error).toMatchObject({ status: 400, kind: 'Epic telehealth profile', object: 'Healthcare Org', field: 'service_name_template', method: 'POST' });
    expect(error.message).toBe(
      'Epic telehealth profile "Healthcare Org" — POST /api/admin/configuration/v1/telehealth_profile/: Pexip refused the request (400): service_name_template: The template must contain {{unique_encounter_id}}.',
    );
  });

  it('redacts registered secrets that the server echoes in an error', async () => {
    redactor.addSecret('hunter2-secret-value');
    const error = (await client.create(profile, profileBody({ epic_encryption_key_type: 'hunter2-secret-value' })).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('(sensitive)');
    expect(error.message).not.toContain('hunter2');
    expect(JSON.stringify(error)).not.toContain('hunter2');
  });

  it('recognises an HTML page answered with 200 (a login or proxy page)', async () => {
    sim.addFault({ action: { type: 'raw', status: 200, contentType: 'text/html', text: '<html><title>Sign in</title></html>' } });
    await expect(client.list(policy)).rejects.toThrow(new PexipProtocolError('received an HTML page (HTTP 200, "Sign in") instead of JSON: a reverse proxy or login page is answering. Check PEXIP_ADDRESS points at the Management Node.', { kind: 'policy profile', method: 'GET', path: '/api/admin/configuration/v1/policy_server/' }).message);
  });

  it('recognises malformed JSON and a list without the Tastypie envelope', async () => {
    sim.addFault({ action: { type: 'raw', status: 200, contentType: 'application/json', text: '{"meta": ' } });
    await expect(client.list(policy)).rejects.toThrow(/is not valid JSON/);
    sim.addFault({ action: { type: 'raw', status: 200, contentType: 'application/json', text: '[]' } });
    await expect(client.list(policy)).rejects.toThrow(/not a Tastypie list/);
  });

  it('treats a redirect to the login page as an authentication failure', async () => {
    sim.addFault({ action: { type: 'status', status: 302, headers: { Location: '/admin/accounts/login/?next=/api/admin/' } } });
    await expect(client.list(policy)).rejects.toBeInstanceOf(PexipAuthError);
  });

  it('reports any other redirect as a wrong address', async () => {
    sim.addFault({ action: { type: 'status', status: 301, headers: { Location: 'https://elsewhere.example.org/' } } });
    await expect(client.list(policy)).rejects.toThrow(/unexpected redirect \(HTTP 301\) to https:\/\/elsewhere\.example\.org\/; PEXIP_ADDRESS should be/);
  });

  it('fails once, clearly, on wrong credentials', async () => {
    client = clientFor(sim, {}, { PEXIP_PASSWORD: 'wrong' });
    const error = await client.list(policy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PexipAuthError);
    expect((error as Error).message).toMatch(/authentication failed \(401\): check PEXIP_USERNAME and PEXIP_PASSWORD/);
    expect(sim.requests).toHaveLength(1);
  });

  it('reports a connection refused after retrying', async () => {
    await sim.stop();
    const error = await client.list(policy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PexipConnectionError);
    expect((error as Error).message).toMatch(/connection refused: is PEXIP_ADDRESS right and the Management Node up\?/);
  });
});

describe('OAuth2 client credentials', () => {
  function oauthSetup(tokenLifetimeSeconds = 3600) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return {
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      env: { PEXIP_USERNAME: '', PEXIP_PASSWORD: '', PEXIP_OAUTH2_CLIENT_ID: 'cdktf', PEXIP_OAUTH2_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
      tokenLifetimeSeconds,
    };
  }

  async function oauthClient(setup: ReturnType<typeof oauthSetup>): Promise<PexipClient> {
    await sim.stop();
    sim = await startSimulator({ oauthClients: { cdktf: setup.publicPem }, disableBasic: true, tokenLifetimeSeconds: setup.tokenLifetimeSeconds });
    return new PexipClient({ connection: connectionFromEnv({ ...simulatorEnv(sim), ...setup.env }), sleep: async () => {} });
  }

  it('gets one token and reuses it across requests', async () => {
    client = await oauthClient(oauthSetup());
    await client.list(policy);
    await client.list(profile);
    expect(sim.requests.map((r) => r.path)).toEqual(['/oauth/token/', '/api/admin/configuration/v1/policy_server/', '/api/admin/configuration/v1/telehealth_profile/']);
  });

  it('refreshes the token once after a 401 mid-run and carries on', async () => {
    client = await oauthClient(oauthSetup());
    await client.list(policy);
    sim.expireTokens();
    await client.create(policy, { name: 'after expiry' });
    expect(sim.requests.map((r) => `${r.method} ${r.path} ${String(r.status)}`)).toEqual([
      'POST /oauth/token/ 200',
      'GET /api/admin/configuration/v1/policy_server/ 200',
      'POST /api/admin/configuration/v1/policy_server/ 401',
      'POST /oauth/token/ 200',
      'POST /api/admin/configuration/v1/policy_server/ 201',
    ]);
  });

  it('renews a short-lived token before it expires instead of waiting for a 401', async () => {
    client = await oauthClient(oauthSetup(2));
    await client.list(policy);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await client.list(policy);
    expect(sim.requests.filter((r) => r.status === 401)).toHaveLength(0);
    expect(sim.requests.filter((r) => r.path === '/oauth/token/')).toHaveLength(2);
  });

  it('reports a client the server does not know as an authentication error', async () => {
    const setup = oauthSetup();
    client = await oauthClient({ ...setup, env: { ...setup.env, PEXIP_OAUTH2_CLIENT_ID: 'someone-else' } });
    await expect(client.list(policy)).rejects.toThrow(/the OAuth2 token request was refused \(invalid_client\)/);
  });
});
