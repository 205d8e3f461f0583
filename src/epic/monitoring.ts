import type { PexipClient } from '../api/client';
import { type ErrorContext, PexipApiError, PexipAuthError, PexipCdktfError, PexipConnectionError, PexipValidationError } from '../api/errors';
import { redactor } from '../api/redact';
import { kindByName } from '../kinds';
import type { JsonObject } from '../kinds/types';
import { type AppointmentName, attributeConference, compileServiceNameTemplate, DOCUMENTED_SERVICE_NAME_TEMPLATE, maskConferenceName, maskPersonName, type NameMatcher } from './appointment-name';
import { TemplateError } from './jinja-subset';

/**
 * Telehealth appointments as Pexip's status (active) and history (ended) APIs show them: each conference whose name
 * a live telehealth profile's `service_name_template` produces is one appointment of that profile. Patient and
 * participant names are PHI: a report keeps them, `presentReport` masks them unless asked not to, and every name
 * read is registered with the redactor so no error or log line can carry one.
 */

export type ParticipantRole = 'provider' | 'patient' | 'additional provider' | 'additional patient';

export interface AppointmentParticipant {
  readonly role: ParticipantRole;
  /** Display name; PHI except for the provider, who shows as the profile name. */
  readonly name: string;
}

export interface Appointment {
  readonly conferenceId: string;
  readonly profileName: string;
  /** The profile's id, when a live profile has this name. */
  readonly profileId?: number;
  /** Epic's appointment id, when the profile's template shows it. */
  readonly appointmentId?: string;
  readonly department?: string;
  /** PHI: from the conference name, or else the patient participant's display name; absent when neither shows it. */
  readonly patientName?: string;
  /** ISO 8601, UTC. */
  readonly startTime: string;
  readonly endTime?: string;
  readonly durationSeconds: number;
  readonly participants: readonly AppointmentParticipant[];
}

/** A conference no telehealth profile's template accounts for. Its name may hold PHI, so it is kept apart. */
export interface UnattributedConference {
  readonly conferenceId: string;
  readonly reason: string;
  /** PHI: only in an unmasked report. */
  readonly name?: string;
  /** Every word cut to its first character: in a masked report, in place of `name`. */
  readonly maskedName?: string;
}

export interface MonitoringReport {
  readonly mode: 'active' | 'history';
  readonly since?: string;
  readonly until?: string;
  readonly appointments: readonly Appointment[];
  /** Every other conference, each listed by id, (masked) name and reason, never silently dropped. */
  readonly unattributed: readonly UnattributedConference[];
  /** Profiles whose service name template could not be understood: their appointments cannot be recognised. */
  readonly templateProblems: readonly { readonly profileName: string; readonly problem: string }[];
}

/** A live telehealth profile as monitoring needs it. */
interface LiveProfile {
  readonly name: string;
  readonly id: number;
  readonly template: string;
}

const STATUS = '/api/admin/status/v1/';
const HISTORY = '/api/admin/history/v1/';

/** Pexip times are UTC without a zone suffix; filters take the same form. */
export function toPexipTime(date: Date): string {
  return date.toISOString().slice(0, 19);
}

function fromPexipTime(value: unknown): string {
  const text = String(value ?? '');
  return /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? new Date(text).toISOString() : new Date(`${text}Z`).toISOString();
}

function classify(profileName: string, patientName: string | undefined, participants: readonly JsonObject[]): AppointmentParticipant[] {
  let providerSeen = false;
  let patientSeen = false;
  return participants.map((p) => {
    const name = String(p.display_name ?? '');
    if (!providerSeen && name === profileName) {
      providerSeen = true;
      return { role: 'provider', name };
    }
    // Without the patient's name in the conference name, the first guest is taken to be the patient.
    if (!patientSeen && (patientName !== undefined ? name === patientName : p.role !== 'chair')) {
      patientSeen = true;
      return { role: 'patient', name };
    }
    return { role: p.role === 'chair' ? 'additional provider' : 'additional patient', name };
  });
}

async function liveProfiles(client: PexipClient): Promise<LiveProfile[]> {
  return (await client.list(kindByName('telehealth_profile'))).map((p) => ({
    name: String(p.name),
    id: Number(p.id),
    // A blank or absent template (older nodes, masked read-back) means Pexip's default, which renders the documented form.
    template: typeof p.service_name_template === 'string' && p.service_name_template.trim() !== '' ? p.service_name_template : DOCUMENTED_SERVICE_NAME_TEMPLATE,
  }));
}

function matchersFor(profiles: readonly LiveProfile[]): { matchers: NameMatcher[]; problems: { profileName: string; problem: string }[] } {
  const matchers: NameMatcher[] = [];
  const problems: { profileName: string; problem: string }[] = [];
  for (const profile of profiles) {
    try {
      matchers.push(compileServiceNameTemplate(profile.template, profile.name));
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      problems.push({ profileName: profile.name, problem: `its service_name_template cannot be read (${error.message}), so its appointments are not recognised` });
    }
  }
  return { matchers, problems };
}

/** Registers names that may be PHI with the redactor, keeping the words of profile names (not PHI). */
function registerNames(profiles: readonly LiveProfile[], objects: readonly JsonObject[], field: 'name' | 'display_name' | 'conference_name'): void {
  const keep = new Set(profiles.flatMap((p) => [p.name.toLocaleLowerCase(), ...p.name.toLocaleLowerCase().split(/\s+/)]));
  for (const o of objects) redactor.addName(String(o[field] ?? ''), { words: field === 'display_name', keep });
}

/**
 * Reads a status or history list for monitoring. Its objects hold PHI, and so may any text the server sends back
 * about them (a 400 body echoing a participant, an HTML page title), so a failure is reported by status only.
 */
async function readPhiList(client: PexipClient, path: string, filters: Record<string, string>, what: string): Promise<JsonObject[]> {
  try {
    return await client.listPath(path, filters, { kind: what });
  } catch (error) {
    if (!(error instanceof PexipCdktfError) || error instanceof PexipConnectionError || error instanceof PexipAuthError) throw error;
    // Same class where its constructor allows, so callers can still tell a server error from a protocol error.
    const Kind = error instanceof PexipApiError && !(error instanceof PexipValidationError) ? (error.constructor as new (summary: string, context: ErrorContext) => PexipApiError) : PexipApiError;
    const status = error.status !== undefined ? `HTTP ${error.status}` : 'an unreadable answer';
    throw new Kind(`Pexip answered ${status}; its text is not shown because it may hold patient names.`, { status: error.status, kind: what, method: 'GET', path });
  }
}

function build(
  mode: 'active' | 'history',
  profiles: readonly LiveProfile[],
  conferences: readonly JsonObject[],
  participantsOf: (c: JsonObject) => JsonObject[],
  now: Date,
  range?: { since: string; until: string },
): MonitoringReport {
  const { matchers, problems } = matchersFor(profiles);
  const ids = new Map(profiles.map((p) => [p.name, p.id]));
  const appointments: Appointment[] = [];
  const unattributed: UnattributedConference[] = [];
  for (const conference of conferences) {
    const name = String(conference.name ?? '');
    const participants = participantsOf(conference);
    const displayNames = new Set(participants.map((p) => String(p.display_name ?? '')));
    // Among equally good matches, the profile whose name a participant shows (the provider) wins.
    const found = attributeConference(name, matchers, (candidates) => {
      const present = candidates.filter((c) => displayNames.has(c));
      return present.length === 1 ? present[0] : undefined;
    });
    if (found.kind !== 'appointment') {
      unattributed.push({
        conferenceId: String(conference.id),
        reason: found.kind === 'ambiguous' ? `matches the service name templates of several profiles (${found.profiles.join(', ')})` : "matches no telehealth profile's service name template",
        name,
      });
      continue;
    }
    appointments.push(appointmentOf(conference, found.appointment, ids.get(found.appointment.profileName), participants, now));
  }
  appointments.sort((a, b) => a.startTime.localeCompare(b.startTime));
  return { mode, ...(range ?? {}), appointments, unattributed, templateProblems: problems };
}

function appointmentOf(conference: JsonObject, name: AppointmentName, profileId: number | undefined, participants: readonly JsonObject[], now: Date): Appointment {
  const startTime = fromPexipTime(conference.start_time);
  const endTime = conference.end_time ? fromPexipTime(conference.end_time) : undefined;
  // History sources disagree on the field name (reference §8.3): take either.
  const recorded = typeof conference.duration === 'number' ? conference.duration : typeof conference.duration_seconds === 'number' ? conference.duration_seconds : undefined;
  const durationSeconds = recorded ?? Math.max(0, Math.round(((endTime ? new Date(endTime) : now).getTime() - new Date(startTime).getTime()) / 1000));
  const classified = classify(name.profileName, name.patientName, participants);
  const patientName = name.patientName ?? classified.find((p) => p.role === 'patient')?.name;
  return {
    conferenceId: String(conference.id),
    profileName: name.profileName,
    ...(profileId !== undefined ? { profileId } : {}),
    ...(name.appointmentId !== undefined ? { appointmentId: name.appointmentId } : {}),
    ...(name.department !== undefined ? { department: name.department } : {}),
    // A template without the patient's name: the patient participant's display name stands in.
    ...(patientName !== undefined ? { patientName } : {}),
    startTime,
    ...(endTime ? { endTime } : {}),
    durationSeconds,
    participants: classified,
  };
}

/** Appointments under way now: status conferences and their participants (all pages). */
export async function activeAppointments(client: PexipClient, now: Date = new Date()): Promise<MonitoringReport> {
  const profiles = await liveProfiles(client);
  const [conferences, participants] = await Promise.all([
    readPhiList(client, `${STATUS}conference/`, {}, 'status conference').then((list) => (registerNames(profiles, list, 'name'), list)),
    readPhiList(client, `${STATUS}participant/`, {}, 'status participant').then((list) => (registerNames(profiles, list, 'display_name'), list)),
  ]);
  const byConference = new Map<string, JsonObject[]>();
  for (const p of participants) byConference.set(String(p.conference), [...(byConference.get(String(p.conference)) ?? []), p]);
  return build('active', profiles, conferences, (c) => byConference.get(String(c.name)) ?? [], now);
}

/** Appointments that started in [since, until): history conferences and their participants (all pages). */
export async function historicAppointments(client: PexipClient, since: Date, until: Date): Promise<MonitoringReport> {
  const range = { start_time__gte: toPexipTime(since), start_time__lt: toPexipTime(until) };
  const profiles = await liveProfiles(client);
  const [conferences, participants] = await Promise.all([
    readPhiList(client, `${HISTORY}conference/`, range, 'history conference').then((list) => (registerNames(profiles, list, 'name'), list)),
    // Participants join after their conference starts, so the lower bound alone finds them all.
    readPhiList(client, `${HISTORY}participant/`, { start_time__gte: range.start_time__gte }, 'history participant').then((list) => (registerNames(profiles, list, 'display_name'), list)),
  ]);
  const byConference = new Map<string, JsonObject[]>();
  for (const p of participants) {
    const uri = String(p.conference).replace(/^https?:\/\/[^/]+/, '');
    byConference.set(uri, [...(byConference.get(uri) ?? []), p]);
  }
  return build('history', profiles, conferences, (c) => byConference.get(String(c.resource_uri).replace(/^https?:\/\/[^/]+/, '')) ?? [], new Date(), { since: since.toISOString(), until: until.toISOString() });
}

/**
 * The report as printed or serialised. Unless `showPhi`: patients and additional participants as initials, and an
 * unattributed conference's name (it may hold a patient's name in any form) only with every word cut to its initial.
 */
export function presentReport(report: MonitoringReport, showPhi: boolean): MonitoringReport & { phiShown: boolean } {
  if (showPhi) return { ...report, phiShown: true };
  return {
    ...report,
    phiShown: false,
    appointments: report.appointments.map((a) => ({
      ...a,
      ...(a.patientName !== undefined ? { patientName: maskPersonName(a.patientName) } : {}),
      participants: a.participants.map((p) => (p.role === 'provider' ? p : { ...p, name: maskPersonName(p.name) })),
    })),
    unattributed: report.unattributed.map(({ conferenceId, reason, name }) => ({ conferenceId, reason, maskedName: maskConferenceName(name ?? '') })),
  };
}
