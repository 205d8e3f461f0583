import http from 'node:http';
import net from 'node:net';
import { networkInterfaces } from 'node:os';

/**
 * Requests below fetch's level, for what fetch cannot do: choose the Host header or the local address, send a
 * body that never ends, or watch for `100 Continue`.
 */

export interface WireAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: unknown;
}

/** One request with node:http, with any headers (Host included) to any address. */
export function httpRequest(options: { host: string; port: number; method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<WireAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: options.host, port: options.port, method: options.method ?? 'GET', path: options.path, headers: options.headers, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface UnfinishedExchange {
  /** The first response (or interim response) the server sent: its status line, headers and body. */
  readonly status: number;
  readonly head: string;
  readonly body: string;
  /** How many bytes of the request body had been written when the answer came. */
  readonly bodyBytesWritten: number;
  /** Resolves when the server closes the connection. */
  readonly closed: Promise<void>;
  readonly socket: net.Socket;
}

/**
 * Writes a request head and then, optionally, keeps writing body chunks (never finishing the body) until the server
 * answers; resolves with that first answer. A server that waited for the whole body would never answer.
 */
export function sendUnfinished(port: number, head: string, options: { chunk?: Buffer; maxChunks?: number; timeoutMs?: number; host?: string } = {}): Promise<UnfinishedExchange> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, options.host ?? '127.0.0.1');
    let received = Buffer.alloc(0);
    let written = 0;
    let answered = false;
    let chunks = 0;
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${options.timeoutMs ?? 5000} ms (${written} body bytes written)`));
    }, options.timeoutMs ?? 5000);
    socket.on('error', () => {}); // the server may reset the connection once it has answered
    const pump = () => {
      if (answered || !options.chunk || chunks >= (options.maxChunks ?? Infinity) || socket.destroyed) return;
      chunks++;
      socket.write(options.chunk, () => {
        written += options.chunk!.length;
        setImmediate(pump);
      });
    };
    socket.on('connect', () => {
      socket.write(head);
      pump();
    });
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0 || answered) return;
      const headText = received.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(headText)?.[1] ?? 0);
      if (received.length < end + 4 + length) return;
      answered = true;
      clearTimeout(timer);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(headText)?.[1]);
      resolve({ status, head: headText, body: received.subarray(end + 4, end + 4 + length).toString('utf8'), bodyBytesWritten: written, closed, socket });
    });
  });
}

/** The first non-internal IPv4 address of this machine, if it has one. */
export function externalIPv4(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
