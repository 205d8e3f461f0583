import http from 'node:http';
import type { SimulatorAuth } from './auth';
import type { CommandApi } from './command-api';
import type { ConfigurationApi } from './config-api';
import type { FaultAction, FaultInjector, HoldQueue } from './faults';
import { answer, problemReply, readBody, type Reply } from './http';
import { type LatencyOptions, latencyFor, sleep } from './latency';
import type { MonitoringApi } from './monitoring-api';
import { HttpProblem } from './tastypie';

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
const CONFIG_PREFIX = '/api/admin/configuration/v1/';
/** The token endpoint cannot authenticate before reading its (small, form-encoded) body, so it reads little. */
const TOKEN_BODY_LIMIT = 64 * 1024;

export interface ManagementOptions {
  /** The current authenticator (a restart replaces it, dropping every token). */
  readonly auth: () => SimulatorAuth;
  readonly config: ConfigurationApi;
  readonly monitoring: MonitoringApi;
  readonly command: CommandApi;
  readonly faults: FaultInjector;
  readonly held: HoldQueue;
  /** Serving HTTPS: the OAuth2 audience is an https URL. */
  readonly tls: boolean;
  /** No WWW-Authenticate challenge when only OAuth2 is accepted. */
  readonly disableBasic: boolean;
  /** Largest management-API request body (the token endpoint takes at most 64 KiB). */
  readonly maxBodyBytes: number;
  readonly latency: LatencyOptions;
}

/**
 * Everything a real Management Node answers (the management API and the OAuth2 token endpoint), with what a test
 * scripts around it: the request log, injected faults and latency.
 */
export class ManagementApi {
  readonly requests: RequestRecord[] = [];
  private seq = 0;

  constructor(private readonly options: ManagementOptions) {}

  async serve(req: http.IncomingMessage, res: http.ServerResponse, method: string, url: URL): Promise<void> {
    const [resource, key] = url.pathname.startsWith(CONFIG_PREFIX) ? url.pathname.slice(CONFIG_PREFIX.length).split('/') : [];
    const record: RequestRecord = { seq: ++this.seq, method, path: url.pathname, query: url.search, status: 0, resource: resource || undefined, key: key || undefined };
    this.requests.push(record);
    const fault = this.options.faults.take(method, url.pathname);
    if (fault && fault.type !== 'delay' && fault.type !== 'hold' && fault.type !== 'reset-after') {
      const reply = faultReply(fault);
      if (!reply) {
        record.status = 'reset';
        req.socket.destroy();
        return;
      }
      await sleep(latencyFor(method, this.options.latency));
      record.status = reply.status;
      if (!res.destroyed) answer(req, res, reply);
      return;
    }
    let reply: Reply;
    try {
      // Everything that can be refused without the body (unknown path, missing credentials) is refused first, so
      // nobody can make the simulator buffer a body without credentials.
      const refusal = this.refusal(req, method, url);
      let body: Buffer = Buffer.alloc(0);
      if (!refusal) {
        // Like a real server, the request is read first; a slow handler then goes on (and commits) even if the
        // client gives up waiting, which is what makes a timed-out create ambiguous.
        body = await readBody(req, res, isTokenPath(url.pathname) ? TOKEN_BODY_LIMIT : this.options.maxBodyBytes);
      }
      if (fault?.type === 'delay') await sleep(fault.ms);
      if (fault?.type === 'hold') await this.options.held.wait(fault.maxMs ?? 120_000);
      // After the body and before the commit: a write's latency is a slow commit, not a slow upload.
      await sleep(latencyFor(method, this.options.latency));
      reply = refusal ?? this.route(req, method, url, body);
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      reply = problemReply(error);
    }
    if (fault?.type === 'reset-after') {
      record.status = 'reset';
      req.socket.destroy();
      return;
    }
    record.status = reply.status;
    if (res.destroyed) return;
    answer(req, res, reply);
  }

  /** The answer to a request that must not get as far as reading its body, if it is one. */
  private refusal(req: http.IncomingMessage, method: string, url: URL): Reply | undefined {
    const path = url.pathname;
    if (isTokenPath(path)) return method === 'POST' ? undefined : { status: 405, headers: { Allow: 'POST' } };
    if (!path.startsWith(API_PREFIX)) return { status: 404 };
    if (!path.endsWith('/')) return { status: 301, headers: { Location: `${path}/${url.search}` } };
    if (!this.options.auth().accepts(req.headers.authorization)) {
      return { status: 401, headers: this.options.disableBasic ? {} : { 'WWW-Authenticate': 'Basic realm="Pexip Infinity Management"' } };
    }
    return undefined;
  }

  /** A request that passed `refusal`, with its body. */
  private route(req: http.IncomingMessage, method: string, url: URL, body: Buffer): Reply {
    const path = url.pathname;
    if (isTokenPath(path)) {
      const scheme = this.options.tls ? 'https' : 'http';
      const reply = this.options.auth().issueToken(new URLSearchParams(body.toString('utf8')), `${scheme}://${req.headers.host}/oauth/token/`);
      return { status: reply.status, body: reply.body };
    }
    const [api, version, ...rest] = path.slice(API_PREFIX.length).split('/').filter((s, i, all) => s !== '' || i < all.length - 1);
    const segments = rest.filter((s) => s !== '');
    if (version !== 'v1') return { status: 404 };
    switch (api) {
      case 'configuration':
        return this.options.config.handle({ method, segments, url, body, contentType: req.headers['content-type'] ?? '' });
      case 'status':
      case 'history':
        return this.options.monitoring.handle(api, method, segments, url);
      case 'command':
        return this.options.command.handle(method, segments, body);
      default:
        return { status: 404 };
    }
  }
}

function isTokenPath(path: string): boolean {
  return path === '/oauth/token/' || path === '/oauth/token';
}

function faultReply(fault: FaultAction): Reply | undefined {
  switch (fault.type) {
    case 'status':
      return { status: fault.status, body: fault.body, headers: { ...fault.headers, ...(fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {}) } };
    case 'html': {
      const title = `${fault.status} ${http.STATUS_CODES[fault.status] ?? ''}`;
      return { status: fault.status, raw: { contentType: 'text/html', text: `<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center><hr><center>nginx</center></body></html>` } };
    }
    case 'raw':
      return { status: fault.status, raw: { contentType: fault.contentType, text: fault.text } };
    default:
      return undefined;
  }
}
