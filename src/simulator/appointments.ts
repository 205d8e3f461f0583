import { DOCUMENTED_SERVICE_NAME_TEMPLATE } from '../epic/appointment-name';
import { renderTemplate } from '../epic/jinja-subset';
import type { JsonObject } from '../kinds/types';
import { pexipTime, type SimulatorData } from './store';

/**
 * Telehealth appointments as Pexip's status and history APIs show them: one conference per appointment, named in
 * Epic's format, with the provider (shown as the profile name) and the patient, and sometimes more people.
 */

export interface AppointmentParticipant {
  readonly displayName: string;
  readonly role: 'provider' | 'patient';
}

export interface AppointmentSeed {
  readonly patientName: string;
  readonly profileName: string;
  readonly appointmentId: string;
  readonly department?: string;
  /** ISO time (UTC). */
  readonly start: string;
  /** ISO time (UTC); absent while the appointment is under way (status API), present once ended (history API). */
  readonly end?: string;
  /** Group sessions: further patients or providers. */
  readonly extraParticipants?: readonly AppointmentParticipant[];
  /** Conference name override, for non-telehealth or malformed names. */
  readonly conferenceName?: string;
}

/**
 * The conference name Pexip would give the appointment: the profile's `service_name_template` rendered with Epic's
 * launch information (the documented default when the profile is unknown or its template is blank).
 */
export function conferenceNameFor(data: SimulatorData, a: AppointmentSeed): string {
  const profile = data.config.telehealth_profile?.find((p) => p.data.name === a.profileName);
  const stored = profile?.data.service_name_template;
  const template = typeof stored === 'string' && stored.trim() !== '' ? stored : DOCUMENTED_SERVICE_NAME_TEMPLATE;
  const words = a.patientName.trim().split(/\s+/);
  const launch = { fname: words[0], mname: words.slice(1, -1).join(' '), lname: words.length > 1 ? words[words.length - 1] : '', department: a.department ?? '' };
  return renderTemplate(template, { unique_encounter_id: a.appointmentId, launch_information: launch, telehealth_profile: { name: a.profileName }, profile_name: a.profileName });
}

/** A small deterministic PRNG (mulberry32), so fixtures are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(random: () => number, length: number): string {
  let out = '';
  while (out.length < length) out += Math.floor(random() * 16).toString(16);
  return out;
}

function uuid(random: () => number): string {
  const h = hex(random, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const STATUS_PREFIX = '/api/admin/status/v1/';
const HISTORY_PREFIX = '/api/admin/history/v1/';

function pexip(iso: string): string {
  return pexipTime(new Date(iso));
}

function participantCommon(random: () => number, p: AppointmentParticipant, index: number): JsonObject {
  const alias = `${p.role}.${hex(random, 10)}@telehealth.example.org`;
  return {
    service_type: 'conference',
    service_tag: '',
    display_name: p.displayName,
    role: p.role === 'provider' ? 'chair' : 'guest',
    call_direction: 'in',
    protocol: 'WebRTC',
    call_quality: ['1_good', '1_good', '2_ok', '3_bad'][Math.floor(random() * 4)],
    encryption: 'On',
    bandwidth: 1024 + Math.floor(random() * 1024),
    rx_bandwidth: 512 + Math.floor(random() * 512),
    tx_bandwidth: 512 + Math.floor(random() * 512),
    call_uuid: uuid(random),
    conversation_id: uuid(random),
    call_tag: '',
    has_media: true,
    is_direct: false,
    is_streaming: false,
    is_idp_authenticated: false,
    idp_uuid: '',
    license_count: 1,
    license_type: 'port',
    media_node: '10.0.1.11',
    signalling_node: '10.0.1.11',
    proxy_node: '10.0.2.21',
    system_location: 'Default location',
    remote_address: `203.0.113.${10 + index}`,
    remote_port: 40000 + Math.floor(random() * 20000),
    transcoding_enabled: true,
    vendor: 'Mozilla/5.0 (Pexip web app)',
    parent_id: '',
    participant_alias: alias,
  };
}

/** Adds appointments to the status (active) and history (ended) collections. */
export function addAppointments(data: SimulatorData, seeds: readonly AppointmentSeed[], seed = 1): void {
  const random = prng(seed + data.status.conference.length * 7919 + data.history.conference.length * 104729);
  for (const a of seeds) {
    const name = a.conferenceName ?? conferenceNameFor(data, a);
    const people: AppointmentParticipant[] = [
      { displayName: a.profileName, role: 'provider' },
      { displayName: a.patientName, role: 'patient' },
      ...(a.extraParticipants ?? []),
    ];
    const conferenceId = uuid(random);
    if (a.end === undefined) {
      data.status.conference.push({
        id: conferenceId,
        name,
        service_type: 'conference',
        start_time: pexip(a.start),
        is_started: true,
        is_locked: false,
        guests_muted: false,
        direct_media_available: false,
        tag: '',
        resource_uri: `${STATUS_PREFIX}conference/${conferenceId}/`,
      });
      people.forEach((p, i) => {
        const id = uuid(random);
        const common = participantCommon(random, p, i);
        data.status.participant.push({
          id,
          conference: name,
          ...common,
          source_alias: common.participant_alias,
          destination_alias: `meet.${hex(random, 8)}@telehealth.example.org`,
          connect_time: pexip(new Date(new Date(a.start).getTime() + i * 45_000).toISOString()),
          is_muted: false,
          is_client_muted: false,
          is_on_hold: false,
          is_presenting: false,
          is_recording: false,
          is_transcribing: false,
          is_disconnect_supported: true,
          is_mute_supported: true,
          is_presentation_supported: true,
          is_transfer_supported: true,
          resource_uri: `${STATUS_PREFIX}participant/${id}/`,
        });
      });
      continue;
    }
    const conferenceUri = `${HISTORY_PREFIX}conference/${conferenceId}/`;
    const startMs = new Date(a.start).getTime();
    const endMs = new Date(a.end).getTime();
    const participantUris: string[] = [];
    people.forEach((p, i) => {
      const id = uuid(random);
      const joined = startMs + i * 45_000;
      const common = participantCommon(random, p, i);
      participantUris.push(`${HISTORY_PREFIX}participant/${id}/`);
      data.history.participant.push({
        id,
        conference: conferenceUri,
        conference_name: name,
        ...common,
        local_alias: `meet.${hex(random, 8)}@telehealth.example.org`,
        remote_alias: common.participant_alias,
        start_time: pexip(new Date(joined).toISOString()),
        end_time: pexip(a.end!),
        duration: Math.max(0, Math.round((endMs - joined) / 1000)),
        disconnect_reason: 'Call disconnected',
        av_id: uuid(random),
        presentation_id: '',
        media_streams: [],
        resource_uri: `${HISTORY_PREFIX}participant/${id}/`,
      });
    });
    data.history.conference.push({
      id: conferenceId,
      name,
      service_type: 'conference',
      tag: '',
      start_time: pexip(a.start),
      end_time: pexip(a.end),
      duration: Math.round((endMs - startMs) / 1000),
      participant_count: people.length,
      participants: participantUris,
      instant_message_count: 0,
      direct_media_available: false,
      resource_uri: conferenceUri,
    });
  }
}

const FIRST = ['Beverley', 'Kai', 'Amara', 'José', 'Zoë', 'Nguyễn', 'Siobhán', 'Mohammed', 'Aleksandra', 'Björn', 'Chidi', 'Mei', 'Oliver', 'Priya', 'Ünal', 'Freya'];
const MIDDLE = ['P', 'Oosman', 'María', 'Thị', 'J', 'Anne', 'K'];
const LAST = ['Spinder', 'Picardo', 'Okafor', 'García', 'Ångström', 'Minh', 'Ní Bhriain', 'Al-Farsi', 'Kowalska', 'Lindqvist', 'Obi', 'Chen', "O'Neill", 'Raman', 'Yılmaz', 'Sørensen'];
const DEPARTMENTS = ['Radiology', 'Family Medicine', 'Care in the Community', 'Cardiology: Heart Failure Clinic', 'Ear, Nose and Throat', 'Paediatrics', 'Mental Health in Primary Care'];

export interface DayOptions {
  /** How many appointments. */
  readonly count: number;
  /** Telehealth profile names the appointments belong to. */
  readonly profileNames: readonly string[];
  /** The current time; appointments running at this moment are active. */
  readonly now: Date;
  readonly seed?: number;
}

/**
 * A realistic working day of appointments that started in the 12 hours before `now` (so some are still running
 * whatever the time of day): some with middle names and unicode, a fifth without a department, departments with
 * " in " and colons, a tenth group sessions.
 */
export function realisticDay(options: DayOptions): AppointmentSeed[] {
  const random = prng(options.seed ?? 42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const seeds: AppointmentSeed[] = [];
  for (let i = 0; i < options.count; i++) {
    const start = new Date(options.now.getTime() - Math.floor(random() * 12 * 3600) * 1000);
    const end = new Date(start.getTime() + (10 + Math.floor(random() * 35)) * 60_000);
    const patientName = [pick(FIRST), ...(random() < 0.4 ? [pick(MIDDLE)] : []), pick(LAST)].join(' ');
    const group = random() < 0.1;
    seeds.push({
      patientName,
      profileName: pick(options.profileNames),
      appointmentId: hex(random, 33),
      ...(random() < 0.8 ? { department: pick(DEPARTMENTS) } : {}),
      start: start.toISOString(),
      ...(end <= options.now ? { end: end.toISOString() } : {}),
      ...(group ? { extraParticipants: [random() < 0.5 ? { displayName: `${pick(FIRST)} ${pick(LAST)}`, role: 'patient' as const } : { displayName: 'Dr Second Opinion', role: 'provider' as const }] } : {}),
    });
  }
  return seeds;
}
