import type { PexipClient } from '../api/client';
import { kindByName } from '../kinds';
import type { JsonObject } from '../kinds/types';
import { maskPersonName, parseAppointmentName } from './appointment-name';

/**
 * Telehealth appointments as Pexip's status (active) and history (ended) APIs show them: each conference named in
 * Epic's format is one appointment, attributed to a live telehealth profile by name. Patient and participant names
 * are PHI: a report keeps them, and `presentReport` masks them unless asked not to.
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
  readonly appointmentId: string;
  readonly department?: string;
  /** PHI. */
  readonly patientName: string;
  /** ISO 8601, UTC. */
  readonly startTime: string;
  readonly endTime?: string;
  readonly durationSeconds: number;
  readonly participants: readonly AppointmentParticipant[];
}

export interface MonitoringReport {
  readonly mode: 'active' | 'history';
  readonly since?: string;
  readonly until?: string;
  readonly appointments: readonly Appointment[];
  /** Conferences whose names are not in Epic's appointment format. */
  readonly otherConferences: readonly string[];
  /** Appointment-like names that match no live telehealth profile (PHI: they hold patient names). */
  readonly unknownProfile: readonly string[];
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

function classify(profileName: string, patientName: string, participants: readonly JsonObject[]): AppointmentParticipant[] {
  let providerSeen = false;
  let patientSeen = false;
  return participants.map((p) => {
    const name = String(p.display_name ?? '');
    if (!providerSeen && name === profileName) {
      providerSeen = true;
      return { role: 'provider', name };
    }
    if (!patientSeen && name === patientName) {
      patientSeen = true;
      return { role: 'patient', name };
    }
    return { role: p.role === 'chair' ? 'additional provider' : 'additional patient', name };
  });
}

async function profiles(client: PexipClient): Promise<Map<string, number>> {
  return new Map((await client.list(kindByName('telehealth_profile'))).map((p) => [String(p.name), Number(p.id)]));
}

function build(mode: 'active' | 'history', conferences: readonly JsonObject[], participantsOf: (c: JsonObject) => JsonObject[], known: ReadonlyMap<string, number>, now: Date, range?: { since: string; until: string }): MonitoringReport {
  const appointments: Appointment[] = [];
  const otherConferences: string[] = [];
  const unknownProfile: string[] = [];
  for (const conference of conferences) {
    const name = String(conference.name ?? '');
    const parsed = parseAppointmentName(name, [...known.keys()]);
    if (parsed.kind === 'other') {
      otherConferences.push(name);
      continue;
    }
    if (parsed.kind === 'unknown-profile') {
      unknownProfile.push(name);
      continue;
    }
    const { appointment } = parsed;
    const startTime = fromPexipTime(conference.start_time);
    const endTime = conference.end_time ? fromPexipTime(conference.end_time) : undefined;
    const durationSeconds = typeof conference.duration === 'number' ? conference.duration : Math.max(0, Math.round(((endTime ? new Date(endTime) : now).getTime() - new Date(startTime).getTime()) / 1000));
    appointments.push({
      conferenceId: String(conference.id),
      profileName: appointment.profileName,
      profileId: known.get(appointment.profileName),
      appointmentId: appointment.appointmentId,
      ...(appointment.department !== undefined ? { department: appointment.department } : {}),
      patientName: appointment.patientName,
      startTime,
      ...(endTime ? { endTime } : {}),
      durationSeconds,
      participants: classify(appointment.profileName, appointment.patientName, participantsOf(conference)),
    });
  }
  appointments.sort((a, b) => a.startTime.localeCompare(b.startTime));
  return { mode, ...(range ?? {}), appointments, otherConferences, unknownProfile };
}

/** Appointments under way now: status conferences and their participants (all pages). */
export async function activeAppointments(client: PexipClient, now: Date = new Date()): Promise<MonitoringReport> {
  const [known, conferences, participants] = await Promise.all([
    profiles(client),
    client.listPath(`${STATUS}conference/`, {}, { kind: 'status conference' }),
    client.listPath(`${STATUS}participant/`, {}, { kind: 'status participant' }),
  ]);
  const byConference = new Map<string, JsonObject[]>();
  for (const p of participants) byConference.set(String(p.conference), [...(byConference.get(String(p.conference)) ?? []), p]);
  return build('active', conferences, (c) => byConference.get(String(c.name)) ?? [], known, now);
}

/** Appointments that started in [since, until): history conferences and their participants (all pages). */
export async function historicAppointments(client: PexipClient, since: Date, until: Date): Promise<MonitoringReport> {
  const range = { start_time__gte: toPexipTime(since), start_time__lt: toPexipTime(until) };
  const [known, conferences, participants] = await Promise.all([
    profiles(client),
    client.listPath(`${HISTORY}conference/`, range, { kind: 'history conference' }),
    // Participants join after their conference starts, so the lower bound alone finds them all.
    client.listPath(`${HISTORY}participant/`, { start_time__gte: range.start_time__gte }, { kind: 'history participant' }),
  ]);
  const byConference = new Map<string, JsonObject[]>();
  for (const p of participants) {
    const uri = String(p.conference).replace(/^https?:\/\/[^/]+/, '');
    byConference.set(uri, [...(byConference.get(uri) ?? []), p]);
  }
  return build('history', conferences, (c) => byConference.get(String(c.resource_uri).replace(/^https?:\/\/[^/]+/, '')) ?? [], known, new Date(), { since: since.toISOString(), until: until.toISOString() });
}

/** The report as printed or serialised: names of patients and additional participants masked unless `showPhi`. */
export function presentReport(report: MonitoringReport, showPhi: boolean): MonitoringReport & { phiShown: boolean } {
  const person = (name: string) => (showPhi ? name : maskPersonName(name));
  return {
    ...report,
    phiShown: showPhi,
    appointments: report.appointments.map((a) => ({
      ...a,
      patientName: person(a.patientName),
      participants: a.participants.map((p) => (p.role === 'provider' ? p : { ...p, name: person(p.name) })),
    })),
    unknownProfile: showPhi ? report.unknownProfile : report.unknownProfile.map(() => 'Appointment for (patient name hidden: --show-phi)'),
  };
}
