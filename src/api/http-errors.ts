import type { FieldError } from '../kinds/types';
import {
  type ErrorContext,
  PexipApiError,
  PexipAuthError,
  PexipCdktfError,
  PexipConnectionError,
  PexipMethodNotAllowedError,
  PexipNotFoundError,
  PexipProtocolError,
  PexipRateLimitError,
  PexipServerError,
  PexipValidationError,
} from './errors';

/** Turns Pexip's 400 bodies into field errors: `{"<resource>": {"<field>": [msg]}}`, `{"<field>": [msg]}` or `{"error": msg}`. */
export function fieldErrorsFromBody(body: unknown): FieldError[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [];
  const record = body as Record<string, unknown>;
  if (typeof record.error === 'string') return [{ field: '__all__', message: record.error }];
  const keys = Object.keys(record);
  // Tastypie wraps form errors in one key named after the resource; file-upload errors come unwrapped.
  const inner = keys.length === 1 && isFieldMap(record[keys[0]]) ? (record[keys[0]] as Record<string, unknown>) : record;
  if (!isFieldMap(inner)) return [];
  return Object.entries(inner).flatMap(([field, messages]) =>
    (Array.isArray(messages) ? messages : [messages]).map((message) => ({ field, message: String(message).replace(/^__all__: /, '') })),
  );
}

function isFieldMap(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string' || (Array.isArray(v) && v.every((m) => typeof m === 'string')))
  );
}

/** The error for a non-success HTTP answer. */
/** `prefix`: how the node's variables are named (`PEXIP_`, or a stack's own `PEXIP_<VARIANT>_`), so the message names them. */
export function errorForResponse(status: number, body: unknown, headers: Record<string, string>, context: ErrorContext, prefix = 'PEXIP_'): PexipCdktfError {
  const ctx = { ...context, status };
  if (status >= 300 && status < 400) {
    const location = headers.location ?? '';
    if (location.includes('/accounts/login')) {
      return new PexipAuthError(`Pexip redirected to its login page: the credentials were not accepted. Check ${prefix}USERNAME and ${prefix}PASSWORD.`, ctx);
    }
    return new PexipProtocolError(`unexpected redirect (HTTP ${status}) to ${location || 'nowhere'}; ${prefix}ADDRESS should be the Management Node's own https:// address.`, ctx);
  }
  switch (status) {
    case 400: {
      const fieldErrors = fieldErrorsFromBody(body);
      return fieldErrors.length > 0
        ? new PexipValidationError(fieldErrors, ctx)
        : new PexipApiError('Pexip refused the request (400) without saying why.', ctx);
    }
    case 401:
      return new PexipAuthError(`authentication failed (401): check ${prefix}USERNAME and ${prefix}PASSWORD, or the OAuth2 client settings.`, ctx);
    case 403:
      return new PexipAuthError('permission denied (403): the API account\'s administrator role does not allow this.', ctx);
    case 404:
      return new PexipNotFoundError('not found (404).', ctx);
    case 405:
      return new PexipMethodNotAllowedError('Pexip does not allow this method on this resource (405).', ctx);
    case 429:
      return new PexipRateLimitError('rate limited (429) and still limited after waiting as Pexip asked; try again later.', ctx);
    default:
      if (status >= 500) return new PexipServerError(`the Management Node answered HTTP ${status}.`, ctx);
      return new PexipApiError(`unexpected HTTP ${status}.`, ctx);
  }
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_SIGNATURE_FAILURE',
]);
/** Network failures that can pass: the next attempt may succeed. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'EAI_AGAIN', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

export function isTransientNetworkCode(code: string | undefined): boolean {
  return code !== undefined && TRANSIENT_CODES.has(code);
}

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

/** The request got no answer in time: the server may still be working on it. */
export function isTimeoutCode(code: string | undefined): boolean {
  return code !== undefined && TIMEOUT_CODES.has(code);
}

/** Which setting named the server a failed request went to, so the error can say what to change. */
export interface NetworkTarget {
  /** The host name as the request used it (from the setting). */
  readonly host: string;
  /** `PEXIP_ADDRESS`, or `PEXIP_OAUTH2_TOKEN_URL` for the token request. */
  readonly setting: string;
  /** For ERR_TLS_CERT_ALTNAME_INVALID: the names the certificate does carry (its subjectAltName), when known. */
  readonly certificateNames?: string;
}

/** The error for a request that got no HTTP answer. */
export function errorForNetworkFailure(code: string | undefined, timeoutMs: number, context: ErrorContext, target?: NetworkTarget): PexipConnectionError {
  const setting = target?.setting ?? 'PEXIP_ADDRESS';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    // Not a trust problem, so no CA-file advice: the certificate is fine, the name used to reach the server is not on it.
    const host = target?.host ? ` ${target.host}` : '';
    const listed = target?.certificateNames;
    const names = listed ? `; it names ${listed.length > 200 ? `${listed.slice(0, 199)}…` : listed}` : '';
    return new PexipConnectionError(`the server's TLS certificate does not name the host${host} (${code})${names}. Use the name on the certificate in ${setting}.`, context);
  }
  if (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER') {
    return new PexipConnectionError(
      `the TLS handshake failed (${code}): the server may not speak TLS on that port. Check http:// against https:// and the port in ${setting}.`,
      context,
    );
  }
  if (code && TLS_CODES.has(code)) {
    return new PexipConnectionError(`the Management Node's TLS certificate is not trusted (${code}). If it is signed by a private CA, set PEXIP_CA_FILE to that CA's PEM bundle.`, context);
  }
  if (isTimeoutCode(code)) {
    return new PexipConnectionError(`no answer within ${Math.round(timeoutMs / 1000)} s (timeout); raise PEXIP_TIMEOUT_SECONDS if the Management Node is slow.`, context);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new PexipConnectionError(`the host name in ${setting} does not resolve (${code}).`, context);
  }
  if (code === 'ECONNREFUSED') {
    return new PexipConnectionError(`connection refused: is ${setting} right and ${setting.endsWith('_ADDRESS') ? 'the Management Node' : 'the server'} up?`, context);
  }
  return new PexipConnectionError(`the connection failed (${code ?? 'unknown network error'}).`, context);
}
