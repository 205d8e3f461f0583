import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A recording HTTP proxy in front of the simulator. The simulator logs which requests came but not when, and a CLI
 * run's wall time includes Node's start-up and the secret/package pre-flight; "API time" must be the time spent
 * talking to Pexip, measured the same way for our CLI and for the direct-client floor. So every request passes
 * through here and is stamped on arrival and when its answer has been sent.
 */

export interface Exchange {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** ms since the proxy started (monotonic). */
  readonly start: number;
  end: number;
}

/** Seconds covered by at least one of the intervals (ms). */
export function unionSeconds(intervals: readonly (readonly [number, number])[]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let busy = 0;
  let until = -Infinity;
  for (const [start, end] of sorted) {
    if (end <= until) continue;
    busy += end - Math.max(start, until);
    until = end;
  }
  return busy / 1000;
}

export class TimingProxy {
  readonly exchanges: Exchange[] = [];
  private readonly agent = new http.Agent({ keepAlive: true });
  private readonly epoch = process.hrtime.bigint();
  private server?: http.Server;
  private port = 0;

  private constructor(private readonly target: URL) {}

  static async start(target: string): Promise<TimingProxy> {
    const proxy = new TimingProxy(new URL(target));
    const server = http.createServer((req, res) => proxy.forward(req, res));
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    proxy.server = server;
    proxy.port = (server.address() as AddressInfo).port;
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  clear(): void {
    this.exchanges.length = 0;
  }

  /**
   * Seconds with at least one request in flight (the union of the requests' intervals): the time spent on the API,
   * without the gaps where the client computes or another program (Terraform) runs.
   */
  busySeconds(): number {
    return unionSeconds(this.intervals());
  }

  /** The requests' intervals in ms on the process's monotonic clock, comparable across proxies. */
  intervals(): (readonly [number, number])[] {
    const zero = Number(this.epoch) / 1e6;
    return this.exchanges.map((e) => [zero + e.start, zero + (Number.isFinite(e.end) ? e.end : e.start)] as const);
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }

  private now(): number {
    return Number(process.hrtime.bigint() - this.epoch) / 1e6;
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const exchange: Exchange = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0], start: this.now(), end: Number.NaN };
    this.exchanges.push(exchange);
    const upstream = http.request(
      { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: { ...req.headers, host: this.target.host }, agent: this.agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => (exchange.end = this.now()));
      },
    );
    upstream.on('error', () => {
      exchange.end = this.now();
      res.destroy();
    });
    req.pipe(upstream);
  }
}
