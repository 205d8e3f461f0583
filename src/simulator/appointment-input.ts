import type { JsonObject, JsonValue } from '../kinds/types';
import { isPlainObject } from '../kinds/validate';
import type { AppointmentSeed } from './appointments';
import { SimulatorInputError } from './errors';

/** `POST /_simulator/appointments`: explicit appointments, or a generated day. */
export type AppointmentsRequest =
  | { readonly appointments: AppointmentSeed[] }
  | { readonly realisticDay: { count: number; profileNames?: string[]; now?: Date; seed?: number } };

/** Generating more takes long enough to stall every other request. */
export const MAX_DAY_COUNT = 100_000;

const USAGE = 'expected {"appointments": [{"patientName", "profileName", "appointmentId", "start", …}]} or {"realisticDay": {"count": N}}';
const SEED_FIELDS = ['patientName', 'profileName', 'appointmentId', 'department', 'start', 'end', 'extraParticipants', 'conferenceName'];
const DAY_FIELDS = ['count', 'profileNames', 'now', 'seed'];

function wrong(path: string, expected: string, value: JsonValue | undefined): never {
  throw new SimulatorInputError(`${path} must be ${expected} (got ${value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 60)}).`);
}

function onlyFields(object: JsonObject, known: readonly string[], path: string): void {
  const unknown = Object.keys(object).find((k) => !known.includes(k));
  if (unknown !== undefined) throw new SimulatorInputError(`${path} has unknown field "${unknown}" (known: ${known.join(', ')}).`);
}

function text(object: JsonObject, field: string, path: string, presence: 'optional' | 'required' | 'non-empty'): void {
  const value = object[field];
  if (value === undefined && presence === 'optional') return;
  if (typeof value !== 'string' || (presence === 'non-empty' && value === '')) wrong(`${path}.${field}`, presence === 'non-empty' ? 'a non-empty string' : 'a string', value);
}

function time(object: JsonObject, field: string, path: string, required: boolean): void {
  const value = object[field];
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) wrong(`${path}.${field}`, 'an ISO date-time string such as "2026-11-25T09:00:00Z"', value);
}

function seed(value: JsonValue, path: string): AppointmentSeed {
  if (!isPlainObject(value)) wrong(path, 'an object', value);
  onlyFields(value, SEED_FIELDS, path);
  text(value, 'patientName', path, 'non-empty');
  text(value, 'profileName', path, 'non-empty');
  text(value, 'appointmentId', path, 'required');
  text(value, 'department', path, 'optional');
  text(value, 'conferenceName', path, 'optional');
  time(value, 'start', path, true);
  time(value, 'end', path, false);
  if (typeof value.end === 'string' && Date.parse(value.end) < Date.parse(value.start as string)) wrong(`${path}.end`, 'at or after start', value.end);
  if (value.extraParticipants !== undefined) {
    if (!Array.isArray(value.extraParticipants)) wrong(`${path}.extraParticipants`, 'an array', value.extraParticipants);
    value.extraParticipants.forEach((p, i) => {
      const at = `${path}.extraParticipants[${i}]`;
      if (!isPlainObject(p)) wrong(at, 'an object', p);
      onlyFields(p, ['displayName', 'role'], at);
      text(p, 'displayName', at, 'non-empty');
      if (p.role !== 'provider' && p.role !== 'patient') wrong(`${at}.role`, '"provider" or "patient"', p.role);
    });
  }
  return value as unknown as AppointmentSeed;
}

function day(value: JsonValue): AppointmentsRequest {
  const path = 'realisticDay';
  if (!isPlainObject(value)) wrong(path, 'an object such as {"count": 300}', value);
  onlyFields(value, DAY_FIELDS, path);
  const count = value.count ?? 300;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_DAY_COUNT) wrong(`${path}.count`, `an integer from 1 to ${MAX_DAY_COUNT}`, count);
  const names = value.profileNames;
  if (names !== undefined && (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n !== ''))) wrong(`${path}.profileNames`, 'an array of non-empty strings', names);
  time(value, 'now', path, false);
  if (value.seed !== undefined && (typeof value.seed !== 'number' || !Number.isInteger(value.seed))) wrong(`${path}.seed`, 'an integer', value.seed);
  return {
    realisticDay: {
      count,
      profileNames: names as string[] | undefined,
      now: typeof value.now === 'string' ? new Date(value.now) : undefined,
      seed: value.seed as number | undefined,
    },
  };
}

/** Checks a control request body; throws SimulatorInputError naming the first thing wrong. */
export function parseAppointmentsRequest(input: JsonValue | undefined): AppointmentsRequest {
  if (input === undefined) throw new SimulatorInputError(`POST /_simulator/appointments needs a JSON body: ${USAGE}.`);
  if (!isPlainObject(input)) wrong('the body', USAGE, input);
  onlyFields(input, ['appointments', 'realisticDay'], 'the body');
  if ((input.appointments === undefined) === (input.realisticDay === undefined)) throw new SimulatorInputError(`the body must have exactly one of "appointments" and "realisticDay": ${USAGE}.`);
  if (input.realisticDay !== undefined) return day(input.realisticDay);
  if (!Array.isArray(input.appointments)) wrong('appointments', 'an array', input.appointments);
  return { appointments: input.appointments.map((a, i) => seed(a, `appointments[${i}]`)) };
}
