import { PexipClient, type PexipClientOptions } from '../../src/api/client';
import { connectionFromEnv } from '../../src/api/settings';
import type { JsonValue } from '../../src/kinds/types';
import { PexipSimulator, type SimulatorOptions } from '../../src/simulator/server';

export const USER = 'admin';
export const PASSWORD = 'sim-password-7f3a';

export function startSimulator(options: SimulatorOptions = {}): Promise<PexipSimulator> {
  return PexipSimulator.start({ users: { [USER]: PASSWORD }, ...options });
}

/** The environment a CLI or client needs to reach the simulator. */
export function simulatorEnv(simulator: PexipSimulator, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PEXIP_ADDRESS: simulator.url, PEXIP_USERNAME: USER, PEXIP_PASSWORD: PASSWORD, ...extra };
}

/** A client for the simulator that does not really sleep between retries. */
export function clientFor(simulator: PexipSimulator, options: Partial<PexipClientOptions> = {}, env: NodeJS.ProcessEnv = {}): PexipClient {
  return new PexipClient({ connection: connectionFromEnv(simulatorEnv(simulator, env)), sleep: async () => {}, ...options });
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: JsonValue | undefined;
}

/** A request over plain HTTP (fetch), deliberately not through our client. */
export async function raw(
  simulator: PexipSimulator,
  method: string,
  path: string,
  options: { json?: unknown; body?: RequestInit['body']; headers?: Record<string, string>; auth?: string | null } = {},
): Promise<RawAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  const auth = options.auth === undefined ? `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` : options.auth;
  if (auth !== null) headers.Authorization = auth;
  let body = options.body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(`${simulator.url}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  let json: JsonValue | undefined;
  try {
    json = text ? (JSON.parse(text) as JsonValue) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A multipart/form-data body built by hand, so the simulator's parser is tested against the wire format itself. */
export function multipartBody(fields: Record<string, string>, file?: { field: string; fileName: string; content: Buffer }): { body: Buffer; contentType: string } {
  const boundary = '----pexiptestboundary7MA4YWxkTrZu0gW';
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.fileName}"\r\nContent-Type: application/zip\r\n\r\n`));
    parts.push(file.content, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
