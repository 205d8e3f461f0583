import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PexipSimulator } from '../../src/simulator/server';
import { runCli } from '../helpers/cli';
import { startSimulator, USER, PASSWORD } from '../helpers/simulator';
import { tempDir } from '../helpers/terraform';

/** TLS with a private CA: trusted through PEXIP_CA_FILE; refused clearly otherwise; insecure only when asked, loudly. */
let dir: string;
let sim: PexipSimulator;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`);
}

beforeAll(async () => {
  dir = tempDir('pexip-tls-');
  makeCa('hospital-ca');
  makeCa('other-ca');
  writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=manager.example.org', '-keyout', 'server.key', '-out', 'server.csr');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'hospital-ca.pem', '-CAkey', 'hospital-ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.cnf', '-out', 'server.pem');
  sim = await startSimulator({ tls: { cert: readFileSync(join(dir, 'server.pem')), key: readFileSync(join(dir, 'server.key')) } });
});
afterAll(() => sim.stop());

const env = (extra: NodeJS.ProcessEnv) => ({ PEXIP_ADDRESS: sim.url, PEXIP_USERNAME: USER, PEXIP_PASSWORD: PASSWORD, PEXIP_MAX_ATTEMPTS: '1', ...extra });

describe('TLS', () => {
  it('serves HTTPS', () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('trusts the Management Node through PEXIP_CA_FILE', async () => {
    const result = await runCli(['appointments'], env({ PEXIP_CA_FILE: join(dir, 'hospital-ca.pem') }));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Active telehealth appointments at ${sim.url}: 0`);
  });

  it.each([
    ['no CA file', undefined],
    ['the wrong CA', 'other-ca.pem'],
  ])('refuses the certificate with %s, saying what to do; no request gets through', async (_what, caFile) => {
    const before = sim.requests.length;
    const result = await runCli(['appointments'], env(caFile ? { PEXIP_CA_FILE: join(dir, caFile) } : {}));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .*: the Management Node's TLS certificate is not trusted \([A-Z_]+\)\. If it is signed by a private CA, set PEXIP_CA_FILE to that CA's PEM bundle\.\n$/);
    expect(sim.requests.length).toBe(before);
  });

  it('skips verification only when explicitly asked, and says so loudly', async () => {
    const result = await runCli(['appointments'], env({ PEXIP_INSECURE_SKIP_TLS_VERIFY: '1' }));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: INSECURE: TLS certificate verification is OFF (PEXIP_INSECURE_SKIP_TLS_VERIFY=1); anyone on the path can read credentials and secrets.');
  });

  it('says so at every log level, once, even when the log is turned down to errors only', async () => {
    const result = await runCli(['appointments'], env({ PEXIP_INSECURE_SKIP_TLS_VERIFY: '1', PEXIP_CDKTF_LOG: 'error' }));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('warning: INSECURE: TLS certificate verification is OFF (PEXIP_INSECURE_SKIP_TLS_VERIFY=1); anyone on the path can read credentials and secrets.\n');
  });
});
