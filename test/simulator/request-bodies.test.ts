import { generateKeyPairSync } from 'node:crypto';
import type { PexipSimulator } from '../../src/simulator/server';
import { PASSWORD, raw, startSimulator, USER } from '../helpers/simulator';
import { basicAuth, sendUnfinished } from '../helpers/wire';

/**
 * Request bodies on the management API: credentials are checked before a body is read (an unauthenticated client
 * cannot make the simulator buffer anything), and sizes are capped before reading and while streaming.
 */
const POLICIES = '/api/admin/configuration/v1/policy_server/';
const MiB = 1024 * 1024;
let sim: PexipSimulator;

afterEach(() => sim.stop());

function port(): number {
  return Number(new URL(sim.url).port);
}

function head(lines: string[]): string {
  return `${['POST ' + POLICIES + ' HTTP/1.1', 'Host: 127.0.0.1', 'Content-Type: application/json', ...lines].join('\r\n')}\r\n\r\n`;
}

describe('authentication before the body', () => {
  beforeEach(async () => {
    sim = await startSimulator();
  });

  it('answers 401 to a 60 MB POST without credentials while the body is still arriving, and closes the connection', async () => {
    // The client keeps writing until the answer comes: a server that read the body before checking credentials
    // would answer only after 60 MB, and one that buffered it would hold 60 MB.
    const exchange = await sendUnfinished(port(), head([`Content-Length: ${60 * MiB}`]), { chunk: Buffer.alloc(64 * 1024, 0x20) });
    expect(exchange.status).toBe(401);
    expect(exchange.head).toMatch(/\r\nwww-authenticate: Basic realm=/i);
    expect(exchange.head).toMatch(/\r\nconnection: close/i);
    expect(exchange.bodyBytesWritten).toBeLessThan(8 * MiB);
    await exchange.closed;
    expect(sim.requests.map((r) => [r.method, r.status])).toEqual([['POST', 401]]);
  });

  it('answers 401 to a chunked body that never ends', async () => {
    const chunk = Buffer.from(`4000\r\n${' '.repeat(0x4000)}\r\n`);
    const exchange = await sendUnfinished(port(), head(['Transfer-Encoding: chunked', `Authorization: ${basicAuth(USER, 'wrong')}`]), { chunk });
    expect(exchange.status).toBe(401);
    await exchange.closed;
  });

  it('answers 401 to a client waiting for 100 Continue, which then never sends its body', async () => {
    const exchange = await sendUnfinished(port(), head(['Content-Length: 1000000', 'Expect: 100-continue']));
    expect(exchange.status).toBe(401);
    expect(exchange.bodyBytesWritten).toBe(0);
  });

  it('tells an authenticated client waiting for 100 Continue to go on, then handles its body', async () => {
    const body = JSON.stringify({ name: 'after continue' });
    const exchange = await sendUnfinished(port(), head([`Content-Length: ${Buffer.byteLength(body)}`, 'Expect: 100-continue', `Authorization: ${basicAuth(USER, PASSWORD)}`]));
    expect(exchange.status).toBe(100);
    const created = new Promise<string>((resolve) => {
      let text = '';
      exchange.socket.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('\r\n\r\n')) resolve(text);
      });
    });
    exchange.socket.write(body);
    expect(await created).toMatch(/^HTTP\/1\.1 201 Created\r\n/);
    exchange.socket.destroy();
  });

  it('still gives a real client (fetch) the 401 for a large unauthenticated body', async () => {
    const answer = await raw(sim, 'POST', POLICIES, { auth: null, body: Buffer.alloc(20 * MiB, 0x20), headers: { 'Content-Type': 'application/json' } });
    expect(answer.status).toBe(401);
  });
});

describe('size caps', () => {
  beforeEach(async () => {
    sim = await startSimulator({ maxBodyBytes: MiB });
  });

  it('refuses a declared length over the limit with 413 at once, before any of the body is sent', async () => {
    const exchange = await sendUnfinished(port(), head([`Content-Length: ${2 * MiB}`, `Authorization: ${basicAuth(USER, PASSWORD)}`]));
    expect(exchange.status).toBe(413);
    expect(JSON.parse(exchange.body)).toEqual({ error: 'Request body larger than 1048576 bytes.' });
    expect(exchange.bodyBytesWritten).toBe(0);
    await exchange.closed;
  });

  it('refuses a chunked body once it grows past the limit, and goes on serving', async () => {
    const chunk = Buffer.from(`10000\r\n${' '.repeat(0x10000)}\r\n`);
    const exchange = await sendUnfinished(port(), head(['Transfer-Encoding: chunked', `Authorization: ${basicAuth(USER, PASSWORD)}`]), { chunk });
    expect(exchange.status).toBe(413);
    expect(exchange.bodyBytesWritten).toBeGreaterThan(MiB);
    expect(exchange.bodyBytesWritten).toBeLessThan(4 * MiB);
    await exchange.closed;
    expect((await raw(sim, 'POST', POLICIES, { json: { name: 'fits' } })).status).toBe(201);
    expect(sim.requests.map((r) => r.status)).toEqual([413, 201]);
  });

  it('takes at most 64 KiB on the token endpoint, which cannot authenticate first', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await sim.stop();
    sim = await startSimulator({ oauthClients: { c: publicKey.export({ type: 'spki', format: 'pem' }).toString() } });
    const exchange = await sendUnfinished(port(), `POST /oauth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${65 * 1024}\r\n\r\n`);
    expect(exchange.status).toBe(413);
    expect(JSON.parse(exchange.body)).toEqual({ error: 'Request body larger than 65536 bytes.' });
  });
});
