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
  return tls ? https.createServer({ cert: tls.cert, key: tls.key }, listener) : http.createServer(listener);
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

/** Reads the whole body, refusing (413) once it grows past `limit` bytes. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
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

export function send(res: http.ServerResponse, reply: Reply): void {
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

export function notAllowed(allowed: readonly string[]): Reply {
  return { status: 405, headers: { Allow: allowed.join(', ') } };
}

export function problemReply(problem: HttpProblem): Reply {
  return { status: problem.status, body: problem.body, headers: problem.headers };
}
