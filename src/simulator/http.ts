import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { JsonValue } from '../kinds/types';
import { HttpProblem } from './tastypie';

/** What one API layer answers; the plumbing turns it into bytes. */
export interface Reply {
  status: number;
  body?: JsonValue;
  headers?: Record<string, string>;
  /** Raw text body with its content type (HTML pages, malformed JSON faults). */
  raw?: { contentType: string; text: string };
}

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/** TLS material for HTTPS (PEM). */
export interface TlsMaterial {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

/** An HTTP(S) server running `handler`; a handler that throws is a simulator bug, answered like a crashed Django. */
export function createServer(handler: RequestHandler, tls?: TlsMaterial): http.Server {
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handler(req, res).catch((error: unknown) => {
      process.stderr.write(`simulator: internal error: ${(error as Error).stack ?? String(error)}\n`);
      if (!res.headersSent) send(res, { status: 500, body: { error: 'Internal server error' } });
    });
  };
  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, listener) : http.createServer(listener);
  // Handled like any request: readBody sends 100 Continue only once the request has passed every check.
  server.on('checkContinue', listener);
  return server;
}

/** Listens and resolves with the port actually bound (useful with port 0). */
export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Closes a server now, dropping open connections (held requests included). */
export async function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Whether the request carries a body (declared length above zero, or chunked). */
export function carriesBody(req: http.IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

function tooLarge(limit: number): HttpProblem {
  return new HttpProblem(413, { error: `Request body larger than ${limit} bytes.` });
}

/**
 * Reads the whole body, refusing (413) a declared length over `limit` before reading anything, and a chunked body
 * as soon as it grows past `limit`. A client waiting for `100 Continue` is told to go on only here, so a request
 * refused earlier never sends its body at all. Answer a refusal with `answer`, which ends the connection.
 */
export function readBody(req: http.IncomingMessage, res: http.ServerResponse, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeListener('data', onData);
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    // A client that went away mid-body gets no answer; the caller sees an ordinary refusal, not a crash.
    req.on('error', () => reject(new HttpProblem(400, { error: 'The request body ended early.' })));
  });
}

function serialise(reply: Reply): { headers: Record<string, string>; text: string } {
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
  return { headers, text };
}

/** Writes a reply on a connection that stays open for the next request. */
export function send(res: http.ServerResponse, reply: Reply): void {
  const { headers, text } = serialise(reply);
  res.writeHead(reply.status, headers);
  res.end(text);
}

/** How long a refused request's connection stays open, reading and dropping what the client still sends. */
const LINGER_MS = 2000;

/**
 * Writes a reply, and when the request's body has not been (wholly) read, which is what a refusal is about, ends
 * the connection so that the client stops sending. Ending it gently matters: Node's own `Connection: close`
 * handling closes the socket with unread data, which resets the connection, and a client still writing its body
 * then loses the answer. So the answer goes straight to the socket followed by a FIN, and whatever still arrives is
 * read and dropped (never buffered) for a moment before the socket closes.
 */
export function answer(req: http.IncomingMessage, res: http.ServerResponse, reply: Reply): void {
  if (!carriesBody(req) || req.complete) {
    send(res, reply);
    return;
  }
  const socket = req.socket;
  if (socket.destroyed) return;
  const { headers, text } = serialise(reply);
  const fields = { Date: new Date().toUTCString(), ...headers, Connection: 'close' };
  for (const [name, value] of Object.entries(fields)) {
    http.validateHeaderName(name);
    http.validateHeaderValue(name, value);
  }
  const head = [`HTTP/1.1 ${reply.status} ${http.STATUS_CODES[reply.status] ?? ''}`, ...Object.entries(fields).map(([name, value]) => `${name}: ${value}`)];
  socket.end(`${head.join('\r\n')}\r\n\r\n${text}`);
  req.resume();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

export function notAllowed(allowed: readonly string[]): Reply {
  return { status: 405, headers: { Allow: allowed.join(', ') } };
}

export function problemReply(problem: HttpProblem): Reply {
  return { status: problem.status, body: problem.body, headers: problem.headers };
}
