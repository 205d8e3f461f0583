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

export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly names = new Set<string>();
  private namePattern?: RegExp;

  /** Registers a value that must never be printed; also its common encodings (base64, URL-encoded, JSON-escaped). */
  addSecret(value: string | undefined): void {
    if (value === undefined || value.length < MIN_SECRET_LENGTH) return;
    for (const form of [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1), Buffer.from(value).toString('base64')]) {
      this.secrets.add(form);
    }
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
    let out = text;
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
