import { generateEpicKey } from '../../src/epic/encryption-key';
import type { PexipSimulator } from '../../src/simulator/server';
import { runCli } from '../helpers/cli';
import { profileBody } from '../helpers/fixtures';
import { raw, simulatorEnv, startSimulator } from '../helpers/simulator';

/**
 * PHI scan of every output of `appointments`: appointments under the documented and a customised service name
 * template, group sessions, and conferences in forms nothing attributes, all with distinctive patient names. No
 * output without --show-phi (table, --json, --history, debug log, error messages) holds a first or last name.
 */
const CONFIG = '/api/admin/configuration/v1';
const CUSTOM_TEMPLATE = 'Telehealth {{launch_information.lname}}, {{launch_information.fname}} ({{unique_encounter_id}})';
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const NAMES = {
  activeDocumented: 'Quentin Canaryfield',
  activeCustom: 'Ysolde Marrowgate',
  groupGuest: 'Ottoline Brackenbury',
  endedDocumented: 'Percival Thistlewood',
  endedCustom: 'Wilhelmina Gorseway',
  roomGuest: 'Xavier Yountsby',
  lowercase: 'Lowercase Perriwinkle',
  unknownProfile: 'Jo Bramblecote',
  endedChat: 'Fenella Quarrington',
};
const NEEDLES = Object.values(NAMES).flatMap((name) => name.split(' '));

let sim: PexipSimulator;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sim = await startSimulator();
  env = { ...simulatorEnv(sim), PEXIP_CDKTF_LOG: 'debug' };
  const profiles: [string, string, string | undefined][] = [
    ['Healthcare Org', '11111111-1111-4111-8111-111111111111', undefined],
    ['Northside Clinic', '22222222-2222-4222-8222-222222222222', CUSTOM_TEMPLATE],
  ];
  for (const [name, uuid, template] of profiles) {
    const body = profileBody({ name, uuid, epic_encryption_key: generateEpicKey(), ...(template ? { service_name_template: template } : {}) });
    expect((await raw(sim, 'POST', `${CONFIG}/telehealth_profile/`, { json: body })).status).toBe(201);
  }
  sim.addAppointments([
    { patientName: NAMES.activeDocumented, profileName: 'Healthcare Org', appointmentId: 'aa11', department: 'Radiology', start: ago(20) },
    { patientName: NAMES.activeCustom, profileName: 'Northside Clinic', appointmentId: 'bb22', start: ago(15), extraParticipants: [{ displayName: NAMES.groupGuest, role: 'patient' }] },
    { patientName: NAMES.endedDocumented, profileName: 'Healthcare Org', appointmentId: 'cc33', start: ago(180), end: ago(150) },
    { patientName: NAMES.endedCustom, profileName: 'Northside Clinic', appointmentId: 'dd44', department: 'Paediatrics', start: ago(120), end: ago(100) },
    { conferenceName: `Dr Smith room with ${NAMES.roomGuest}`, patientName: NAMES.roomGuest, profileName: 'Dr Smith', appointmentId: '-', start: ago(10) },
    { conferenceName: `appointment for ${NAMES.lowercase} Healthcare Org:ee55`, patientName: NAMES.lowercase, profileName: 'Healthcare Org', appointmentId: 'ee55', start: ago(8) },
    { conferenceName: `Appointment for ${NAMES.unknownProfile} Unknown Clinic:ff66`, patientName: NAMES.unknownProfile, profileName: 'Unknown Clinic', appointmentId: 'ff66', start: ago(5) },
    { conferenceName: `Ended chat with ${NAMES.endedChat}`, patientName: NAMES.endedChat, profileName: 'Front desk', appointmentId: '-', start: ago(90), end: ago(80) },
  ]);
});
afterAll(() => sim.stop());

function leaks(text: string): string[] {
  return NEEDLES.filter((needle) => text.toLowerCase().includes(needle.toLowerCase()));
}

describe('appointments never prints PHI without --show-phi', () => {
  it.each([
    [['appointments']],
    [['appointments', '--json']],
    [['appointments', '--history', '--since', '24h']],
    [['appointments', '--history', '--since', '24h', '--json']],
  ])('%j: appointments under both templates are listed; no patient name in stdout, stderr or the debug log', async (args) => {
    const r = await runCli(args, env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('debug: GET /api/admin/');
    expect(leaks(r.stdout + r.stderr)).toEqual([]);
    const history = args.includes('--history');
    if (args.includes('--json')) {
      const report = JSON.parse(r.stdout);
      expect(report.appointments.map((a: { profileName: string; patientName: string }) => `${a.profileName}: ${a.patientName}`)).toEqual(
        history ? ['Healthcare Org: P. T.', 'Northside Clinic: W. G.'] : ['Healthcare Org: Q. C.', 'Northside Clinic: Y. M.'],
      );
      // Conferences nothing accounts for are each listed by id, reason and masked name, never by their names.
      expect(report.unattributed).toHaveLength(history ? 1 : 3);
      for (const u of report.unattributed) expect(Object.keys(u).sort()).toEqual(['conferenceId', 'maskedName', 'reason']);
      expect(report.unattributed.map((u: { maskedName: string }) => u.maskedName).sort()).toEqual(history ? ['E… c… w… F… Q…'] : ['A… f… J… B… U… C…:f…', 'D… S… r… w… X… Y…', 'a… f… L… P… H… O…:e…']);
    } else {
      expect(r.stdout).toContain(history ? 'P. T.' : 'Y. M.');
      expect(r.stdout).toContain(`Conferences not attributed to a telehealth profile: ${history ? 1 : 3}`);
      // Each one on its own line: id, masked name, reason.
      expect(r.stdout).toMatch(history ? /\n {2}\S+ {2}E… c… w… F… Q… {2}\(matches no telehealth profile's service name template\)\n/ : /\n {2}\S+ {2}D… S… r… w… X… Y… {2}\(matches no telehealth profile's service name template\)\n/);
    }
  });

  it('shows the names with --show-phi (so the scan above looked at the right output)', async () => {
    const active = await runCli(['appointments', '--show-phi', '--json'], env);
    const report = JSON.parse(active.stdout);
    expect(report.appointments.map((a: { patientName: string }) => a.patientName)).toEqual([NAMES.activeDocumented, NAMES.activeCustom]);
    expect(report.appointments[1].participants.map((p: { name: string }) => p.name)).toEqual(['Northside Clinic', NAMES.activeCustom, NAMES.groupGuest]);
    expect(report.unattributed.map((u: { name: string }) => u.name).sort()).toEqual([`Appointment for ${NAMES.unknownProfile} Unknown Clinic:ff66`, `Dr Smith room with ${NAMES.roomGuest}`, `appointment for ${NAMES.lowercase} Healthcare Org:ee55`]);
  });

  it('redacts names the server echoes in a 400 body or an HTML page title', async () => {
    sim.addFault({ match: { path: '/status/v1/participant/' }, action: { type: 'status', status: 400, body: { participant: { display_name: [`${NAMES.activeCustom} is not a valid filter`] } } } });
    const echoed = await runCli(['appointments'], env);
    expect(echoed.code).toBe(1);
    expect(echoed.stderr).toContain('error: status participant — GET /api/admin/status/v1/participant/: Pexip answered HTTP 400; its text is not shown because it may hold patient names.');
    expect(leaks(echoed.stdout + echoed.stderr)).toEqual([]);

    sim.addFault({ match: { path: '/history/v1/participant/' }, action: { type: 'raw', status: 400, contentType: 'text/html', text: `<html><head><title>Error for ${NAMES.endedCustom}</title></head></html>` } });
    const titled = await runCli(['appointments', '--history', '--json'], env);
    expect(titled.code).toBe(1);
    expect(JSON.parse(titled.stdout)).toMatchObject({ status: 400, kind: 'history participant' });
    expect(leaks(titled.stdout + titled.stderr)).toEqual([]);
  });
});
