import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { PexipSimulator } from '../../src/simulator/server';
import { raw, startSimulator } from '../helpers/simulator';

const CONFIG = '/api/admin/configuration/v1';
let sim: PexipSimulator;

beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(() => sim.stop());

async function seedPolicies(count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    const answer = await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: `Policy ${String(i).padStart(2, '0')}` } });
    expect(answer.status).toBe(201);
  }
}

type Envelope = { meta: { limit: number; next: string | null; previous: string | null; offset: number; total_count: number }; objects: { name: string }[] };

describe('Tastypie pagination', () => {
  it('pages by 20 by default with server-relative next links until the end', async () => {
    await seedPolicies(45);
    const first = (await raw(sim, 'GET', `${CONFIG}/policy_server/`)).json as Envelope;
    expect(first.meta).toEqual({ limit: 20, next: `${CONFIG}/policy_server/?limit=20&offset=20`, offset: 0, previous: null, total_count: 45 });
    expect(first.objects).toHaveLength(20);
    const second = (await raw(sim, 'GET', first.meta.next!)).json as Envelope;
    expect(second.meta.previous).toBe(`${CONFIG}/policy_server/?limit=20&offset=0`);
    const third = (await raw(sim, 'GET', second.meta.next!)).json as Envelope;
    expect(third.objects.map((o) => o.name)).toEqual(['Policy 41', 'Policy 42', 'Policy 43', 'Policy 44', 'Policy 45']);
    expect(third.meta.next).toBeNull();
  });

  it('keeps filters in the next link and treats limit=0 as "all"', async () => {
    await seedPolicies(25);
    const filtered = (await raw(sim, 'GET', `${CONFIG}/policy_server/?name__startswith=Policy%201&limit=5`)).json as Envelope;
    expect(filtered.meta.total_count).toBe(10);
    expect(filtered.meta.next).toBe(`${CONFIG}/policy_server/?name__startswith=Policy+1&limit=5&offset=5`);
    expect(((await raw(sim, 'GET', `${CONFIG}/policy_server/?limit=0`)).json as Envelope).objects).toHaveLength(25);
  });

  it('refuses a negative or non-numeric limit', async () => {
    const answer = await raw(sim, 'GET', `${CONFIG}/policy_server/?limit=-1`);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: "Invalid limit '-1' provided. Please provide a positive integer." });
  });
});

describe('filters and ordering', () => {
  beforeEach(() => seedPolicies(3));

  it('filters by exact name and by the usual lookups', async () => {
    const names = async (query: string) => ((await raw(sim, 'GET', `${CONFIG}/policy_server/?${query}`)).json as Envelope).objects.map((o) => o.name);
    expect(await names('name=Policy%2002')).toEqual(['Policy 02']);
    expect(await names('name__istartswith=policy')).toHaveLength(3);
    expect(await names('name__in=Policy%2001,Policy%2003')).toEqual(['Policy 01', 'Policy 03']);
    expect(await names('id__gt=2')).toEqual(['Policy 03']);
    expect(await names('order_by=-name')).toEqual(['Policy 03', 'Policy 02', 'Policy 01']);
  });

  it('refuses unknown filter fields and ordering fields', async () => {
    expect((await raw(sim, 'GET', `${CONFIG}/policy_server/?colour=red`)).json).toEqual({ error: "The 'colour' field does not allow filtering." });
    expect((await raw(sim, 'GET', `${CONFIG}/policy_server/?order_by=colour`)).json).toEqual({ error: "No matching 'colour' field for ordering on." });
  });
});

describe('bulk list operations', () => {
  it('PATCH on a list creates objects without resource_uri and deletes deleted_objects (202)', async () => {
    await seedPolicies(2);
    const answer = await raw(sim, 'PATCH', `${CONFIG}/policy_server/`, {
      json: { objects: [{ name: 'Bulk new' }, { resource_uri: `${CONFIG}/policy_server/1/`, description: 'bulk edit' }], deleted_objects: [`${CONFIG}/policy_server/2/`] },
    });
    expect(answer.status).toBe(202);
    const list = (await raw(sim, 'GET', `${CONFIG}/policy_server/`)).json as { objects: { name: string; description: string }[] };
    expect(list.objects.map((o) => [o.name, o.description])).toEqual([
      ['Policy 01', 'bulk edit'],
      ['Bulk new', ''],
    ]);
  });

  it('DELETE on a list deletes every object except built-ins', async () => {
    await seedPolicies(3);
    expect((await raw(sim, 'DELETE', `${CONFIG}/policy_server/`)).status).toBe(204);
    expect(((await raw(sim, 'GET', `${CONFIG}/policy_server/`)).json as Envelope).meta.total_count).toBe(0);
    expect((await raw(sim, 'DELETE', `${CONFIG}/ivr_theme/`)).status).toBe(204);
    expect(((await raw(sim, 'GET', `${CONFIG}/ivr_theme/`)).json as Envelope).meta.total_count).toBe(4);
  });
});

describe('status and history APIs', () => {
  const STATUS = '/api/admin/status/v1';
  const HISTORY = '/api/admin/history/v1';

  beforeEach(() => {
    sim.addAppointments([
      { patientName: 'Beverley P Spinder', profileName: 'Healthcare Org', appointmentId: '6ea6d1427f684721abd21c1634386f7b6', department: 'Radiology', start: '2026-11-25T09:00:00Z' },
      { patientName: 'Kai Oosman Picardo', profileName: 'Healthcare Org', appointmentId: '5ec8f1667f531781afe19c1774322f7b8', start: '2026-11-25T08:00:00Z', end: '2026-11-25T08:20:00Z' },
    ]);
  });

  it('names each active appointment exactly in Epic\'s format, with provider and patient participants', async () => {
    const conferences = (await raw(sim, 'GET', `${STATUS}/conference/`)).json as { objects: Record<string, unknown>[] };
    expect(conferences.objects).toHaveLength(1);
    expect(conferences.objects[0]).toMatchObject({
      name: 'Appointment for Beverley P Spinder Healthcare Org:6ea6d1427f684721abd21c1634386f7b6 in Radiology',
      service_type: 'conference',
      start_time: '2026-11-25T09:00:00.000000',
    });
    const participants = (await raw(sim, 'GET', `${STATUS}/participant/?conference=${encodeURIComponent(String(conferences.objects[0].name))}`)).json as { objects: Record<string, unknown>[] };
    expect(participants.objects.map((p) => [p.display_name, p.role])).toEqual([
      ['Healthcare Org', 'chair'],
      ['Beverley P Spinder', 'guest'],
    ]);
  });

  it('keeps ended appointments in history, without department when unknown, participants pointing at the conference URI', async () => {
    const conferences = (await raw(sim, 'GET', `${HISTORY}/conference/?start_time__gte=2026-11-25T00:00:00`)).json as { objects: Record<string, unknown>[] };
    expect(conferences.objects).toHaveLength(1);
    const conference = conferences.objects[0];
    expect(conference).toMatchObject({ name: 'Appointment for Kai Oosman Picardo Healthcare Org:5ec8f1667f531781afe19c1774322f7b8', duration: 1200, participant_count: 2 });
    const participants = (await raw(sim, 'GET', `${HISTORY}/participant/?conference=${encodeURIComponent(String(conference.resource_uri))}`)).json as { objects: Record<string, unknown>[] };
    expect(participants.objects).toHaveLength(2);
    expect(participants.objects[0]).toMatchObject({ conference_name: conference.name, conference: conference.resource_uri });
  });

  it('moves an appointment to history when the command API disconnects it', async () => {
    const [active] = ((await raw(sim, 'GET', `${STATUS}/conference/`)).json as { objects: { id: string }[] }).objects;
    const answer = await raw(sim, 'POST', '/api/admin/command/v1/conference/disconnect/', { json: { conference_id: active.id } });
    expect(answer).toMatchObject({ status: 202, json: { status: 'success', data: null } });
    expect(((await raw(sim, 'GET', `${STATUS}/conference/`)).json as Envelope).meta.total_count).toBe(0);
    expect(((await raw(sim, 'GET', `${HISTORY}/conference/`)).json as Envelope).meta.total_count).toBe(2);
    const again = await raw(sim, 'POST', '/api/admin/command/v1/conference/disconnect/', { json: { conference_id: active.id } });
    expect(again.json).toEqual({ conference_disconnect: { conference_id: ['Failed to find conference.'] } });
  });

  it('is read-only except deleting a history conference', async () => {
    expect((await raw(sim, 'POST', `${STATUS}/conference/`, { json: {} })).status).toBe(405);
    const [ended] = ((await raw(sim, 'GET', `${HISTORY}/conference/`)).json as { objects: { resource_uri: string }[] }).objects;
    expect((await raw(sim, 'DELETE', ended.resource_uri)).status).toBe(204);
  });

  it('generates a realistic day with hundreds of appointments, paged by 20', async () => {
    const added = sim.addRealisticDay({ count: 300, profileNames: ['Healthcare Org', 'Org'], now: new Date('2026-11-25T15:00:00Z') });
    expect(added.active + added.ended).toBe(300);
    expect(added.active).toBeGreaterThan(0);
    expect(added.ended).toBeGreaterThan(200);
    const page = (await raw(sim, 'GET', `${HISTORY}/conference/`)).json as Envelope;
    expect(page.objects).toHaveLength(20);
    expect(page.meta.total_count).toBe(added.ended + 1);
  });
});

describe('OAuth2', () => {
  function client() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  }

  function assertion(key: ReturnType<typeof client>['privateKey'], clientId: string, aud: string, expOffset = 300): string {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64({ iss: clientId, sub: clientId, aud, iat: now, exp: now + expOffset, jti: randomBytes(18).toString('hex') })}`;
    return `${unsigned}.${sign('sha256', Buffer.from(unsigned), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  }

  it('issues a bearer token for a valid ES256 client assertion and accepts it until it expires', async () => {
    const c = client();
    await sim.stop();
    sim = await startSimulator({ oauthClients: { 'client-1': c.publicPem }, disableBasic: true });
    const tokenUrl = `${sim.url}/oauth/token/`;
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion(c.privateKey, 'client-1', tokenUrl) });
    const answer = await raw(sim, 'POST', '/oauth/token/', { body: form.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, auth: null });
    expect(answer.status).toBe(200);
    const token = answer.json as { access_token: string; token_type: string; expires_in: number };
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect((await raw(sim, 'GET', `${CONFIG}/ivr_theme/`, { auth: `Bearer ${token.access_token}` })).status).toBe(200);
    expect((await raw(sim, 'GET', `${CONFIG}/ivr_theme/`)).status).toBe(401); // Basic disabled
    sim.expireTokens();
    expect((await raw(sim, 'GET', `${CONFIG}/ivr_theme/`, { auth: `Bearer ${token.access_token}` })).status).toBe(401);
  });

  it('refuses an assertion signed by another key, for another audience, or replayed', async () => {
    const good = client();
    const other = client();
    await sim.stop();
    sim = await startSimulator({ oauthClients: { 'client-1': good.publicPem } });
    const tokenUrl = `${sim.url}/oauth/token/`;
    const request = (jwt: string) =>
      raw(sim, 'POST', '/oauth/token/', {
        body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: jwt }).toString(),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        auth: null,
      });
    expect((await request(assertion(other.privateKey, 'client-1', tokenUrl))).json).toMatchObject({ error: 'invalid_client' });
    expect((await request(assertion(good.privateKey, 'client-1', 'https://elsewhere/oauth/token/'))).status).toBe(401);
    const once = assertion(good.privateKey, 'client-1', tokenUrl);
    expect((await request(once)).status).toBe(200);
    expect((await request(once)).status).toBe(401);
  });
});

describe('fault injection and control endpoints', () => {
  // Control requests with a body must say they are JSON (a browser's cross-site "simple" POST cannot).
  const JSON_TYPE = { 'Content-Type': 'application/json' };

  it('answers the next N matching requests with the injected status and Retry-After, then recovers', async () => {
    await fetch(`${sim.url}/_simulator/faults`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ match: { method: 'GET', path: '/ivr_theme/' }, action: { type: 'status', status: 429, retryAfterSeconds: 2 }, times: 2 }) });
    const first = await raw(sim, 'GET', `${CONFIG}/ivr_theme/`);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('2');
    expect((await raw(sim, 'GET', `${CONFIG}/ivr_theme/`)).status).toBe(429);
    expect((await raw(sim, 'GET', `${CONFIG}/ivr_theme/`)).status).toBe(200);
    expect((await raw(sim, 'GET', `${CONFIG}/policy_server/`)).status).toBe(200);
  });

  it('serves an HTML error page like a reverse proxy', async () => {
    sim.addFault({ action: { type: 'html', status: 502 } });
    const answer = await raw(sim, 'GET', `${CONFIG}/ivr_theme/`);
    expect(answer.status).toBe(502);
    expect(answer.headers.get('content-type')).toBe('text/html');
    expect(answer.text).toContain('<title>502 Bad Gateway</title>');
  });

  it('resets the connection after committing a POST', async () => {
    sim.addFault({ match: { method: 'POST' }, action: { type: 'reset-after' } });
    await expect(raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'committed' } })).rejects.toThrow();
    const list = (await raw(sim, 'GET', `${CONFIG}/policy_server/`)).json as Envelope;
    expect(list.objects.map((o) => o.name)).toEqual(['committed']);
    expect(sim.requests.map((r) => [r.method, r.status])).toEqual([
      ['POST', 'reset'],
      ['GET', 200],
    ]);
  });

  it('resets the connection before handling a request, committing nothing', async () => {
    sim.addFault({ match: { method: 'POST' }, action: { type: 'reset-before' } });
    await expect(raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'lost' } })).rejects.toThrow();
    expect(((await raw(sim, 'GET', `${CONFIG}/policy_server/`)).json as Envelope).meta.total_count).toBe(0);
  });

  it('applies a fault to a fraction of requests, deterministically', async () => {
    sim.addFault({ action: { type: 'status', status: 503 }, probability: 0.5 });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await raw(sim, 'GET', `${CONFIG}/ivr_theme/`)).status);
    const failed = statuses.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(8);
    expect(failed).toBeLessThan(32);
  });

  it('holds a request until released, then handles it', async () => {
    sim.addFault({ match: { method: 'POST' }, action: { type: 'hold' } });
    const pending = raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'held' } });
    while (sim.heldCount === 0) await new Promise((r) => setTimeout(r, 10));
    expect(((await raw(sim, 'GET', `${CONFIG}/policy_server/`)).json as Envelope).meta.total_count).toBe(0);
    await fetch(`${sim.url}/_simulator/release`, { method: 'POST' });
    expect((await pending).status).toBe(201);
    expect(sim.heldCount).toBe(0);
  });

  it('refuses an invalid fault description with 400', async () => {
    const answer = await fetch(`${sim.url}/_simulator/faults`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ action: { type: 'explode' } }) });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ error: 'fault action.type must be one of status, html, raw, delay, hold, reset-before, reset-after' });
  });

  it('exports and imports state over HTTP, and logs requests but not control calls', async () => {
    await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'kept' } });
    const state = await (await fetch(`${sim.url}/_simulator/state`)).json();
    await fetch(`${sim.url}/_simulator/reset`, { method: 'POST' });
    expect(((await raw(sim, 'GET', `${CONFIG}/policy_server/`)).json as Envelope).meta.total_count).toBe(0);
    await fetch(`${sim.url}/_simulator/state`, { method: 'PUT', headers: JSON_TYPE, body: JSON.stringify(state) });
    expect(((await raw(sim, 'GET', `${CONFIG}/policy_server/`)).json as Envelope).objects[0].name).toBe('kept');
    const log = (await (await fetch(`${sim.url}/_simulator/requests`)).json()) as { requests: { method: string; resource: string }[] };
    expect(log.requests.map((r) => `${r.method} ${r.resource}`)).toEqual(['GET policy_server', 'GET policy_server']);
  });
});
