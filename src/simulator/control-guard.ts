import type http from 'node:http';
import { isIP } from 'node:net';
import { carriesBody, type Reply } from './http';

/**
 * Who may use the `/_simulator/` controls. They are unauthenticated and can export secrets in clear, so they answer
 * only a loopback peer, whatever address the simulator listens on, and only a request addressed to a loopback name:
 * a web page that rebinds its own DNS name to 127.0.0.1 still sends its own name as Host, and a page on another
 * origin announces itself with Origin.
 */

/** Whether an IP address (as a socket reports it, IPv4-mapped forms included) is a loopback address. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const ip = address.toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  if (isIP(ip) === 4) return ip.startsWith('127.');
  if (isIP(ip) === 6) return /^(0{0,4}:){7}0{0,3}1$|^::1$/.test(ip);
  return false;
}

/** Whether a listen address keeps the simulator on this machine. */
export function isLoopbackBind(host: string): boolean {
  return host.toLowerCase() === 'localhost' || isLoopbackAddress(host);
}

/** Whether a Host header names this machine's loopback: `localhost`, `127.x.x.x` or `[::1]`, with any port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::\d{1,5})?$/.exec(host.trim());
  const name = match ? (match[1] ?? match[2]).toLowerCase() : undefined;
  if (!name) return false;
  return name === 'localhost' || isLoopbackAddress(name);
}

/** Whether an Origin header (sent by browsers) is absent or names a loopback origin. */
function isLoopbackOrigin(origin: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    return isLoopbackHost(new URL(origin).host);
  } catch {
    return false;
  }
}

/** The refusal for a control request that must not be served, before anything of its body is read. */
export function controlRefusal(req: http.IncomingMessage): Reply | undefined {
  const forbidden = (error: string): Reply => ({ status: 403, body: { error } });
  if (!isLoopbackAddress(req.socket.remoteAddress)) {
    return forbidden(`The /_simulator/ controls answer loopback clients only (this request came from ${req.socket.remoteAddress ?? 'an unknown address'}).`);
  }
  if (!isLoopbackHost(req.headers.host)) {
    return forbidden(`The /_simulator/ controls accept only a loopback Host (localhost, 127.0.0.1, [::1]); got ${req.headers.host === undefined ? 'none' : JSON.stringify(req.headers.host)}.`);
  }
  if (!isLoopbackOrigin(req.headers.origin)) {
    return forbidden(`The /_simulator/ controls do not answer web pages of other origins (Origin ${JSON.stringify(req.headers.origin)}).`);
  }
  if (carriesBody(req) && !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
    return { status: 415, body: { error: `Control requests with a body must be sent as Content-Type: application/json (got ${req.headers['content-type'] === undefined ? 'none' : JSON.stringify(req.headers['content-type'])}).` } };
  }
  return undefined;
}
