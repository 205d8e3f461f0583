import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import http from 'node:http';
import https from 'node:https';
import type { JsonObject, JsonValue, KindSpec } from '../kinds/types';
import { BasicAuthenticator, OAuth2Authenticator, type Authenticator } from './auth';
import { type ErrorContext, PexipCdktfError, PexipConnectionError, PexipProtocolError } from './errors';
import { errorForNetworkFailure, errorForResponse, isTimeoutCode, isTransientNetworkCode, type NetworkTarget } from './http-errors';
import { type Logger, silentLogger } from './log';
import { registerSensitive } from './redact';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, RETRYABLE_STATUSES, retryDelay, type RetryPolicy, sleep } from './retry';
import { type ConnectionSettings, connectionFromEnv } from './settings';

/** A ZIP package to upload with a multipart create or update (theme `package`, branding `branding_file`). */
export interface UploadFile {
  readonly fileName: string;
  readonly content: Buffer;
}

export interface PexipClientOptions {
  readonly connection: ConnectionSettings;
  readonly logger?: Logger;
  /** Objects per list page requested; the client follows `meta.next` whatever the server returns. */
  readonly pageSize?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** For tests: replaces the wait between attempts. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface CreateOptions {
  readonly file?: UploadFile;
  /**
   * Picks the object this create made from the live objects, when the answer to the POST was lost. Defaults to
   * matching the natural key and, where the body carries an ownership marker, the marker too.
   */
  readonly recover?: (live: readonly JsonObject[]) => JsonObject | undefined;
}

export interface Created {
  /** Detail key (id, uuid or fulfillment id) as a string. */
  readonly key: string;
  /** Server-relative resource URI. */
  readonly uri: string;
  /** True when the object was found by re-reading after an ambiguous failure rather than from the 201. */
  readonly recovered: boolean;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

type Payload = { json: JsonValue } | { form: FormData } | undefined;

/** Thrown inside the client for a network failure, carrying the code for retry decisions. */
class NetworkFailure extends Error {
  constructor(
    readonly code: string | undefined,
    /** The names on the server's certificate, for a host-name mismatch: what the user should put in the setting. */
    readonly certificateNames?: string,
  ) {
    super(code ?? 'network failure');
  }

  /** From what axios threw: its code, and the peer certificate that Node's TLS check attaches to a name mismatch. */
  static from(error: unknown): NetworkFailure {
    const e = error as { code?: string; cert?: { subjectaltname?: string }; cause?: { cert?: { subjectaltname?: string } } };
    const names = e.cause?.cert?.subjectaltname ?? e.cert?.subjectaltname;
    return new NetworkFailure(e.code, typeof names === 'string' ? names : undefined);
  }
}

const LIST_ENVELOPE_HINT = 'expected a Tastypie list {"meta": {...}, "objects": [...]}';
const MAX_PAGES = 100_000;

/** The detail key of an object (id, uuid or fulfillment id) as a string. */
export function keyOf(kind: KindSpec, object: Readonly<JsonObject>): string {
  const value = object[kind.detailKey];
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  const uri = object.resource_uri;
  if (typeof uri === 'string') return lastSegment(uri);
  throw new PexipProtocolError(`a listed object has neither "${kind.detailKey}" nor "resource_uri".`, { kind: kind.title });
}

function lastSegment(uri: string): string {
  const parts = uri.split('?')[0].split('/').filter(Boolean);
  return decodeURIComponent(parts[parts.length - 1] ?? '');
}

export function detailPath(kind: KindSpec, key: string): string {
  return `${kind.collectionPath}${encodeURIComponent(key)}/`;
}

/** The value of a natural key as compared (licence keys ignore spaces). */
export function naturalKeyOf(kind: KindSpec, object: Readonly<JsonObject>): string | undefined {
  const value = object[kind.naturalKey];
  if (typeof value !== 'string') return undefined;
  return kind.normaliseNaturalKey ? kind.normaliseNaturalKey(value) : value;
}

function encodeFormValue(value: JsonValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * The Pexip management-API client: authentication, pagination, retries per design.md, typed errors and redaction.
 * Paths are server-relative (`/api/admin/...`).
 */
export class PexipClient {
  /**
   * Creates sent again after an ambiguous failure when a re-read did not find the object. Callers check afterwards
   * for a duplicate; `lateCommitPossible` says whether the first request may still be running (a timeout, or a
   * proxy's 502/504), so that the check should wait for it first.
   */
  resentCreates = 0;
  lateCommitPossible = false;
  private readonly http: AxiosInstance;
  private readonly auth: Authenticator;
  private readonly logger: Logger;
  private readonly retry: RetryPolicy;
  private readonly pageSize: number;
  private readonly wait: (ms: number) => Promise<void>;
  private readonly httpAgent: http.Agent;
  private halted = false;
  /** A 429 pauses every request of this client, not only the one that got it: the pause in progress, and its end. */
  private pause: Promise<void> = Promise.resolve();
  private pausedUntil = 0;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly options: PexipClientOptions) {
    const { connection } = options;
    this.logger = options.logger ?? silentLogger;
    for (const warning of connection.warnings) this.logger.alert(warning);
    this.retry = { ...DEFAULT_RETRY_POLICY, maxAttempts: connection.maxAttempts, ...options.retry };
    this.pageSize = options.pageSize ?? 100;
    this.wait = options.sleep ?? sleep;
    // One agent per scheme: the OAuth2 token URL may use the other scheme than the address (both checked in settings).
    this.httpsAgent = new https.Agent({ keepAlive: true, ca: connection.ca, rejectUnauthorized: !connection.insecureSkipTlsVerify });
    this.httpAgent = new http.Agent({ keepAlive: true });
    this.http = axios.create({
      baseURL: connection.address,
      timeout: connection.timeoutMs,
      maxRedirects: 0,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      headers: { Accept: 'application/json', 'User-Agent': 'pexip-cdktf' },
      proxy: false,
    });
    this.auth =
      connection.auth.type === 'basic'
        ? new BasicAuthenticator(connection.auth)
        : new OAuth2Authenticator(connection.auth, (url, form) => this.postForm(url, form));
  }

  /** A client configured from `PEXIP_*` environment variables. */
  /** A client for the default node, or for a stack's own node (`variant`: its `PEXIP_<VARIANT>_…` variables). */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, logger?: Logger, overrides: Partial<PexipClientOptions> = {}, variant?: string): PexipClient {
    return new PexipClient({ connection: connectionFromEnv(env, variant), logger, ...overrides });
  }

  get address(): string {
    return this.options.connection.address;
  }

  /** How the node's variables are named (`PEXIP_`, or a stack's own `PEXIP_<VARIANT>_`). */
  private get prefix(): string {
    return this.options.connection.variablePrefix ?? 'PEXIP_';
  }

  /** The variable that named this client's node (`PEXIP_ADDRESS`, or a stack's own `PEXIP_<VARIANT>_ADDRESS`), for messages. */
  get addressVariable(): string {
    return `${this.prefix}ADDRESS`;
  }

  /** How many requests the engine may have in flight at once (`PEXIP_PARALLELISM`). */
  get parallelism(): number {
    return this.options.connection.parallelism;
  }

  /**
   * Stops retrying: a request that would wait and try again fails at once instead. The engine sets it when one of
   * several parallel requests failed for good, so the others end quickly and no "retrying" line follows the error.
   */
  haltRetries(halt = true): void {
    this.halted = halt;
  }

  /** The per-request timeout in milliseconds. */
  get timeoutMs(): number {
    return this.options.connection.timeoutMs;
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** Where management-API requests go, for network error messages. */
  private addressTarget(failure: NetworkFailure): NetworkTarget {
    return { host: new URL(this.options.connection.address).hostname, setting: `${this.prefix}ADDRESS`, certificateNames: failure.certificateNames };
  }

  // ---- configuration objects -------------------------------------------------------------------------------

  /** Every object of a kind, following `meta.next` over all pages. */
  async list(kind: KindSpec, filters: Record<string, string> = {}): Promise<JsonObject[]> {
    const objects = await this.listPath(kind.collectionPath, filters, { kind: kind.title });
    for (const object of objects) registerSensitive(kind, object);
    return objects;
  }

  /** One object; `undefined` when it does not exist. */
  async find(kind: KindSpec, key: string): Promise<JsonObject | undefined> {
    const answer = await this.request('GET', detailPath(kind, key), undefined, { kind: kind.title, object: key }, [200, 404]);
    if (answer.status === 404) return undefined;
    const object = this.objectBody(answer, { kind: kind.title, object: key });
    registerSensitive(kind, object);
    return object;
  }

  /**
   * Creates an object: 201 + Location. A POST is never retried blindly: after an ambiguous failure (timeout,
   * reset, 5xx) the client re-reads the collection and returns the object if the server did commit it; only when it
   * is absent, and the failure is a transient one, is the POST sent again.
   */
  async create(kind: KindSpec, body: JsonObject, options: CreateOptions = {}): Promise<Created> {
    const object = naturalKeyOf(kind, body);
    const context: ErrorContext = { kind: kind.title, object, method: 'POST', path: kind.collectionPath };
    const recover = options.recover ?? ((live) => this.defaultRecovery(kind, body, live));
    for (let attempt = 1; ; attempt++) {
      let failure: PexipCdktfError;
      let retryAfterMs: number | undefined;
      let transient: boolean;
      // Whether the first request may still be running on the server: a timeout, or a proxy that gave up (502/504).
      let mayStillRun: boolean;
      try {
        const answer = await this.sendOnce('POST', kind.collectionPath, this.payload(kind, body, options.file), context);
        if (answer.status === 201) return await this.createdFrom(kind, answer, recover, context);
        failure = errorForResponse(answer.status, answer.body, answer.headers, context, this.prefix);
        if (attempt > 1 && answer.status === 400) {
          // A create sent again after an ambiguous failure, refused as a duplicate: the first one committed late.
          const found = recover(await this.list(kind));
          if (found) {
            this.logger.info(`${kind.title} "${object ?? ''}": the first create committed after all; using it`);
            return { key: keyOf(kind, found), uri: this.uriOf(kind, found), recovered: true };
          }
        }
        if (answer.status === 429) {
          // Refused before processing: nothing was committed, so waiting and sending again is safe.
          if (attempt >= this.retry.maxAttempts || this.halted) throw failure;
          await this.backoff('POST', kind.collectionPath, `HTTP 429`, attempt, parseRetryAfter(answer.headers['retry-after']));
          continue;
        }
        if (answer.status < 500) throw failure;
        transient = RETRYABLE_STATUSES.has(answer.status);
        mayStillRun = answer.status === 502 || answer.status === 504;
        retryAfterMs = parseRetryAfter(answer.headers['retry-after']);
      } catch (error) {
        if (!(error instanceof NetworkFailure)) throw error;
        failure = errorForNetworkFailure(error.code, this.options.connection.timeoutMs, context, this.addressTarget(error));
        transient = isTransientNetworkCode(error.code);
        mayStillRun = isTimeoutCode(error.code);
        if (!transient) throw failure;
      }
      // The outcome is unknown: the server may have committed the object before the answer was lost.
      const found = recover(await this.list(kind));
      if (found) {
        this.logger.info(`${kind.title} "${object ?? ''}": the create's answer was lost, but the object exists; using it`);
        return { key: keyOf(kind, found), uri: this.uriOf(kind, found), recovered: true };
      }
      if (!transient || attempt >= this.retry.maxAttempts || this.halted) throw failure;
      await this.backoff('POST', kind.collectionPath, failure.status ? `HTTP ${failure.status}` : 'a network error', attempt, retryAfterMs);
      this.resentCreates++;
      this.lateCommitPossible ||= mayStillRun;
    }
  }

  /** Updates in place with the kind's verb (or the given one): 202 for PATCH, 204 for PUT. */
  async update(kind: KindSpec, key: string, body: JsonObject, options: { file?: UploadFile; verb?: 'PATCH' | 'PUT'; object?: string } = {}): Promise<void> {
    const verb = options.verb ?? kind.updateVerb;
    if (verb === null) throw new PexipProtocolError(`${kind.title} objects cannot be updated; they are deleted and created again.`, { kind: kind.title, object: key });
    if (options.file && !kind.upload?.updateMultipart) {
      throw new PexipProtocolError(`a ${kind.title} package cannot be replaced in place; upload a new one instead.`, { kind: kind.title, object: key });
    }
    const payload = kind.upload?.updateMultipart ? this.payload(kind, body, options.file) : { json: body };
    // Errors name the object as people know it: the name given, else the natural key in the body, else the key.
    await this.request(verb, detailPath(kind, key), payload, { kind: kind.title, object: options.object ?? naturalKeyOf(kind, body) ?? key }, [200, 202, 204]);
  }

  /** Deletes an object (204). With `tolerateNotFound`, an object already gone counts as deleted. */
  async delete(kind: KindSpec, key: string, options: { tolerateNotFound?: boolean; object?: string } = {}): Promise<'deleted' | 'absent'> {
    const accepted = options.tolerateNotFound ? [200, 202, 204, 404] : [200, 202, 204];
    const answer = await this.request('DELETE', detailPath(kind, key), undefined, { kind: kind.title, object: options.object ?? key }, accepted);
    return answer.status === 404 ? 'absent' : 'deleted';
  }

  // ---- any list endpoint (status, history) ------------------------------------------------------------------

  /** Every object of a list endpoint, following `meta.next`. */
  async listPath(path: string, filters: Record<string, string> = {}, context: ErrorContext = {}): Promise<JsonObject[]> {
    const objects: JsonObject[] = [];
    const query = new URLSearchParams({ ...filters, limit: String(this.pageSize), offset: '0' });
    let next: string | null = `${path}?${query.toString()}`;
    const seen = new Set<string>();
    for (let page = 0; next !== null; page++) {
      if (seen.has(next) || page >= MAX_PAGES) {
        throw new PexipProtocolError(`pagination does not end (meta.next repeats ${next}).`, { ...context, method: 'GET', path });
      }
      seen.add(next);
      const answer = await this.request('GET', next, undefined, { ...context, path }, [200]);
      const envelope = answer.body as { meta?: { next?: unknown }; objects?: unknown };
      if (typeof envelope !== 'object' || envelope === null || !Array.isArray(envelope.objects) || typeof envelope.meta !== 'object' || envelope.meta === null) {
        throw new PexipProtocolError(`the list answer is not a Tastypie list; ${LIST_ENVELOPE_HINT}.`, { ...context, method: 'GET', path });
      }
      for (const item of envelope.objects) {
        if (typeof item !== 'object' || item === null || Array.isArray(item)) {
          throw new PexipProtocolError(`the list holds a non-object entry; ${LIST_ENVELOPE_HINT}.`, { ...context, method: 'GET', path });
        }
        objects.push(item as JsonObject);
      }
      const link = envelope.meta.next;
      next = typeof link === 'string' && link !== '' ? this.serverRelative(link) : null;
    }
    return objects;
  }

  /** A raw GET of any management-API path, for endpoints without a list envelope. */
  async getPath(path: string, context: ErrorContext = {}): Promise<unknown> {
    return (await this.request('GET', path, undefined, context, [200])).body;
  }

  // ---- internals --------------------------------------------------------------------------------------------

  private defaultRecovery(kind: KindSpec, body: JsonObject, live: readonly JsonObject[]): JsonObject | undefined {
    const key = naturalKeyOf(kind, body);
    const marker = kind.ownership.field;
    return live.find(
      (candidate) =>
        naturalKeyOf(kind, candidate) === key &&
        (marker === undefined || body[marker] === undefined || candidate[marker] === body[marker]),
    );
  }

  private async createdFrom(kind: KindSpec, answer: Answer, recover: (live: readonly JsonObject[]) => JsonObject | undefined, context: ErrorContext): Promise<Created> {
    const location = answer.headers.location;
    // Licences: the official provider does not trust Location and finds the licence by entitlement instead.
    if (location && kind.ownership.style !== 'terraform-state') {
      const uri = this.serverRelative(location);
      return { key: lastSegment(uri), uri, recovered: false };
    }
    const found = recover(await this.list(kind));
    if (!found) throw new PexipProtocolError('Pexip answered 201 Created but the new object is neither in a Location header nor in the list.', context);
    return { key: keyOf(kind, found), uri: this.uriOf(kind, found), recovered: false };
  }

  private uriOf(kind: KindSpec, object: JsonObject): string {
    return typeof object.resource_uri === 'string' ? this.serverRelative(object.resource_uri) : detailPath(kind, keyOf(kind, object));
  }

  /** Location and meta.next may be absolute URLs or server-relative paths; requests use paths. */
  private serverRelative(link: string): string {
    if (/^https?:\/\//i.test(link)) {
      const url = new URL(link);
      return `${url.pathname}${url.search}`;
    }
    return link.startsWith('/') ? link : `/${link}`;
  }

  /** JSON, or multipart/form-data for kinds with a package (the file part only when a file is given). */
  private payload(kind: KindSpec, body: JsonObject, file?: UploadFile): Payload {
    if (!kind.upload) return { json: body };
    const form = new FormData();
    for (const [name, value] of Object.entries(body)) {
      if (value !== undefined) form.append(name, encodeFormValue(value));
    }
    if (file) form.append(kind.upload.fileField, new Blob([file.content], { type: 'application/zip' }), file.fileName);
    return { form };
  }

  private objectBody(answer: Answer, context: ErrorContext): JsonObject {
    if (typeof answer.body !== 'object' || answer.body === null || Array.isArray(answer.body)) {
      throw new PexipProtocolError('expected a JSON object in the answer.', context);
    }
    return answer.body as JsonObject;
  }

  private async backoff(method: string, path: string, reason: string, attempt: number, retryAfterMs?: number): Promise<void> {
    const delay = retryDelay(this.retry, attempt, retryAfterMs);
    this.logger.info(`retrying ${method} ${path} after ${reason} (attempt ${attempt + 1} of ${this.retry.maxAttempts}, waiting ${(delay / 1000).toFixed(1)} s)`);
    if (reason !== 'HTTP 429') return this.wait(delay);
    if (Date.now() + delay > this.pausedUntil) {
      this.pausedUntil = Date.now() + delay;
      this.pause = this.wait(delay);
    }
    await this.pause;
  }

  /**
   * An idempotent request with retries on transient failures; statuses in `accepted` are returned, anything else
   * becomes a typed error. A POST through here is sent once.
   */
  private async request(method: 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST', path: string, payload: Payload, context: ErrorContext, accepted: number[]): Promise<Answer> {
    const ctx: ErrorContext = { ...context, method, path: context.path ?? path.split('?')[0] };
    const retryable = method !== 'POST';
    for (let attempt = 1; ; attempt++) {
      let answer: Answer;
      try {
        answer = await this.sendOnce(method, path, payload, ctx);
      } catch (error) {
        if (!(error instanceof NetworkFailure)) throw error;
        if (retryable && isTransientNetworkCode(error.code) && attempt < this.retry.maxAttempts && !this.halted) {
          await this.backoff(method, ctx.path!, `a network error (${error.code})`, attempt);
          continue;
        }
        throw errorForNetworkFailure(error.code, this.options.connection.timeoutMs, ctx, this.addressTarget(error));
      }
      if (accepted.includes(answer.status)) return answer;
      if (retryable && RETRYABLE_STATUSES.has(answer.status) && attempt < this.retry.maxAttempts && !this.halted) {
        await this.backoff(method, ctx.path!, `HTTP ${answer.status}`, attempt, parseRetryAfter(answer.headers['retry-after']));
        continue;
      }
      throw errorForResponse(answer.status, answer.body, answer.headers, ctx, this.prefix);
    }
  }

  /** One HTTP exchange with authentication; a 401 gets one retry when OAuth2 could renew its token. */
  private async sendOnce(method: string, path: string, payload: Payload, context: ErrorContext): Promise<Answer> {
    let answer = await this.exchange(method, path, payload, context);
    if (answer.status === 401 && (await this.auth.refreshAfterUnauthorized())) {
      this.logger.debug(`${method} ${path}: 401, token renewed, trying once more`);
      answer = await this.exchange(method, path, payload, context);
    }
    return answer;
  }

  private async exchange(method: string, path: string, payload: Payload, context: ErrorContext): Promise<Answer> {
    await this.pause;
    const headers: Record<string, string> = { Authorization: await this.auth.authorization() };
    let data: unknown;
    if (payload && 'json' in payload) {
      headers['Content-Type'] = 'application/json';
      data = JSON.stringify(payload.json);
    } else if (payload && 'form' in payload) {
      data = payload.form;
    }
    const started = Date.now();
    let response: AxiosResponse<string>;
    try {
      response = await this.http.request<string>({ method, url: path, data, headers });
    } catch (error) {
      const failure = NetworkFailure.from(error);
      this.logger.debug(`${method} ${path} → ${failure.code ?? 'network error'} (${Date.now() - started} ms)`);
      throw failure;
    }
    this.logger.debug(`${method} ${path} → ${response.status} (${Date.now() - started} ms)`);
    const responseHeaders = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    return { status: response.status, headers: responseHeaders, body: this.parseBody(response.status, responseHeaders, response.data, context) };
  }

  private parseBody(status: number, headers: Record<string, string>, text: string | undefined, context: ErrorContext): unknown {
    if (text === undefined || text === '') return undefined;
    const type = headers['content-type'] ?? '';
    const looksJson = /^\s*[[{]/.test(text);
    if (type.includes('text/html') || (!looksJson && /^\s*</.test(text))) {
      if (status >= 500 || status === 404 || (status >= 300 && status < 400)) return undefined;
      const title = /<title>([^<]{0,100})<\/title>/i.exec(text)?.[1]?.trim();
      throw new PexipProtocolError(
        `received an HTML page (HTTP ${status}${title ? `, "${title}"` : ''}) instead of JSON: a reverse proxy or login page is answering. Check PEXIP_ADDRESS points at the Management Node.`,
        { ...context, status },
      );
    }
    try {
      return JSON.parse(text);
    } catch {
      if (status >= 500) return undefined;
      throw new PexipProtocolError(`the answer (HTTP ${status}, ${type || 'no content type'}) is not valid JSON.`, { ...context, status });
    }
  }

  private async postForm(url: string, form: URLSearchParams): Promise<{ status: number; body: unknown }> {
    const context: ErrorContext = { kind: 'OAuth2 token', method: 'POST', path: new URL(url).pathname };
    try {
      const response = await this.http.request<string>({
        method: 'POST',
        url,
        data: form.toString(),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      let body: unknown;
      try {
        body = response.data ? JSON.parse(response.data) : undefined;
      } catch {
        body = undefined;
      }
      return { status: response.status, body };
    } catch (error) {
      if (error instanceof PexipConnectionError) throw error;
      const failure = NetworkFailure.from(error);
      throw errorForNetworkFailure(failure.code, this.options.connection.timeoutMs, context, {
        host: new URL(url).hostname,
        // The default token URL is derived from the address; only a token endpoint elsewhere came from its own variable.
        setting: new URL(url).origin === this.options.connection.address ? `${this.prefix}ADDRESS` : `${this.prefix}OAUTH2_TOKEN_URL`,
        certificateNames: failure.certificateNames,
      });
    }
  }
}
