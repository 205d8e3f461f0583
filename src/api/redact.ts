import type { JsonObject, KindSpec } from '../kinds/types';

/**
 * Redaction of secrets and patient names from every message this project prints: errors, logs, progress lines.
 * Secret values are registered when they are resolved (credentials, tokens, Epic secrets); names that are PHI are
 * registered when monitoring reads them, and names in the documented appointment format are recognised anyway.
 */

const SENSITIVE = '(sensitive)';
const NAME_REDACTED = '(name redacted)';
/** Shorter values would redact ordinary words; secrets that short are refused elsewhere anyway. */
const MIN_SECRET_LENGTH = 4;
/** `Appointment for <patient> <profile>:<id>`: everything between "for " and the colon may be a patient name. */
const APPOINTMENT_NAME = /(Appointment for )([^:\n"]*)(:)/g;

/**
 * How an identifier that is sensitive but not secret (a licence entitlement key, which Pexip's own provider marks
 * sensitive) is shown: its last four characters, enough for its owner to tell which one it is.
 */
export function maskIdentifier(value: string): string {
  const compact = value.replace(/\s+/g, '');
  return `…${Array.from(compact).slice(-4).join('')}`;
}

/** Registers the sensitive fields of one object (read from a node or declared) with the redactor. */
export function registerSensitive(kind: KindSpec, object: Readonly<JsonObject>): void {
  for (const [name, spec] of Object.entries(kind.fields)) {
    const value = object[name];
    if (spec.sensitive && typeof value === 'string') redactor.addMasked(value);
  }
}

export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly masked = new Map<string, string>();
  private readonly names = new Set<string>();
  private namePattern?: RegExp;

  /** Registers a value that must never be printed; also its common encodings (base64, URL-encoded, JSON-escaped). */
  addSecret(value: string | undefined): void {
    if (value === undefined || value.length < MIN_SECRET_LENGTH) return;
    for (const form of [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1), Buffer.from(value).toString('base64')]) {
      this.secrets.add(form);
    }
  }

  /** Registers a sensitive identifier: printed only as {@link maskIdentifier} shows it, wherever it would appear. */
  addMasked(value: string | undefined): void {
    if (value === undefined || value.trim().length <= 4) return;
    this.masked.set(value, maskIdentifier(value));
    this.masked.set(value.replace(/\s+/g, ''), maskIdentifier(value));
  }

  /** The text with every sensitive identifier masked: applied to all output, even where names may be shown. */
  mask(text: string): string {
    let out = text;
    for (const [value, shown] of [...this.masked].sort((a, b) => b[0].length - a[0].length)) {
      if (out.includes(value)) out = out.split(value).join(shown);
    }
    return out;
  }

  /**
   * Registers a name that is PHI: a participant's display name (`words`: each of its words of three or more letters
   * too, so a first or last name alone is caught), or a conference name that may hold one (whole). They are redacted
   * wherever they appear as whole words, so a patient's name echoed in a 400 body or an HTML title never reaches a
   * message. `keep` lists words that are not PHI (e.g. the words of telehealth profile names), lower-cased.
   */
  addName(name: string | undefined, options: { words?: boolean; keep?: ReadonlySet<string> } = {}): void {
    if (!name) return;
    const before = this.names.size;
    const keep = options.keep ?? new Set<string>();
    for (const part of [name.trim(), ...(options.words ? name.split(/[^\p{L}\p{N}'-]+/u) : [])]) {
      if (Array.from(part).length >= 3 && !keep.has(part.toLocaleLowerCase())) this.names.add(part);
    }
    if (this.names.size !== before) this.namePattern = undefined;
  }

  /** The text with every registered secret and every patient name replaced. */
  redact(text: string): string {
    let out = this.mask(text);
    // Longest first, so a secret that contains another is replaced whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(SENSITIVE);
    }
    out = out.replace(APPOINTMENT_NAME, '$1(patient name redacted)$3');
    if (this.names.size > 0) {
      this.namePattern ??= new RegExp(
        `(?<![\\p{L}\\p{N}])(?:${[...this.names].sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![\\p{L}\\p{N}])`,
        'giu',
      );
      out = out.replace(this.namePattern, NAME_REDACTED);
    }
    return out;
  }
}

/** The process-wide redactor: the CLI registers every secret it resolves here, and every printer uses it. */
export const redactor = new Redactor();
