/**
 * Epic telehealth appointment conference names, exactly as Pexip shows them:
 * `Appointment for <patient name> <profile name>:<Epic appointment id>[ in <encounter department>]`.
 * Patient and profile names are separated by a single space and both may contain spaces, so parsing needs the known
 * profile names: the longest one that ends right before the colon wins.
 */

export interface AppointmentName {
  /** Patient first / middle / last name as Epic sent it. PHI. */
  readonly patientName: string;
  /** The telehealth profile's Name field (also the provider's display name). */
  readonly profileName: string;
  /** Epic's unique appointment id. */
  readonly appointmentId: string;
  /** Encounter department, when Epic sent one. */
  readonly department?: string;
}

const PREFIX = 'Appointment for ';
const ID_AND_DEPARTMENT = /^([A-Za-z0-9]+)(?: in (.+))?$/s;

export function formatAppointmentName(a: AppointmentName): string {
  return `${PREFIX}${a.patientName} ${a.profileName}:${a.appointmentId}${a.department ? ` in ${a.department}` : ''}`;
}

export type ParsedConferenceName =
  | { readonly kind: 'appointment'; readonly appointment: AppointmentName }
  /** Looks like an appointment, but no known profile name ends before any colon. */
  | { readonly kind: 'unknown-profile' }
  | { readonly kind: 'other' };

/** Parses a conference name against the known telehealth profile names. */
export function parseAppointmentName(name: string, profileNames: readonly string[]): ParsedConferenceName {
  if (!name.startsWith(PREFIX)) return { kind: 'other' };
  const byLength = [...new Set(profileNames)].filter((p) => p.length > 0).sort((a, b) => b.length - a.length);
  let looksLikeAppointment = false;
  for (let colon = name.indexOf(':', PREFIX.length); colon >= 0; colon = name.indexOf(':', colon + 1)) {
    const tail = ID_AND_DEPARTMENT.exec(name.slice(colon + 1));
    if (!tail) continue;
    looksLikeAppointment = true;
    const head = name.slice(PREFIX.length, colon);
    const profileName = byLength.find((p) => head.endsWith(` ${p}`) && head.length > p.length + 1);
    if (profileName === undefined) continue;
    return {
      kind: 'appointment',
      appointment: {
        patientName: head.slice(0, head.length - profileName.length - 1),
        profileName,
        appointmentId: tail[1],
        ...(tail[2] !== undefined ? { department: tail[2] } : {}),
      },
    };
  }
  return looksLikeAppointment ? { kind: 'unknown-profile' } : { kind: 'other' };
}

/** Initials of the first and last name, e.g. "Beverley P Spinder" → "B. S."; a single name → "B.". */
export function maskPersonName(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const initial = (word: string) => `${Array.from(word)[0].toLocaleUpperCase()}.`;
  return words.length === 1 ? initial(words[0]) : `${initial(words[0])} ${initial(words[words.length - 1])}`;
}
