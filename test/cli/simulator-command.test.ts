import { runCli, startCli } from '../helpers/cli';

describe('pexip-cdktf simulator', () => {
  it('prints its address, serves the management API with the given credentials, and stops cleanly on SIGTERM', async () => {
    const { child, match } = await startCli(['simulator', '--port', '0', '--username', 'ops', '--password', 'pw-cli-1'], /listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
    const url = match[1];
    const denied = await fetch(`${url}/api/admin/configuration/v1/telehealth_profile/`);
    expect(denied.status).toBe(401);
    const allowed = await fetch(`${url}/api/admin/configuration/v1/telehealth_profile/`, { headers: { Authorization: `Basic ${Buffer.from('ops:pw-cli-1').toString('base64')}` } });
    expect(allowed.status).toBe(200);
    const exited = new Promise((resolve) => child.on('close', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('seeds a realistic day of appointments when asked', async () => {
    const { child, match } = await startCli(['simulator', '--appointments', '120', '--json'], /\{"url":"(http:[^"]+)"\}\n/);
    const answer = await fetch(`${match[1]}/api/admin/history/v1/conference/?limit=1`, { headers: { Authorization: `Basic ${Buffer.from('admin:pexip-simulator').toString('base64')}` } });
    const body = (await answer.json()) as { meta: { total_count: number } };
    child.kill('SIGTERM');
    expect(body.meta.total_count).toBeGreaterThan(0);
  });

  it.each([
    [['simulator', '--port', 'eighty'], 'error: --port must be a number (got "eighty").'],
    [['simulator', '--port', '70000'], 'error: --port must be 0-65535.'],
    [['simulator', '--colour', 'red'], 'error: unknown option --colour; see --help.'],
    [['simulator', '--tls-cert', 'a.pem'], 'error: --tls-cert and --tls-key go together.'],
    [['simulator', '--secret-read-mode', 'plain'], 'error: --secret-read-mode must be encrypted, blank or omit.'],
    [['frobnicate'], 'error: unknown command "frobnicate".'],
  ])('refuses %j with one clear line and exit code 1', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('shows generated help', async () => {
    const result = await runCli(['simulator', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: pexip-cdktf simulator [options]');
    expect(result.stdout).toMatch(/--secret-read-mode encrypted\|blank\|omit\s+How secret fields read back/);
  });
});
