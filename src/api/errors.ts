import type { FieldError } from '../kinds/types';
import { redactor } from './redact';

/**
 * Typed errors. Each carries what a user needs to act: the HTTP status, the kind and object, the field, and a
 * message already redacted of secrets and patient names.
 */

export interface ErrorContext {
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  /** Human kind title or API resource name, e.g. "Epic telehealth profile". */
  readonly kind?: string;
  /** The object: natural key ("Healthcare Org") or logical id, whichever the caller knows. */
  readonly object?: string;
  /** The field at fault, when one is. */
  readonly field?: string;
  readonly method?: string;
  readonly path?: string;
}

/** Base class of every error this project raises on purpose; anything else is a bug. */
export class PexipCdktfError extends Error implements ErrorContext {
  readonly status?: number;
  readonly kind?: string;
  readonly object?: string;
  readonly field?: string;
  readonly method?: string;
  readonly path?: string;
  /** Exit code for the CLI. */
  readonly exitCode: number = 1;

  constructor(message: string, context: ErrorContext = {}) {
    super(redactor.redact(message));
    this.name = new.target.name;
    Object.assign(this, context);
  }

  /** A machine-readable form for `--json` output. */
  toJSON(): Record<string, unknown> {
    return {
      error: this.name,
      message: this.message,
      status: this.status,
      kind: this.kind,
      object: this.object,
      field: this.field,
      method: this.method,
      path: this.path,
    };
  }
}

/** Wrong or missing settings or input, found before anything was sent. */
export class ConfigError extends PexipCdktfError {}

function describeTarget(context: ErrorContext): string {
  const what = [context.kind, context.object ? `"${context.object}"` : undefined].filter(Boolean).join(' ');
  const request = context.method && context.path ? `${context.method} ${context.path}` : undefined;
  return [what, request].filter(Boolean).join(' — ');
}

/** An HTTP-level failure from the management API. */
export class PexipApiError extends PexipCdktfError {
  constructor(summary: string, context: ErrorContext) {
    const target = describeTarget(context);
    super(target ? `${target}: ${summary}` : summary, context);
  }
}

/** 400 with Pexip's field errors (`{"<resource>": {"<field>": ["message"]}}`). */
export class PexipValidationError extends PexipApiError {
  readonly fieldErrors: readonly FieldError[];

  constructor(fieldErrors: readonly FieldError[], context: ErrorContext) {
    const summary = fieldErrors.map((e) => (e.field === '__all__' ? e.message : `${e.field}: ${e.message}`)).join('; ');
    super(`Pexip refused the request (${context.status ?? 400}): ${summary}`, { ...context, field: context.field ?? fieldErrors[0]?.field });
    this.fieldErrors = fieldErrors.map((e) => ({ field: e.field, message: redactor.redact(e.message) }));
  }
}

/** 401/403, or a redirect to the login page. Never retried (apart from one OAuth2 token refresh). */
export class PexipAuthError extends PexipApiError {}
/** 404 where the object had to exist. */
export class PexipNotFoundError extends PexipApiError {}
/** 405: the resource does not allow this method. */
export class PexipMethodNotAllowedError extends PexipApiError {}
/** 429 still answered after the retries. */
export class PexipRateLimitError extends PexipApiError {}
/** 5xx still answered after the retries (or at once, for a POST). */
export class PexipServerError extends PexipApiError {}
/** The answer is not what the management API sends: HTML, malformed JSON, no Location, a list without `objects`. */
export class PexipProtocolError extends PexipApiError {}
/** No usable answer: refused, reset, timed out, DNS or TLS failure. */
export class PexipConnectionError extends PexipApiError {}
