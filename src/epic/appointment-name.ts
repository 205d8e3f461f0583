import { parseTemplate, type TemplateNode } from './jinja-subset';

/**
 * Telehealth appointment conference names. Pexip names each appointment's conference with the profile's
 * `service_name_template`; the documented result is
 * `Appointment for <patient name> <profile name>:<Epic appointment id>[ in <encounter department>]`.
 * A customised template names conferences differently, so appointments are recognised by compiling each live
 * profile's actual template into a matcher, not by assuming the documented form.
 */

export interface AppointmentName {
  /** Patient first / middle / last name as Epic sent it, when the template shows it. PHI. */
  readonly patientName?: string;
  /** The telehealth profile's Name field (also the provider's display name). */
  readonly profileName: string;
  /** Epic's unique appointment id, when the template shows it. */
  readonly appointmentId?: string;
  /** Encounter department, when Epic sent one and the template shows it. */
  readonly department?: string;
}

/**
 * This project's stand-in for Pexip's default `service_name_template`: it renders the documented form. The variable
 * names for the middle name, the department and the profile name are not published (reference §2.2, [?]); the
 * simulator uses this default, and monitoring recognises the variables by their meaning, not by these exact names.
 */
export const DOCUMENTED_SERVICE_NAME_TEMPLATE =
  'Appointment for {{launch_information.fname}}{% if launch_information.mname %} {{launch_information.mname}}{% endif %} {{launch_information.lname}} {{telehealth_profile.name}}:{{unique_encounter_id}}{% if launch_information.department %} in {{launch_information.department}}{% endif %}';

/** The documented form, for tests and the simulator's fixtures. */
export function formatAppointmentName(a: Required<Pick<AppointmentName, 'patientName' | 'appointmentId'>> & AppointmentName): string {
  return `Appointment for ${a.patientName} ${a.profileName}:${a.appointmentId}${a.department ? ` in ${a.department}` : ''}`;
}

type Role = 'appointmentId' | 'profileName' | 'firstName' | 'middleName' | 'lastName' | 'patientName' | 'department' | 'other';
const NAME_PARTS = ['firstName', 'middleName', 'lastName'] as const;

/** What a template variable means, judged by its name (Pexip's exact variable names are only partly published). */
export function variableRole(path: string): Role {
  const p = path.toLowerCase();
  if (/(^|[._])(unique_encounter_id|encounter_id|appointment_id|csn)$/.test(p)) return 'appointmentId';
  if (/(^|\.)(telehealth_)?profile_name$|(^|\.)(telehealth_)?profile\.name$/.test(p)) return 'profileName';
  if (/(^|[._])(fname|first_?name|given_?name)$/.test(p)) return 'firstName';
  if (/(^|[._])(mname|middle_?name)$/.test(p)) return 'middleName';
  if (/(^|[._])(lname|last_?name|family_?name|surname)$/.test(p)) return 'lastName';
  if (/(^|[._])(patient_?name|full_?name)$/.test(p)) return 'patientName';
  if (/department|(^|[._])dept$/.test(p)) return 'department';
  return 'other';
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A compiled service name template of one profile. */
export interface NameMatcher {
  readonly profileName: string;
  /** Characters of the name the profile name itself pins down: more means a more specific match. */
  readonly specificity: number;
  match(conferenceName: string): AppointmentName | undefined;
}

/**
 * Compiles a profile's service name template into a matcher. The profile name is matched literally (patient and
 * profile names are separated only by a space and both may contain spaces); patient-name parts, the appointment id
 * and the department become captures. Throws TemplateError for templates outside the supported Jinja subset.
 */
export function compileServiceNameTemplate(template: string, profileName: string): NameMatcher {
  const roles: Role[] = [];
  let specificity = 0;
  const compile = (nodes: readonly TemplateNode[]): string =>
    nodes
      .map((node) => {
        if (node.type === 'text') return escape(node.text);
        if (node.type === 'if') {
          const alternatives = [...node.branches.map((b) => compile(b.body)), compile(node.otherwise)];
          return `(?:${alternatives.join('|')})`;
        }
        const role = variableRole(node.path);
        if (role === 'profileName') {
          specificity += profileName.length;
          return escape(profileName);
        }
        roles.push(role);
        // Name parts may be empty: Epic sends one-word names as a last name only (`Appointment for  Suharto …`) or a
        // first name only (`… Al  …`), and the rest of the template still pins the conference to its profile.
        return role === 'appointmentId' ? '(\\S+?)' : role === 'department' ? '(.+?)' : '(.*?)';
      })
      .join('');
  const pattern = new RegExp(`^${compile(parseTemplate(template))}$`, 's');
  return {
    profileName,
    specificity,
    match(conferenceName) {
      const found = pattern.exec(conferenceName);
      if (!found) return undefined;
      const first = new Map<Role, string>();
      roles.forEach((role, i) => {
        const value = found[i + 1];
        if (value !== undefined && value !== '' && !first.has(role)) first.set(role, value);
      });
      // The name in its usual order (first middle last), whatever order the template shows it in.
      const patientName = first.get('patientName') ?? (NAME_PARTS.some((r) => first.has(r)) ? NAME_PARTS.map((r) => first.get(r)).filter(Boolean).join(' ') : undefined);
      const appointmentId = first.get('appointmentId');
      const department = first.get('department');
      return {
        profileName,
        ...(patientName !== undefined ? { patientName } : {}),
        ...(appointmentId !== undefined ? { appointmentId } : {}),
        ...(department !== undefined ? { department } : {}),
      };
    },
  };
}

export type Attribution =
  | { readonly kind: 'appointment'; readonly appointment: AppointmentName }
  | { readonly kind: 'ambiguous'; readonly profiles: readonly string[] }
  | { readonly kind: 'none' };

/**
 * Attributes a conference name to one profile: among the matchers that match, the most specific wins (the longest
 * profile name, as in `… Picardo Healthcare Org:…` vs `… Healthcare Org:…`); a tie is broken by `tieBreak` (e.g. the
 * provider among the participants), else the conference is ambiguous.
 */
export function attributeConference(name: string, matchers: readonly NameMatcher[], tieBreak: (profiles: readonly string[]) => string | undefined = () => undefined): Attribution {
  const hits = matchers.map((m) => ({ m, a: m.match(name) })).filter((h): h is { m: NameMatcher; a: AppointmentName } => h.a !== undefined);
  if (hits.length === 0) return { kind: 'none' };
  const best = Math.max(...hits.map((h) => h.m.specificity));
  const top = hits.filter((h) => h.m.specificity === best);
  if (top.length === 1) return { kind: 'appointment', appointment: top[0].a };
  const chosen = tieBreak(top.map((h) => h.m.profileName));
  const hit = top.find((h) => h.m.profileName === chosen);
  return hit ? { kind: 'appointment', appointment: hit.a } : { kind: 'ambiguous', profiles: top.map((h) => h.m.profileName) };
}

/**
 * A conference name with every word cut to its first letter or digit (`Appointment for Jo Bramblecote X:ff66` →
 * `A… f… J… B… X:f…`): its shape shows why nothing attributes it, and no name can be read from it.
 */
export function maskConferenceName(name: string): string {
  return name.replace(/[\p{L}\p{N}]+/gu, (word) => (Array.from(word).length === 1 ? word : `${Array.from(word)[0]}…`));
}

/** Initials of the first and last name, e.g. "Beverley P Spinder" → "B. S."; a single name → "B.". */
export function maskPersonName(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  // The first letter or digit: a hand-made name may start with an invisible or text-direction character (U+202E).
  const initial = (word: string) => `${(Array.from(word).find((c) => /[\p{L}\p{N}]/u.test(c)) ?? '?').toLocaleUpperCase()}.`;
  return words.length === 1 ? initial(words[0]) : `${initial(words[0])} ${initial(words[words.length - 1])}`;
}
