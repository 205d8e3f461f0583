import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { isKindName, kindByName } from '../kinds';
import type { JsonObject, JsonValue, KindSpec } from '../kinds/types';
import { isPlainObject } from '../kinds/validate';
import { addAppointments, type AppointmentSeed, type DayOptions, realisticDay } from './appointments';
import { SimulatorAuth } from './auth';
import { ConfigResources, type ReferencedDeleteMode, type SecretReadMode, type Upload } from './config-resources';
import { type FaultAction, FaultInjector, type FaultSpec } from './faults';
import { DEFAULT_ENTITLEMENTS, type Entitlement, licensingStatus } from './licensing';
import { MultipartError, multipartBoundary, parseMultipart } from './multipart';
import { filterableFields, kindSchema, rootMap } from './schema';
import { initialData, secretFingerprint, type SimulatorData } from './store';
import { applyFilters, applyOrdering, HttpProblem, paginate } from './tastypie';

export interface SimulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Listen address; loopback by default, since the control endpoints are unauthenticated. */
  readonly host?: string;
  /** Basic-auth users (name → password). Default: `admin` / `pexip-simulator`. */
  readonly users?: Readonly<Record<string, string>>;
  /** OAuth2 clients (client id → PEM public key). */
  readonly oauthClients?: Readonly<Record<string, string>>;
  /** OAuth2 token lifetime in seconds (default 3600). */
  readonly tokenLifetimeSeconds?: number;
  /** Accept OAuth2 tokens only (`api_oauth2_disable_basic`). */
  readonly disableBasic?: boolean;
  /** How secret fields read back (default `encrypted`, Pexip's `$~!1…` form). */
  readonly secretReadMode?: SecretReadMode;
  /** Deleting a referenced object: `protect` (default) refuses, `set-null` clears the references. */
  readonly referencedDelete?: ReferencedDeleteMode;
  /** Entitlement keys the fake licence server accepts (default: the demo keys in licensing.ts). */
  readonly entitlements?: Readonly<Record<string, Entitlement>>;
  /** Serve HTTPS with this certificate and key (PEM). */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Largest request body accepted (default 64 MiB). */
  readonly maxBodyBytes?: number;
}

/** One request the simulator received (control endpoints excluded). */
export interface RequestRecord {
  readonly seq: number;
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: string;
  /** Status answered, or `reset` when the connection was closed without an answer. */
  status: number | 'reset';
  /** Configuration resource and key, when the path names them. */
  readonly resource?: string;
  readonly key?: string;
}

const API_PREFIX = '/api/admin/';
const CONTROL_PREFIX = '/_simulator/';
const STATUS_FILTERS: Record<string, ReadonlySet<string>> = {
  'status/conference': new Set(['name', 'service_type', 'start_time', 'tag', 'is_locked', 'is_started']),
  'status/participant': new Set(['conference', 'display_name', 'role', 'service_type', 'connect_time', 'call_direction', 'protocol', 'service_tag']),
  'status/licensing': new Set([]),
  'history/conference': new Set(['name', 'service_type', 'start_time', 'end_time', 'tag', 'duration', 'participant_count']),
  'history/participant': new Set(['conference', 'conference_name', 'display_name', 'role', 'start_time', 'end_time', 'service_type', 'protocol']),
};

interface Reply {
  status: number;
  body?: JsonValue;
  headers?: Record<string, string>;
  /** Raw text body with its content type (HTML pages, malformed JSON faults). */
  raw?: { contentType: string; text: string };
}

/**
 * A local Pexip Infinity Management Node over real HTTP: configuration, status, history and command APIs for the
 * kinds this project manages, faithful to `shared/reference/pexip-api.md`, plus control endpoints under
 * `/_simulator/` (faults, request log, state, appointments) that a real Pexip does not have.
 */
export class PexipSimulator {
  readonly faults = new FaultInjector();
  readonly requests: RequestRecord[] = [];
  private data: SimulatorData = initialData();
  private readonly config: ConfigResources;
  private auth: SimulatorAuth;
  private server?: http.Server;
  private port = 0;
  private seq = 0;
  private held: (() => void)[] = [];

  private constructor(private readonly options: SimulatorOptions) {
    this.config = new ConfigResources(() => this.data, {
      secretReadMode: options.secretReadMode ?? 'encrypted',
      referencedDelete: options.referencedDelete ?? 'protect',
      entitlements: options.entitlements ?? DEFAULT_ENTITLEMENTS,
    });
    this.auth = this.newAuth();
  }

  /** Starts a simulator and resolves once it listens. */
  static async start(options: SimulatorOptions = {}): Promise<PexipSimulator> {
    const simulator = new PexipSimulator(options);
    await simulator.listen(options.port ?? 0);
    return simulator;
  }

  /** Base URL, e.g. `http://127.0.0.1:43121`. */
  get url(): string {
    const host = this.options.host ?? '127.0.0.1';
    return `${this.options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Stops and starts again on the same port, keeping configuration but dropping every OAuth2 token. */
  async restart(): Promise<void> {
    await this.stop();
    this.auth = this.newAuth();
    await this.listen(this.port);
  }

  /** Requests that changed (or tried to change) something. */
  writes(): RequestRecord[] {
    return this.requests.filter((r) => r.method !== 'GET' && !r.path.startsWith('/oauth/'));
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Ends every OAuth2 token now. */
  expireTokens(): void {
    this.auth.expireAllTokens();
  }

  /** Everything the simulator holds; secrets as fingerprints unless asked for. */
  exportState(options: { includeSecrets?: boolean } = {}): JsonObject {
    const state = structuredClone(this.data) as unknown as JsonObject;
    if (!options.includeSecrets) {
      for (const [resource, objects] of Object.entries(this.data.config)) {
        if (!isKindName(resource)) continue;
        const kind = kindByName(resource);
        for (const [index, object] of objects.entries()) {
          for (const [field, spec] of Object.entries(kind.fields)) {
            const value = object.data[field];
            if (spec.secret && typeof value === 'string' && value !== '') {
              ((((state.config as JsonObject)[resource] as JsonValue[])[index] as JsonObject).data as JsonObject)[field] = secretFingerprint(value);
            }
          }
        }
      }
    }
    return state;
  }

  importState(state: JsonValue): void {
    if (!isPlainObject(state) || !isPlainObject(state.config) || !isPlainObject(state.counters)) {
      throw new HttpProblem(400, { error: 'State must be an object with "config" and "counters" as exported.' });
    }
    const fresh = initialData();
    this.data = { ...fresh, ...(structuredClone(state) as unknown as SimulatorData) };
  }

  reset(): void {
    this.data = initialData();
    this.faults.clear();
    this.clearRequests();
  }

  addAppointments(seeds: readonly AppointmentSeed[]): void {
    addAppointments(this.data, seeds);
  }

  /** Adds a generated day of appointments; returns how many are active and how many ended. */
  addRealisticDay(options: Partial<DayOptions> & { count: number }): { active: number; ended: number } {
    const profileNames = options.profileNames ?? this.data.config.telehealth_profile.map((p) => String(p.data.name));
    const seeds = realisticDay({ ...options, profileNames: profileNames.length > 0 ? profileNames : ['Healthcare Org'], now: options.now ?? new Date() });
    addAppointments(this.data, seeds, options.seed ?? 1);
    const active = seeds.filter((s) => s.end === undefined).length;
    return { active, ended: seeds.length - active };
  }

  addFault(spec: FaultSpec): void {
    this.faults.add(spec);
  }

  /** Requests waiting on a `hold` fault. */
  get heldCount(): number {
    return this.held.length;
  }

  /** Lets every held request go on. */
  releaseHeld(): void {
    const held = this.held;
    this.held = [];
    for (const release of held) release();
  }

  // ---- HTTP ---------------------------------------------------------------------------------------------------

  private newAuth(): SimulatorAuth {
    return new SimulatorAuth({
      users: this.options.users ?? { admin: 'pexip-simulator' },
      oauthClients: this.options.oauthClients ?? {},
      tokenLifetimeSeconds: this.options.tokenLifetimeSeconds ?? 3600,
      disableBasic: this.options.disableBasic ?? false,
    });
  }

  private listen(port: number): Promise<void> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.handle(req, res).catch((error: unknown) => {
        // A bug in the simulator: answer like a crashed Django would, and say why on stderr.
        process.stderr.write(`simulator: internal error: ${(error as Error).stack ?? String(error)}\n`);
        if (!res.headersSent) this.send(res, { status: 500, body: { error: 'Internal server error' } });
      });
    };
    this.server = this.options.tls ? https.createServer({ cert: this.options.tls.cert, key: this.options.tls.key }, handler) : http.createServer(handler);
    const server = this.server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.options.host ?? '127.0.0.1', () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname.startsWith(CONTROL_PREFIX)) {
      const body = await this.readBody(req).catch(() => Buffer.alloc(0));
      this.send(res, this.control(method, url, body));
      return;
    }
    const [resource, key] = url.pathname.startsWith('/api/admin/configuration/v1/') ? url.pathname.slice(28).split('/') : [];
    const record: RequestRecord = { seq: ++this.seq, method, path: url.pathname, query: url.search, status: 0, resource: resource || undefined, key: key || undefined };
    this.requests.push(record);
    const fault = this.faults.take(method, url.pathname);
    if (fault && fault.type !== 'delay' && fault.type !== 'hold' && fault.type !== 'reset-after') {
      const reply = this.faultReply(fault);
      if (!reply) {
        record.status = 'reset';
        req.socket.destroy();
        return;
      }
      record.status = reply.status;
      this.send(res, reply);
      return;
    }
    let reply: Reply;
    try {
      // Like a real server, the request is read first; a slow handler then goes on (and commits) even if the
      // client gives up waiting, which is what makes a timed-out create ambiguous.
      const body = await this.readBody(req);
      if (fault?.type === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
      if (fault?.type === 'hold') {
        await new Promise<void>((resolve) => {
          this.held.push(resolve);
          setTimeout(resolve, fault.maxMs ?? 120_000);
        });
      }
      reply = this.route(req, method, url, body);
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      reply = { status: error.status, body: error.body, headers: error.headers };
    }
    if (fault?.type === 'reset-after') {
      record.status = 'reset';
      req.socket.destroy();
      return;
    }
    record.status = reply.status;
    if (res.destroyed) return;
    this.send(res, reply);
  }

  private faultReply(fault: FaultAction): Reply | undefined {
    switch (fault.type) {
      case 'status':
        return { status: fault.status, body: fault.body, headers: { ...fault.headers, ...(fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {}) } };
      case 'html':
        return { status: fault.status, raw: { contentType: 'text/html', text: `<html><head><title>${fault.status} ${http.STATUS_CODES[fault.status] ?? ''}</title></head><body><center><h1>${fault.status} ${http.STATUS_CODES[fault.status] ?? ''}</h1></center><hr><center>nginx</center></body></html>` } };
      case 'raw':
        return { status: fault.status, raw: { contentType: fault.contentType, text: fault.text } };
      default:
        return undefined;
    }
  }

  private readBody(req: http.IncomingMessage): Promise<Buffer> {
    const limit = this.options.maxBodyBytes ?? 64 * 1024 * 1024;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          reject(new HttpProblem(413, { error: `Request body larger than ${limit} bytes.` }));
          req.resume();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  private send(res: http.ServerResponse, reply: Reply): void {
    const headers: Record<string, string> = { ...reply.headers };
    let text = '';
    if (reply.raw) {
      headers['Content-Type'] = reply.raw.contentType;
      text = reply.raw.text;
    } else if (reply.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      text = JSON.stringify(reply.body);
    }
    headers['Content-Length'] = String(Buffer.byteLength(text));
    res.writeHead(reply.status, headers);
    res.end(text);
  }

  private route(req: http.IncomingMessage, method: string, url: URL, body: Buffer): Reply {
    const path = url.pathname;
    if (path === '/oauth/token/' || path === '/oauth/token') {
      if (method !== 'POST') return { status: 405, headers: { Allow: 'POST' } };
      const scheme = this.options.tls ? 'https' : 'http';
      const reply = this.auth.issueToken(new URLSearchParams(body.toString('utf8')), `${scheme}://${req.headers.host}/oauth/token/`);
      return { status: reply.status, body: reply.body };
    }
    if (!path.startsWith(API_PREFIX)) return { status: 404 };
    if (!path.endsWith('/')) return { status: 301, headers: { Location: `${path}/${url.search}` } };
    if (!this.auth.accepts(req.headers.authorization)) {
      return { status: 401, headers: this.options.disableBasic ? {} : { 'WWW-Authenticate': 'Basic realm="Pexip Infinity Management"' } };
    }
    const [api, version, ...rest] = path.slice(API_PREFIX.length).split('/').filter((s, i, all) => s !== '' || i < all.length - 1);
    const segments = rest.filter((s) => s !== '');
    if (version !== 'v1') return { status: 404 };
    switch (api) {
      case 'configuration':
        return this.configuration(method, segments, url, body, req.headers['content-type'] ?? '');
      case 'status':
      case 'history':
        return this.monitoring(api, method, segments, url);
      case 'command':
        return this.command(method, segments, body);
      default:
        return { status: 404 };
    }
  }

  private configuration(method: string, segments: string[], url: URL, body: Buffer, contentType: string): Reply {
    if (segments.length === 0) return method === 'GET' ? { status: 200, body: rootMap('configuration', ConfigResources.resources()) } : notAllowed(['GET']);
    const [resource, key, extra] = segments;
    if (!ConfigResources.resources().includes(resource) || extra !== undefined) return { status: 404 };
    const kind = isKindName(resource) ? kindByName(resource) : undefined;
    if (key === 'schema') {
      if (!kind) return { status: 404 };
      return method === 'GET' ? { status: 200, body: kindSchema(kind) } : notAllowed(['GET']);
    }
    const allowed = kind ? (key === undefined ? kind.methods.list : kind.methods.detail) : ['GET'];
    if (!(allowed as readonly string[]).includes(method)) return notAllowed(allowed);
    if (method === 'GET') {
      if (key !== undefined) return { status: 200, body: this.config.get(resource, decodeURIComponent(key)) };
      const filterable = kind ? filterableFields(kind) : new Set(['name', 'id']);
      const objects = applyOrdering(applyFilters(this.config.list(resource), url.searchParams, filterable), url.searchParams, filterable);
      return { status: 200, body: paginate(objects, url.pathname, url.searchParams) };
    }
    const target = kind!;
    if (method === 'DELETE') {
      if (key === undefined) this.config.deleteAll(target);
      else this.config.delete(target, decodeURIComponent(key));
      return { status: 204 };
    }
    const { json, form, files } = parseWriteBody(target, body, contentType);
    if (method === 'POST') {
      const created = this.config.create(target, json, form, files);
      return { status: 201, headers: { Location: created.location } };
    }
    if (key === undefined) {
      this.config.bulk(target, json);
      return { status: 202 };
    }
    this.config.update(target, decodeURIComponent(key), json, form, files, method === 'PUT');
    return { status: method === 'PUT' ? 204 : 202 };
  }

  private monitoring(api: 'status' | 'history', method: string, segments: string[], url: URL): Reply {
    const resources = api === 'status' ? ['conference', 'participant', 'licensing'] : ['conference', 'participant'];
    if (segments.length === 0) return method === 'GET' ? { status: 200, body: rootMap(api, resources) } : notAllowed(['GET']);
    const [resource, id, extra] = segments;
    if (!resources.includes(resource) || extra !== undefined) return { status: 404 };
    const objects = this.monitoringObjects(api, resource);
    if (id !== undefined) {
      const allowed = api === 'history' && resource === 'conference' ? ['GET', 'DELETE'] : ['GET'];
      if (!allowed.includes(method)) return notAllowed(allowed);
      const found = objects.find((o) => o.id === id);
      if (!found) return { status: 404 };
      if (method === 'DELETE') {
        this.data.history.conference = this.data.history.conference.filter((c) => c !== found);
        this.data.history.participant = this.data.history.participant.filter((p) => p.conference !== found.resource_uri);
        return { status: 204 };
      }
      return { status: 200, body: found };
    }
    if (method !== 'GET') return notAllowed(['GET']);
    const filterable = STATUS_FILTERS[`${api}/${resource}`];
    const filtered = applyOrdering(applyFilters(objects, url.searchParams, filterable), url.searchParams, filterable);
    return { status: 200, body: paginate(filtered, url.pathname, url.searchParams) };
  }

  private monitoringObjects(api: 'status' | 'history', resource: string): JsonObject[] {
    if (api === 'status' && resource === 'licensing') {
      const licences = this.data.config.licence.map((l) => l.data);
      const telehealth = this.data.status.conference.filter((c) => String(c.name).startsWith('Appointment for ')).length;
      return [{ ...licensingStatus(licences, telehealth, this.data.status.participant.length), resource_uri: '/api/admin/status/v1/licensing/1/' }];
    }
    return this.data[api][resource as 'conference' | 'participant'];
  }

  /** Command API: ending an appointment (conference/disconnect) moves it from status to history. */
  private command(method: string, segments: string[], body: Buffer): Reply {
    if (segments.length !== 2) return { status: 404 };
    if (method !== 'POST') return notAllowed(['POST']);
    let input: JsonValue;
    try {
      input = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      return { status: 400, body: { error: 'Malformed JSON in request body.' } };
    }
    const [scope, action] = segments;
    const args = isPlainObject(input) ? input : {};
    if (scope === 'conference' && action === 'disconnect') {
      const conference = this.data.status.conference.find((c) => c.id === args.conference_id);
      if (!conference) return { status: 400, body: { conference_disconnect: { conference_id: ['Failed to find conference.'] } } };
      this.endConference(conference);
      return { status: 202, body: { status: 'success', data: null } };
    }
    if (scope === 'participant' && action === 'disconnect') {
      const participant = this.data.status.participant.find((p) => p.id === args.participant_id);
      if (!participant) return { status: 400, body: { participant_disconnect: { participant_id: ['Failed to find participant.'] } } };
      this.data.status.participant = this.data.status.participant.filter((p) => p !== participant);
      return { status: 202, body: { status: 'success', data: null } };
    }
    return { status: 404 };
  }

  private endConference(conference: JsonObject): void {
    const participants = this.data.status.participant.filter((p) => p.conference === conference.name);
    this.data.status.conference = this.data.status.conference.filter((c) => c !== conference);
    this.data.status.participant = this.data.status.participant.filter((p) => !participants.includes(p));
    const profileName = participants.find((p) => p.role === 'chair')?.display_name;
    const patientName = participants.find((p) => p.role === 'guest')?.display_name;
    addAppointments(this.data, [
      {
        conferenceName: String(conference.name),
        profileName: String(profileName ?? ''),
        patientName: String(patientName ?? ''),
        appointmentId: '',
        start: `${String(conference.start_time)}Z`,
        end: new Date().toISOString(),
        extraParticipants: participants.slice(2).map((p) => ({ displayName: String(p.display_name), role: p.role === 'chair' ? 'provider' : 'patient' })),
      },
    ]);
  }

  private control(method: string, url: URL, body: Buffer): Reply {
    const route = url.pathname.slice(CONTROL_PREFIX.length).replace(/\/$/, '');
    let input: JsonValue = null;
    try {
      input = body.length > 0 ? JSON.parse(body.toString('utf8')) : null;
    } catch {
      return { status: 400, body: { error: 'control endpoints take JSON' } };
    }
    try {
      switch (`${method} ${route}`) {
        case 'GET requests':
          return { status: 200, body: { requests: this.requests as unknown as JsonValue } };
        case 'DELETE requests':
          this.clearRequests();
          return { status: 204 };
        case 'GET faults':
          return { status: 200, body: { faults: this.faults.list() as unknown as JsonValue } };
        case 'POST faults':
          return { status: 201, body: { id: this.faults.add(input as unknown as FaultSpec).id } };
        case 'DELETE faults':
          this.faults.clear();
          return { status: 204 };
        case 'GET state':
          return { status: 200, body: this.exportState({ includeSecrets: url.searchParams.get('secrets') === 'include' }) };
        case 'PUT state':
          this.importState(input);
          return { status: 204 };
        case 'POST reset':
          this.reset();
          return { status: 204 };
        case 'POST release':
          this.releaseHeld();
          return { status: 204 };
        case 'POST expire-tokens':
          this.expireTokens();
          return { status: 204 };
        case 'POST appointments': {
          const args = isPlainObject(input) ? input : {};
          if (Array.isArray(args.appointments)) {
            this.addAppointments(args.appointments as unknown as AppointmentSeed[]);
            return { status: 201, body: { added: args.appointments.length } };
          }
          if (isPlainObject(args.realisticDay)) {
            const day = args.realisticDay as { count?: number; profileNames?: string[]; now?: string; seed?: number };
            const added = this.addRealisticDay({ count: Number(day.count ?? 300), profileNames: day.profileNames, now: day.now ? new Date(day.now) : undefined, seed: day.seed });
            return { status: 201, body: added };
          }
          return { status: 400, body: { error: 'expected {"appointments": [...]} or {"realisticDay": {"count": N}}' } };
        }
        default:
          return { status: 404, body: { error: `no control endpoint ${method} ${url.pathname}` } };
      }
    } catch (error) {
      if (error instanceof HttpProblem) return { status: error.status, body: error.body };
      return { status: 400, body: { error: (error as Error).message } };
    }
  }
}

function notAllowed(allowed: readonly string[]): Reply {
  return { status: 405, headers: { Allow: allowed.join(', ') } };
}

/** JSON or multipart body of a write; anything else is refused as Tastypie refuses an unknown format. */
function parseWriteBody(kind: KindSpec, body: Buffer, contentType: string): { json: JsonObject; form?: Record<string, string>; files: Record<string, Upload> } {
  const boundary = multipartBoundary(contentType);
  if (boundary) {
    try {
      const parsed = parseMultipart(body, boundary);
      return { json: {}, form: parsed.fields, files: parsed.files };
    } catch (error) {
      if (error instanceof MultipartError) throw new HttpProblem(400, { error: `Malformed multipart body: ${error.message}.` });
      throw error;
    }
  }
  if (!/^application\/json/i.test(contentType)) {
    throw new HttpProblem(400, { error: `The format indicated '${contentType.split(';')[0] || '(none)'}' had no available deserialization method.` });
  }
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpProblem(400, { error: 'Malformed JSON in request body.' });
  }
  if (!isPlainObject(parsed)) throw new HttpProblem(400, { [kind.name]: { __all__: ['Expected a JSON object.'] } });
  return { json: parsed, files: {} };
}
