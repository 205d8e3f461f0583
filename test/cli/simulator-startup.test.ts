import { writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { runCli, startCli } from '../helpers/cli';

/** `pexip-cdktf simulator` start-up: exposure warnings, and one clear line for every way start-up can fail. */
const TMP = process.env.PEXIP_CDKTF_TEST_TMP ?? '/tmp';

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('pexip-cdktf simulator start-up', () => {
  it('warns on stderr when bound to every interface, and keeps the controls loopback-only', async () => {
    const { child, match, output } = await startCli(['simulator', '--host', '0.0.0.0'], /listening on (http:\/\/127\.0\.0\.1:(\d+))\n/);
    try {
      await eventually(() => output().includes('warning:'), 'the warning');
      expect(output()).toContain(
        `warning: listening on 0.0.0.0 port ${match[2]}: the management API is reachable from the network, protected only by its credentials sent in clear over plain HTTP; the /_simulator/ controls are not reachable from the network (they answer loopback clients only).`,
      );
      expect((await fetch(`${match[1]}/_simulator/faults`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('does not warn on the default loopback bind', async () => {
    const { child, output } = await startCli(['simulator'], /listening on http:\/\/127\.0\.0\.1:\d+\n/);
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    expect(output()).not.toContain('warning');
  });

  it('refuses a --state file that is not JSON, or not a state, in one line', async () => {
    const notJson = join(TMP, 'state-not-json.json');
    const notState = join(TMP, 'state-wrong-shape.json');
    writeFileSync(notJson, '{"config": ');
    writeFileSync(notState, JSON.stringify({ config: { telehealth_profile: {} }, counters: {} }));
    const first = await runCli(['simulator', '--state', notJson]);
    expect(first.code).toBe(1);
    expect(first.stderr).toBe(`error: --state ${notJson} is not JSON (Unexpected end of JSON input).\n`);
    const second = await runCli(['simulator', '--state', notState]);
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(`error: --state ${notState}: state.config.telehealth_profile must be an array of objects (got an object).\n`);
  });

  it('delays reads and writes as --read-latency-ms and --write-latency-ms say', async () => {
    const { child, match } = await startCli(['simulator', '--read-latency-ms', '250', '--write-latency-ms', '400'], /listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
    try {
      const auth = { Authorization: `Basic ${Buffer.from('admin:pexip-simulator').toString('base64')}` };
      let started = performance.now();
      expect((await fetch(`${match[1]}/api/admin/configuration/v1/policy_server/`, { headers: auth })).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(245);
      started = performance.now();
      const created = await fetch(`${match[1]}/api/admin/configuration/v1/policy_server/`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"name": "slow"}' });
      expect(created.status).toBe(201);
      expect(performance.now() - started).toBeGreaterThanOrEqual(395);
      started = performance.now();
      expect((await fetch(`${match[1]}/_simulator/requests`)).status).toBe(200);
      expect(performance.now() - started).toBeLessThan(200);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it.each([
    [['--read-latency-ms', '1.5'], 'error: --read-latency-ms must be an integer from 0 to 60000 (got 1.5).'],
    [['--write-latency-ms', '60001'], 'error: --write-latency-ms must be an integer from 0 to 60000 (got 60001).'],
    [['--latency-jitter-ms=-3'], 'error: --latency-jitter-ms must be an integer from 0 to 60000 (got -3).'],
    [['--latency-jitter-ms', 'lots'], 'error: --latency-jitter-ms must be a number (got "lots").'],
    [['--appointments', '0'], 'error: --appointments must be an integer from 1 to 100000.'],
  ])('refuses %j in one line', async (args, message) => {
    const result = await runCli(['simulator', ...args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${message}\n`);
  });

  it('says in one line that the port is busy, with exit code 1', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const result = await runCli(['simulator', '--port', String(port)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`error: port ${port} is already in use; choose another --port or 0 for a free one.\n`);
    } finally {
      busy.close();
    }
  });

  it('says in one line when --host is not an address of this machine', async () => {
    const result = await runCli(['simulator', '--host', '203.0.113.7']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: --host 203.0.113.7 is not an address of this machine.\n');
  });

  it('says in one line when the TLS certificate, its key or an OAuth2 client key is not usable', async () => {
    const garbage = join(TMP, 'not-a-pem.pem');
    writeFileSync(garbage, 'not a pem\n');
    const tls = await runCli(['simulator', '--tls-cert', garbage, '--tls-key', garbage]);
    expect(tls.code).toBe(1);
    expect(tls.stderr).toBe(`error: --tls-cert ${garbage} and --tls-key ${garbage} are not a usable PEM certificate and private key (PEM routines::no start line).\n`);
    const missing = await runCli(['simulator', '--tls-cert', join(TMP, 'absent.pem'), '--tls-key', garbage]);
    expect(missing.stderr).toBe(`error: --tls-cert: cannot read ${join(TMP, 'absent.pem')} (ENOENT).\n`);
    const oauth = await runCli(['simulator', '--oauth-client', `client-1=${garbage}`]);
    expect(oauth.code).toBe(1);
    expect(oauth.stderr).toBe(`error: --oauth-client client-1: ${garbage} is not a PEM public key.\n`);
  });
});
