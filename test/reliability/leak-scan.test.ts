import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PexipSimulator } from '../../src/simulator/server';
import { runCli } from '../helpers/cli';
import { createProject } from '../helpers/project';
import { PASSWORD, simulatorEnv, startSimulator } from '../helpers/simulator';
import { nonprodSecrets } from '../helpers/desired';

/**
 * A full deploy / drift / appointments / destroy cycle with distinctive secrets and patient names, debug logging on
 * (ours and Terraform's): afterwards nothing on disk or in any output holds a secret, and patient names appear only
 * in the output of `appointments --show-phi`. Snapshots of the node (taken with the secrets set and appointments
 * running) are among the files scanned.
 */
const SECRETS = {
  ...nonprodSecrets('LEAKCANARY-client-7f3e91'),
  EGRESS_PROXY_PASSWORD: 'LEAKCANARY-proxy-52c0d8',
};
const PATIENTS = ['Quentin Canaryfield', 'Ysolde Marrowgate'];
let sim: PexipSimulator;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.stop());

/** Files under `dir`, not following symlinks: the project's node_modules links the package (its sources hold the canaries). */
function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isSymbolicLink()) return [];
    return entry.isDirectory() ? files(full) : [full];
  });
}

describe('secrets and PHI never leak', () => {
  it('through cdktf.out, state, Terraform and pexip-cdktf debug logs, or any command output', async () => {
    // The web proxy's password too, with the proxy assigned to a location.
    const project = createProject(sim, SECRETS, { proxyPort: 3128, proxyPasswordEnv: 'EGRESS_PROXY_PASSWORD', locations: ['Default location'] });
    const debug = { PEXIP_CDKTF_LOG: 'debug', TF_LOG: 'DEBUG', TF_LOG_PATH: join(project.dir, 'terraform-debug.log') };
    const outputs: string[] = [];
    const deploy = await project.cdktf(['deploy', 'nonprod', '--auto-approve'], debug);
    expect(deploy.code).toBe(0);
    outputs.push(deploy.output);
    // The password did reach Pexip, so the scan below is about a secret that was really handled.
    const proxies = (sim.exportState({ includeSecrets: true }).config as { http_proxy: { data: { password: string } }[] }).http_proxy;
    expect(proxies.map((p) => p.data.password)).toEqual([SECRETS.EGRESS_PROXY_PASSWORD]);

    sim.addAppointments([
      { patientName: PATIENTS[0], profileName: 'Healthcare Org (test)', appointmentId: 'aa11', department: 'Radiology', start: new Date(Date.now() - 600_000).toISOString() },
      { patientName: PATIENTS[1], profileName: 'Healthcare Org (test)', appointmentId: 'bb22', start: new Date(Date.now() - 7_200_000).toISOString(), end: new Date(Date.now() - 5_400_000).toISOString() },
    ]);
    const env = { ...simulatorEnv(sim), PEXIP_CDKTF_LOG: 'debug' };
    const desired = join(project.dir, 'cdktf.out', 'stacks', 'nonprod', 'pexip-desired.json');
    const snapshots = [join(project.dir, 'snapshot.json'), join(project.dir, 'snapshot-2.json')];
    for (const args of [['drift', desired], ['drift', desired, '--json'], ['appointments'], ['appointments', '--json'], ['appointments', '--history', '--since', '3h'], ['appointments', '--history', '--json'], ['snapshot', 'nonprod', '--out', snapshots[0]], ['snapshot', '--out', snapshots[1], '--json']]) {
      const result = await runCli(args, env, { cwd: project.dir });
      expect(result.code).toBe(0);
      outputs.push(result.stdout + result.stderr);
    }
    // The snapshots hold the node's configuration (the proxy the password was sent with), so the scan means something.
    expect(snapshots.map((f) => JSON.parse(readFileSync(f, 'utf8')).kinds.http_proxy.omitted)).toEqual([['password'], ['password']]);
    // Before destroy: once its profile is gone, an appointment can no longer be attributed (nor its names shown).
    const phi = await runCli(['appointments', '--history', '--since', '3h', '--show-phi'], env);
    expect(phi.stdout).toContain(PATIENTS[1]);
    for (const secret of Object.values(SECRETS)) expect(phi.stdout + phi.stderr).not.toContain(secret);

    const destroy = await project.cdktf(['destroy', 'nonprod', '--auto-approve'], debug);
    expect(destroy.code).toBe(0);
    outputs.push(destroy.output);

    const onDisk = files(project.dir).filter((f) => !f.includes(`${join('cdktf.out', 'stacks', 'nonprod', '.terraform')}`));
    // Terraform's own debug log covers the apply and the destroy, where the provisioners ran.
    const terraformLog = readFileSync(join(project.dir, 'terraform-debug.log'), 'utf8');
    expect(terraformLog).toContain('CLI args: []string{"terraform", "apply"');
    expect(terraformLog).toContain('CLI args: []string{"terraform", "destroy"');
    expect(onDisk.some((f) => f.endsWith('.tfstate'))).toBe(true);
    const haystacks = [...onDisk.map((f) => ({ where: f, text: readFileSync(f).toString('latin1') })), ...outputs.map((text, i) => ({ where: `output ${i}`, text }))];
    const needles = [...Object.values(SECRETS), PASSWORD, Buffer.from(`admin:${PASSWORD}`).toString('base64'), ...PATIENTS, 'Canaryfield', 'Marrowgate'];
    const leaks = haystacks.flatMap(({ where, text }) => needles.filter((n) => text.includes(n)).map((n) => `${n.slice(0, 12)}… in ${where}`));
    expect(leaks).toEqual([]);
    // The masked forms did show up, so the scan looked at real appointment output.
    expect(outputs.join('\n')).toContain('Q. C.');
  }, 240_000);
});
