/**
 * Redaction of secrets and patient names from every message this project prints: errors, logs, progress lines.
 * Secret values are registered when they are resolved (credentials, tokens, Epic secrets); patient names are
 * recognised by the appointment conference-name format.
 */

const SENSITIVE = '(sensitive)';
/** Shorter values would redact ordinary words; secrets that short are refused elsewhere anyway. */
const MIN_SECRET_LENGTH = 4;
/** `Appointment for <patient> <profile>:<id>`: everything between "for " and the colon may be a patient name. */
const APPOINTMENT_NAME = /(Appointment for )([^:\n"]*)(:)/g;

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a value that must never be printed; also its common encodings (base64, URL-encoded, JSON-escaped). */
  addSecret(value: string | undefined): void {
    if (value === undefined || value.length < MIN_SECRET_LENGTH) return;
    for (const form of [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1), Buffer.from(value).toString('base64')]) {
      this.secrets.add(form);
    }
  }

  /** The text with every registered secret and every patient name replaced. */
  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is replaced whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(SENSITIVE);
    }
    return out.replace(APPOINTMENT_NAME, '$1(patient name redacted)$3');
  }
}

/** The process-wide redactor: the CLI registers every secret it resolves here, and every printer uses it. */
export const redactor = new Redactor();
