import { isLoopbackAddress, isLoopbackBind, isLoopbackHost } from '../../src/simulator/control-guard';
import type { PexipSimulator } from '../../src/simulator/server';
import { PASSWORD, raw, startSimulator, USER } from '../helpers/simulator';
import { basicAuth, externalIPv4, httpRequest, sendUnfinished } from '../helpers/wire';

/**
 * The `/_simulator/` controls are unauthenticated and can export secrets in clear: they answer loopback peers only
 * (whatever the bind address), addressed by a loopback Host, with JSON bodies of bounded size.
 */
const CONFIG = '/api/admin/configuration/v1';
const JSON_TYPE = { 'Content-Type': 'application/json' };
let sim: PexipSimulator;

afterEach(() => sim?.stop());

function port(s: PexipSimulator): number {
  return Number(new URL(s.url).port);
}

describe('who is a loopback client (the decision functions)', () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1'])('%s is loopback', (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each(['192.0.2.2', '::ffff:192.0.2.2', 'fd00::2', '0.0.0.0', '::', '', undefined])('%s is not loopback', (address) => {
    expect(isLoopbackAddress(address)).toBe(false);
  });

  it.each(['localhost', 'LOCALHOST:8080', '127.0.0.1:43121', '[::1]:80', '127.0.0.2'])('Host %s is a loopback name', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['evil.example:8080', '127.0.0.1.nip.io', 'localhost.evil.example', '0.0.0.0:80', '[fd00::2]:80', '192.0.2.2', '', undefined])('Host %s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  it('treats only loopback listen addresses as private', () => {
    expect(['127.0.0.1', 'localhost', '::1'].map(isLoopbackBind)).toEqual([true, true, true]);
    expect(['0.0.0.0', '::', '192.0.2.2'].map(isLoopbackBind)).toEqual([false, false, false]);
  });
});

describe('bound to every interface (0.0.0.0)', () => {
  const external = externalIPv4();
  let warnings: string[];

  beforeEach(async () => {
    warnings = [];
    sim = await startSimulator({ host: '0.0.0.0', onWarning: (message) => warnings.push(message) });
  });

  it('warns that the management API is reachable from the network and the controls are not', () => {
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^listening on 0\.0\.0\.0 port \d+: the management API is reachable from the network/);
    expect(warnings[0]).toContain('the /_simulator/ controls are not reachable from the network (they answer loopback clients only)');
    expect(sim.url).toBe(`http://127.0.0.1:${port(sim)}`);
  });

  it('still serves the controls to a loopback client', async () => {
    expect((await raw(sim, 'GET', '/_simulator/faults', { auth: null })).status).toBe(200);
  });

  if (external) {
    it(`refuses the controls to a client at ${external}, even with a loopback Host, while the management API answers it`, async () => {
      const peer = { host: external, port: port(sim) };
      await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'kept' } });
      const api = await httpRequest({ ...peer, path: `${CONFIG}/policy_server/`, headers: { Authorization: basicAuth(USER, PASSWORD) } });
      expect(api.status).toBe(200);
      const state = await httpRequest({ ...peer, path: '/_simulator/state?secrets=include', headers: { Host: `127.0.0.1:${port(sim)}` } });
      expect(state.status).toBe(403);
      expect(state.json).toEqual({ error: `The /_simulator/ controls answer loopback clients only (this request came from ${external}).` });
      const reset = await httpRequest({ ...peer, method: 'POST', path: '/_simulator/reset', headers: { Host: `127.0.0.1:${port(sim)}` } });
      expect(reset.status).toBe(403);
      const put = await httpRequest({ ...peer, method: 'PUT', path: '/_simulator/state', headers: { Host: `localhost:${port(sim)}`, ...JSON_TYPE }, body: JSON.stringify({ config: {}, counters: {} }) });
      expect(put.status).toBe(403);
      expect(((await raw(sim, 'GET', `${CONFIG}/policy_server/`)).json as { meta: { total_count: number } }).meta.total_count).toBe(1);
    });
  } else {
    it('has no non-loopback address to call from, so the peer decision is checked on the function (see above) and here', () => {
      process.stderr.write('control-plane.test: this machine has no non-internal IPv4 address; the peer check is tested through isLoopbackAddress only.\n');
      expect(isLoopbackAddress('192.0.2.2')).toBe(false);
    });
  }
});

describe('on the default loopback bind', () => {
  let warnings: string[];

  beforeEach(async () => {
    warnings = [];
    sim = await startSimulator({ onWarning: (message) => warnings.push(message) });
  });

  it('gives no warning', () => {
    expect(warnings).toEqual([]);
  });

  it('refuses a Host that is not a loopback name (DNS rebinding), or none, with 403', async () => {
    const target = { host: '127.0.0.1', port: port(sim) };
    const rebound = await httpRequest({ ...target, path: '/_simulator/state?secrets=include', headers: { Host: `attacker.example:${port(sim)}` } });
    expect(rebound.status).toBe(403);
    expect(rebound.json).toEqual({ error: `The /_simulator/ controls accept only a loopback Host (localhost, 127.0.0.1, [::1]); got "attacker.example:${port(sim)}".` });
    expect(rebound.text).not.toContain('config');
    // Node itself refuses an HTTP/1.1 request without Host; HTTP/1.0 may omit it, and gets as far as the guard.
    const none = await sendUnfinished(port(sim), 'GET /_simulator/faults HTTP/1.0\r\n\r\n');
    expect(none.status).toBe(403);
    expect(JSON.parse(none.body)).toEqual({ error: 'The /_simulator/ controls accept only a loopback Host (localhost, 127.0.0.1, [::1]); got none.' });
    expect((await httpRequest({ ...target, path: '/_simulator/faults', headers: { Host: `localhost:${port(sim)}` } })).status).toBe(200);
    expect((await httpRequest({ ...target, path: '/_simulator/faults', headers: { Host: '[::1]' } })).status).toBe(200);
  });

  it('refuses a web page of another origin', async () => {
    const target = { host: '127.0.0.1', port: port(sim), method: 'POST', path: '/_simulator/reset' };
    const page = await httpRequest({ ...target, headers: { Origin: 'https://attacker.example' } });
    expect(page.status).toBe(403);
    expect(page.json).toEqual({ error: 'The /_simulator/ controls do not answer web pages of other origins (Origin "https://attacker.example").' });
    expect((await httpRequest({ ...target, headers: { Origin: `http://localhost:${port(sim)}` } })).status).toBe(204);
  });

  it('requires Content-Type: application/json on a control request with a body', async () => {
    const fault = JSON.stringify({ action: { type: 'status', status: 503 } });
    const plain = await raw(sim, 'POST', '/_simulator/faults', { body: fault, headers: { 'Content-Type': 'text/plain' } });
    expect(plain.status).toBe(415);
    expect(plain.json).toEqual({ error: 'Control requests with a body must be sent as Content-Type: application/json (got "text/plain").' });
    const form = await raw(sim, 'POST', '/_simulator/faults', { body: new URLSearchParams({ a: '1' }) });
    expect(form.status).toBe(415);
    expect(sim.faults.list()).toHaveLength(0);
    const json = await raw(sim, 'POST', '/_simulator/faults', { body: fault, headers: { 'Content-Type': 'application/json; charset=utf-8' } });
    expect(json.status).toBe(201);
    expect(sim.faults.list()).toHaveLength(1);
    // No body, no content type needed.
    expect((await raw(sim, 'POST', '/_simulator/release')).status).toBe(204);
  });

  it('refuses a declared body over the control limit (1 MiB) at once, without reading it', async () => {
    const exchange = await sendUnfinished(
      port(sim),
      `POST /_simulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`,
    );
    expect(exchange.status).toBe(413);
    expect(JSON.parse(exchange.body)).toEqual({ error: 'Request body larger than 1048576 bytes.' });
    expect(exchange.head).toMatch(/\r\nconnection: close/i);
    await exchange.closed;
  });

  it('takes a state up to 16 MiB, but not more', async () => {
    const state = sim.exportState({ includeSecrets: true }) as { config: Record<string, { data: Record<string, unknown> }[]> };
    state.config.system_location[0].data.description = 'x'.repeat(3 * 1024 * 1024);
    const big = await raw(sim, 'PUT', '/_simulator/state', { json: state });
    expect(big.status).toBe(204);
    expect(((await raw(sim, 'GET', `${CONFIG}/system_location/1/`)).json as { description: string }).description).toHaveLength(3 * 1024 * 1024);
    const exchange = await sendUnfinished(port(sim), `PUT /_simulator/state HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${17 * 1024 * 1024}\r\n\r\n`);
    expect(exchange.status).toBe(413);
    expect(JSON.parse(exchange.body)).toEqual({ error: 'Request body larger than 16777216 bytes.' });
  });
});

describe('malformed control bodies get a 400 naming what is wrong', () => {
  beforeEach(async () => {
    sim = await startSimulator();
  });

  const post = (path: string, body?: string) => raw(sim, 'POST', path, body === undefined ? {} : { body, headers: JSON_TYPE });

  it.each([
    ['no body', undefined, 'POST /_simulator/faults needs a JSON body: a fault such as {"action": {"type": "status", "status": 503}}.'],
    ['{}', '{}', 'fault needs "action", an object such as {"type": "status", "status": 503}'],
    ['invalid JSON', '{"action": ', 'The request body is not valid JSON: Unexpected end of JSON input.'],
    ['an array', '[]', 'a fault must be a JSON object such as {"action": {"type": "status", "status": 503}}'],
    ['an unknown type', '{"action": {"type": "explode"}}', 'fault action.type must be one of status, html, raw, delay, hold, reset-before, reset-after'],
    ['a misspelt field', '{"action": {"type": "status", "status": 503}, "time": 2}', 'fault has unknown field "time" (known: match, action, times, probability)'],
    ['a status out of range', '{"action": {"type": "status", "status": 42}}', 'fault action.status must be an HTTP status (100-599)'],
    ['raw without text', '{"action": {"type": "raw", "status": 200}}', 'fault action.contentType and action.text must be strings for type raw'],
    ['a non-string method', '{"match": {"method": 5}, "action": {"type": "reset-before"}}', 'fault match.method must be a string such as "POST"'],
    ['times zero', '{"action": {"type": "hold"}, "times": 0}', 'fault times must be a positive integer'],
  ])('POST faults with %s', async (_case, body, message) => {
    const answer = await post('/_simulator/faults', body);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: message });
    expect(sim.faults.list()).toHaveLength(0);
  });

  const usage = 'expected {"appointments": [{"patientName", "profileName", "appointmentId", "start", …}]} or {"realisticDay": {"count": N}}';
  const good = { patientName: 'Beverley P Spinder', profileName: 'Healthcare Org', appointmentId: 'a1', start: '2026-11-25T09:00:00Z' };
  it.each([
    ['no body', undefined, `POST /_simulator/appointments needs a JSON body: ${usage}.`],
    ['{}', {}, `the body must have exactly one of "appointments" and "realisticDay": ${usage}.`],
    ['a string of appointments', { appointments: 'many' }, 'appointments must be an array (got "many").'],
    ['an entry without a profile', { appointments: [good, { ...good, profileName: undefined }] }, 'appointments[1].profileName must be a non-empty string (got nothing).'],
    ['a bad start time', { appointments: [{ ...good, start: 'tomorrow' }] }, 'appointments[0].start must be an ISO date-time string such as "2026-11-25T09:00:00Z" (got "tomorrow").'],
    ['an end before the start', { appointments: [{ ...good, end: '2026-11-25T08:00:00Z' }] }, 'appointments[0].end must be at or after start (got "2026-11-25T08:00:00Z").'],
    ['a misspelt field', { appointments: [{ ...good, patient_name: 'x' }] }, 'appointments[0] has unknown field "patient_name" (known: patientName, profileName, appointmentId, department, start, end, extraParticipants, conferenceName).'],
    ['a participant with a bad role', { appointments: [{ ...good, extraParticipants: [{ displayName: 'Dr B', role: 'nurse' }] }] }, 'appointments[0].extraParticipants[0].role must be "provider" or "patient" (got "nurse").'],
    ['a day of no appointments', { realisticDay: { count: 0 } }, 'realisticDay.count must be an integer from 1 to 100000 (got 0).'],
    ['a day with a bad clock', { realisticDay: { count: 3, now: 'noon' } }, 'realisticDay.now must be an ISO date-time string such as "2026-11-25T09:00:00Z" (got "noon").'],
  ])('POST appointments with %s', async (_case, body, message) => {
    const answer = await post('/_simulator/appointments', body === undefined ? undefined : JSON.stringify(body));
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: message });
    const state = sim.exportState() as { status: { conference: unknown[] }; history: { conference: unknown[] } };
    expect(state.status.conference.length + state.history.conference.length).toBe(0);
  });

  it('still adds good appointments and days', async () => {
    expect((await post('/_simulator/appointments', JSON.stringify({ appointments: [good] }))).json).toEqual({ added: 1 });
    const day = await post('/_simulator/appointments', JSON.stringify({ realisticDay: { count: 20, now: '2026-11-25T15:00:00Z' } }));
    expect(day.status).toBe(201);
    expect(day.json).toMatchObject({ active: expect.any(Number), ended: expect.any(Number) });
  });

  it('answers 404 for an unknown control, listing the known ones', async () => {
    const answer = await post('/_simulator/explode');
    expect(answer.status).toBe(404);
    expect((answer.json as { error: string }).error).toMatch(/^No control endpoint POST \/_simulator\/explode; there are: GET requests, .*POST appointments\.$/);
  });
});
