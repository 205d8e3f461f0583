import { randomBytes } from 'node:crypto';
import { checkEpicKey, generateEpicKey } from '../../src/epic/encryption-key';
import type { PexipSimulator } from '../../src/simulator/server';
import { runCli } from '../helpers/cli';
import { integrationSet, secretEnv, withObject, workspace } from '../helpers/desired';
import { profileBody } from '../helpers/fixtures';
import { raw, simulatorEnv, startSimulator } from '../helpers/simulator';

const CONFIG = '/api/admin/configuration/v1';

describe('pexip-cdktf keygen', () => {
  it('prints one line exactly like pextelehealthkeygen: a fresh 32-byte base64 key', async () => {
    const [a, b] = await Promise.all([runCli(['keygen']), runCli(['keygen', '32'])]);
    for (const r of [a, b]) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^value: [A-Za-z0-9+/]{43}=\n$/);
      expect(Buffer.from(r.stdout.slice(7).trim(), 'base64')).toHaveLength(32);
    }
    expect(a.stdout).not.toBe(b.stdout);
  });

  it('makes 16-byte keys for older Epic, and says so in JSON', async () => {
    const r = await runCli(['keygen', '16', '--json']);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ bytes: 16, algorithm: 'AES-128-CBC', keyType: 'base64key' });
    expect(Buffer.from(json.value, 'base64')).toHaveLength(16);
  });

  it('prints the bare key with --value-only, so $(pexip-cdktf keygen --value-only) is the key itself', async () => {
    const [a, b] = await Promise.all([runCli(['keygen', '--value-only']), runCli(['keygen', '16', '--value-only'])]);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^[A-Za-z0-9+/]{43}=\n$/);
    expect(checkEpicKey(a.stdout.trimEnd(), 'AES-256-CBC', 'base64key')).toEqual([]);
    expect(b.stdout).toMatch(/^[A-Za-z0-9+/]{22}==\n$/);
    expect(a.stderr + b.stderr).toBe('');
  });

  it('refuses other sizes', async () => {
    const r = await runCli(['keygen', '24']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: key size must be 32 (AES-256-CBC) or 16 (AES-128-CBC), not 24.\n');
  });
});

describe('pexip-cdktf secrets check', () => {
  const ws = workspace();
  const file = ws.writeSet(integrationSet(ws));

  it('reports every secret as ok without printing a value', async () => {
    const env = secretEnv();
    const r = await runCli(['secrets', 'check', file], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  ok       Epic telehealth profile "profile" epic_encryption_key ← env:EPIC_NONPROD_ENCRYPTION_KEY');
    expect(r.stdout).toContain('All secrets resolve.');
    for (const value of Object.values(env)) expect(r.stdout + r.stderr).not.toContain(String(value));
  });

  it('finds missing, malformed and cross-environment secrets, exits 1, and warns when the client secrets differ', async () => {
    const env: NodeJS.ProcessEnv = { ...secretEnv(), EPIC_NONPROD_ENCRYPTION_KEY: randomBytes(16).toString('base64'), EPIC_PROD_PATIENT_CLIENT_SECRET: 'np-client-secret-Zq81' };
    delete env.EPIC_NONPROD_PROVIDER_CLIENT_SECRET;
    const r = await runCli(['secrets', 'check', file, '--json'], env);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.secrets.map((s: { field: string; status: string }) => [s.field, s.status])).toEqual([
      ['epic_patient_app_client_secret', 'same-as-other-environment'],
      ['epic_provider_app_client_secret', 'missing'],
      ['epic_encryption_key', 'malformed'],
    ]);
    expect(report.secrets[2].detail).toMatch(/\[epic-key\/length\]$/);
    expect(r.stdout).not.toContain(env.EPIC_NONPROD_ENCRYPTION_KEY!);
    const differing = await runCli(['secrets', 'check', file], { ...secretEnv(), EPIC_NONPROD_PROVIDER_CLIENT_SECRET: 'another-value-1234' });
    expect(differing.stderr).toContain('warning: Epic telehealth profile "profile": the provider and patient client secrets differ');
  });

  it('refuses a desired set whose reference names the other environment', async () => {
    const wrong = ws.writeSet({ ...withObject(integrationSet(ws), 'profile', { secrets: { epic_encryption_key: { env: 'EPIC_PROD_ENCRYPTION_KEY' } } }), stack: 'wrongenv' });
    const r = await runCli(['secrets', 'check', wrong], secretEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('this is a non-production stack, but the environment variable EPIC_PROD_ENCRYPTION_KEY is the production variant.');
  });

  it('says how to get a desired set when the stack was not synthesized', async () => {
    const r = await runCli(['secrets', 'check', 'prod', '--outdir', '/nonexistent']);
    expect(r.stderr).toBe("error: no stack 'prod': nothing is synthesized in /nonexistent; run cdktf synth first (or give --outdir).\n");
  });
});

describe('pexip-cdktf appointments', () => {
  let sim: PexipSimulator;
  let env: NodeJS.ProcessEnv;
  const now = Date.now();
  const iso = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();

  beforeEach(async () => {
    sim = await startSimulator();
    env = simulatorEnv(sim);
    for (const [name, uuid] of [
      ['Healthcare Org', '11111111-1111-4111-8111-111111111111'],
      ['Org', '22222222-2222-4222-8222-222222222222'],
      ['Picardo Clinic', '33333333-3333-4333-8333-333333333333'],
    ]) {
      expect((await raw(sim, 'POST', `${CONFIG}/telehealth_profile/`, { json: profileBody({ name, uuid, epic_encryption_key: generateEpicKey() }) })).status).toBe(201);
    }
    sim.addAppointments([
      { patientName: 'Beverley P Spinder', profileName: 'Healthcare Org', appointmentId: '6ea6d1427f684721abd21c1634386f7b6', department: 'Radiology', start: iso(20) },
      { patientName: 'Kai Oosman Picardo', profileName: 'Healthcare Org', appointmentId: '5ec8f1667f531781afe19c1774322f7b8', start: iso(10) },
      { patientName: 'Zoë Ångström', profileName: 'Org', appointmentId: 'abc123', department: 'Cardiology: Care in the Community', start: iso(5), extraParticipants: [{ displayName: 'Mei Chen', role: 'patient' }, { displayName: 'Dr Second Opinion', role: 'provider' }] },
      { patientName: 'Jo Bloggs', profileName: 'Unknown Clinic', appointmentId: 'ff00', start: iso(3) },
      // A one-word name: the template renders an empty last name (`Appointment for Suharto  Healthcare Org:…`).
      { patientName: 'Suharto', profileName: 'Healthcare Org', appointmentId: 'b7c8', start: iso(1) },
      { conferenceName: 'Weekly radiology huddle', patientName: 'x', profileName: 'y', appointmentId: 'z', start: iso(30) },
    ]);
  });
  afterEach(() => sim.stop());

  it('lists active appointments with profile, id, department, masked patient and participants', async () => {
    const r = await runCli(['appointments'], env);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`Active telehealth appointments at ${sim.url}: 4`);
    expect(lines[1]).toMatch(/^ {2}START \(UTC\)\s+RUNNING\s+PROFILE\s+APPOINTMENT ID\s+DEPARTMENT\s+PATIENT\s+PARTICIPANTS$/);
    expect(lines[2]).toMatch(/^ {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+20m\s+Healthcare Org\s+6ea6d1427f684721abd21c1634386f7b6\s+Radiology\s+B\. S\.\s+2$/);
    expect(lines[3]).toMatch(/Healthcare Org\s+5ec8f1667f531781afe19c1774322f7b8\s+\(none\)\s+K\. P\.\s+2$/);
    expect(lines[4]).toMatch(/\bOrg\s+abc123\s+Cardiology: Care in the Community\s+Z\. Å\.\s+4 \(group: additional patient M\. C\., additional provider D\. O\.\)$/);
    expect(lines[5]).toMatch(/Healthcare Org\s+b7c8\s+\(none\)\s+S\.\s+2$/);
    // Every conference nothing attributes is listed: id, masked name, reason.
    expect(r.stdout).toMatch(/\nConferences not attributed to a telehealth profile: 2\n {2}\S+ {2}A… f… J… B… U… C…:f… {2}\(matches no telehealth profile's service name template\)\n {2}\S+ {2}W… r… h… {2}\(matches no telehealth profile's service name template\)\n {2}Their names are masked, every word cut to its first letter \(they may hold patient names\); --show-phi shows them\.\n/);
    expect(r.stdout).toContain('Patient names are masked; --show-phi shows them.');
    for (const name of ['Beverley', 'Spinder', 'Oosman', 'Zoë', 'Bloggs', 'Mei Chen', 'Suharto']) expect(r.stdout).not.toContain(name);
  });

  it('shows names only with --show-phi, and JSON follows the same rule', async () => {
    const shown = await runCli(['appointments', '--show-phi'], env);
    expect(shown.stdout).toContain('Beverley P Spinder');
    expect(shown.stdout).toContain('Appointment for Jo Bloggs Unknown Clinic:ff00');
    const masked = JSON.parse((await runCli(['appointments', '--json'], env)).stdout);
    expect(masked.phiShown).toBe(false);
    expect(masked.appointments[0]).toMatchObject({
      profileName: 'Healthcare Org',
      profileId: 1,
      appointmentId: '6ea6d1427f684721abd21c1634386f7b6',
      department: 'Radiology',
      patientName: 'B. S.',
      participants: [
        { role: 'provider', name: 'Healthcare Org' },
        { role: 'patient', name: 'B. S.' },
      ],
    });
    expect(masked.appointments[1].department).toBeUndefined();
    expect(JSON.stringify(masked)).not.toMatch(/Beverley|Bloggs|Mei Chen/);
    const unmasked = JSON.parse((await runCli(['appointments', '--json', '--show-phi'], env)).stdout);
    expect(unmasked.appointments[0].patientName).toBe('Beverley P Spinder');
  });

  it('pages through hundreds of ended appointments in the history API', async () => {
    sim.addRealisticDay({ count: 300, profileNames: ['Healthcare Org', 'Org', 'Picardo Clinic'], now: new Date(now) });
    sim.clearRequests();
    const r = await runCli(['appointments', '--history', '--since', '13h', '--json'], env);
    const report = JSON.parse(r.stdout);
    const ended = sim.exportState().history as { conference: unknown[] };
    expect(report.appointments).toHaveLength(ended.conference.length);
    expect(report.appointments.length).toBeGreaterThan(200);
    const pages = sim.requests.filter((q) => q.path === '/api/admin/history/v1/conference/').map((q) => new URLSearchParams(q.query).get('offset'));
    expect(pages).toEqual(['0', '100', '200']);
    const group = report.appointments.find((a: { participants: unknown[] }) => a.participants.length > 2);
    expect(group.participants.some((p: { role: string }) => p.role.startsWith('additional'))).toBe(true);
  });

  it('says so, with exit 0, when nothing is found; exit 1 on connection and authentication errors', async () => {
    const empty = await runCli(['appointments', '--history', '--since', '2020-01-01T00:00', '--until', '2020-01-02'], env);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('No telehealth appointment started in this period.');
    const denied = await runCli(['appointments'], { ...env, PEXIP_PASSWORD: 'wrong' });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/authentication failed \(401\)/);
    const down = await runCli(['appointments'], { ...env, PEXIP_ADDRESS: 'http://127.0.0.1:1', PEXIP_MAX_ATTEMPTS: '1' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/connection refused/);
  });

  it('refuses a malformed time and --since without --history', async () => {
    expect((await runCli(['appointments', '--history', '--since', 'yesterday'], env)).stderr).toBe('error: --since must be an ISO date/time (2026-11-25T08:00) or an age (90m, 24h, 7d), not "yesterday".\n');
    expect((await runCli(['appointments', '--since', '1h'], env)).stderr).toBe('error: --since and --until go with --history.\n');
  });
});
