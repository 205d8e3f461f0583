import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { JsonObject, JsonValue } from '../kinds/types';
import { addAppointments, type AppointmentSeed, type DayOptions, realisticDay } from './appointments';
import { SimulatorAuth } from './auth';
import { type KindCatalogue, resourceNames } from './catalogue';
import { CommandApi } from './command-api';
import { ConfigurationApi } from './config-api';
import { ConfigResources, type ReferencedDeleteMode, type SecretReadMode } from './config-resources';
import { isLoopbackBind } from './control-guard';
import { CONTROL_PREFIX, ControlApi } from './controls';
import { FaultInjector, type FaultSpec, HoldQueue } from './faults';
import { close, createServer, listen } from './http';
import { checkLatency, type LatencyOptions } from './latency';
import { DEFAULT_ENTITLEMENTS, type Entitlement } from './licensing';
import { ManagementApi, type RequestRecord } from './management-api';
import { MonitoringApi } from './monitoring-api';
import { parseState } from './state-format';
import { initialData, type NodeIdentitySeed, secretFingerprint, type SimulatorData } from './store';
import { licensingStatus } from './licensing';
import { type NodeModel, withNodeObjects } from './node-model';
import { fittedCatalogue } from './schema-fit';
import { type NodeVariant, VARIANTS, variantNode } from './variants';

export type { RequestRecord } from './management-api';
export { InvalidStateError, SimulatorInputError } from './errors';
export type { LatencyOptions } from './latency';
export { type NodeVariant, VARIANTS } from './variants';
export type { NodeModel } from './node-model';

const DEFAULT_HOST = '127.0.0.1';

export interface SimulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number;
  /**
   * Listen address (default 127.0.0.1). Any other address exposes the management API to the network and calls
   * `onWarning`; the `/_simulator/` controls answer loopback clients only, whatever the address.
   */
  readonly host?: string;
  /** Receives warnings about how the simulator is exposed (default: written to stderr). */
  readonly onWarning?: (message: string) => void;
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
  /** Largest management-API request body (default 64 MiB); a larger declared length is refused before reading. */
  readonly maxBodyBytes?: number;
  /** Delays on the management API and the token endpoint, never on the controls (default none). */
  readonly latency?: LatencyOptions;
  /** Behave like another real node (`VARIANTS`): other enum choices, missing fields, lengths, version. */
  readonly variant?: NodeVariant;
  /** Behave like this node (a snapshot's twin: `snapshotNode`); takes the place of `variant`. */
  readonly node?: NodeModel;
  /**
   * Who this Management Node is (`configuration/v1/management_vm/`): the node model's (a twin is its node), else a
   * host name made up at start (`mgmt-<6 hex>.sim.pexip.test`, 10.0.x.y), so two simulators are two nodes, as two
   * real ones are.
   */
  readonly identity?: Partial<NodeIdentitySeed>;
}

/**
 * A local Pexip Infinity Management Node over real HTTP: configuration, status, history and command APIs for the
 * kinds this project manages, faithful to `shared/reference/pexip-api.md`, plus control endpoints under
 * `/_simulator/` (faults, request log, state, appointments) that a real Pexip does not have.
 *
 * This class wires the parts and owns the lifecycle and state; each API lives in its own module.
 */
export class PexipSimulator {
  readonly faults = new FaultInjector();
  readonly requests: RequestRecord[];
  private data: SimulatorData;
  /** The node this instance behaves like. */
  private readonly node: NodeModel;
  /** The kinds this instance serves: our descriptions fitted to the node's schemas. */
  private readonly catalogue: KindCatalogue;
  private readonly held = new HoldQueue();
  private readonly management: ManagementApi;
  private readonly controls: ControlApi;
  private auth: SimulatorAuth;
  private server?: http.Server;
  private port = 0;
  /** Who this node is (kept across reset and restart). */
  readonly identity: NodeIdentitySeed;

  private constructor(private readonly options: SimulatorOptions) {
    checkLatency(options.latency ?? {});
    const node = options.node ?? variantNode(options.variant ?? VARIANTS.default);
    this.node = node;
    this.catalogue = fittedCatalogue(node.schemas);
    const made = randomBytes(3);
    this.identity = { hostname: `mgmt-${made.toString('hex')}`, domain: 'sim.pexip.test', address: `10.0.${made[0]}.${1 + (made[1] % 254)}`, ...node.identity, ...options.identity };
    this.data = this.freshData();
    this.auth = this.newAuth();
    const data = () => this.data;
    const config = new ConfigResources(data, {
      kinds: this.catalogue,
      secretReadMode: options.secretReadMode ?? 'encrypted',
      referencedDelete: options.referencedDelete ?? 'protect',
      entitlements: options.entitlements ?? DEFAULT_ENTITLEMENTS,
      themeUuids: node.themeUuids,
      unknownFields: node.unknownFields,
    });
    this.management = new ManagementApi({
      auth: () => this.auth,
      config: new ConfigurationApi(config),
      monitoring: new MonitoringApi(data, node.version, this.licensingBase()),
      command: new CommandApi(data),
      faults: this.faults,
      held: this.held,
      tls: Boolean(options.tls),
      disableBasic: options.disableBasic ?? false,
      maxBodyBytes: options.maxBodyBytes ?? 64 * 1024 * 1024,
      latency: options.latency ?? {},
    });
    this.requests = this.management.requests;
    this.controls = new ControlApi({
      requests: this.requests,
      clearRequests: () => this.clearRequests(),
      listFaults: () => this.faults.list(),
      addFault: (spec) => this.faults.add(spec).id,
      clearFaults: () => this.faults.clear(),
      exportState: (o) => this.exportState(o),
      importState: (state) => this.importState(state),
      reset: () => this.reset(),
      releaseHeld: () => this.releaseHeld(),
      expireTokens: () => this.expireTokens(),
      addAppointments: (seeds) => this.addAppointments(seeds),
      addRealisticDay: (o) => this.addRealisticDay(o),
    });
  }

  /** Starts a simulator and resolves once it listens. */
  static async start(options: SimulatorOptions = {}): Promise<PexipSimulator> {
    const simulator = new PexipSimulator(options);
    await simulator.listen(options.port ?? 0);
    const host = options.host ?? DEFAULT_HOST;
    if (!isLoopbackBind(host)) {
      const warn = options.onWarning ?? ((message: string) => process.stderr.write(`simulator: warning: ${message}\n`));
      warn(
        `listening on ${host} port ${simulator.port}: the management API is reachable from the network, protected only by its ` +
          `credentials${options.tls ? '' : ' sent in clear over plain HTTP'}; the /_simulator/ controls are not reachable from the network ` +
          '(they answer loopback clients only).',
      );
    }
    return simulator;
  }

  /** Base URL, e.g. `http://127.0.0.1:43121`; for a wildcard bind, the loopback address (where the controls answer). */
  get url(): string {
    const bound = this.options.host ?? DEFAULT_HOST;
    const host = bound === '0.0.0.0' ? '127.0.0.1' : bound === '::' ? '::1' : bound;
    return `${this.options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await close(server);
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
        const kind = this.catalogue.find(resource);
        if (!kind) continue;
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

  /**
   * Replaces everything the simulator holds with a state as `exportState({ includeSecrets: true })` gives it.
   * Throws InvalidStateError, changing nothing, when the state does not have that shape.
   */
  importState(state: JsonValue): void {
    this.data = parseState(state, resourceNames(this.catalogue), this.freshData());
  }

  reset(): void {
    this.data = this.freshData();
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
    return this.held.count;
  }

  /** Lets every held request go on. */
  releaseHeld(): void {
    this.held.releaseAll();
  }

  // ---- wiring -------------------------------------------------------------------------------------------------

  private freshData(): SimulatorData {
    return withNodeObjects(initialData(resourceNames(this.catalogue), this.identity), this.node);
  }

  /** A twin's licence counts beyond what its licence objects add up to here (what the snapshot could not show). */
  private licensingBase(): { telehealth_total: number; telehealth_count: number } | undefined {
    if (!this.node.licensing) return undefined;
    const served = licensingStatus(this.data.config.licence.map((l) => l.data), 0, 0).telehealth_total as number;
    return { telehealth_total: this.node.licensing.telehealth_total - served, telehealth_count: this.node.licensing.telehealth_count };
  }

  private newAuth(): SimulatorAuth {
    return new SimulatorAuth({
      users: this.options.users ?? { admin: 'pexip-simulator' },
      oauthClients: this.options.oauthClients ?? {},
      tokenLifetimeSeconds: this.options.tokenLifetimeSeconds ?? 3600,
      disableBasic: this.options.disableBasic ?? false,
    });
  }

  private async listen(port: number): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res), this.options.tls);
    this.port = await listen(server, port, this.options.host ?? DEFAULT_HOST);
    this.server = server;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname.startsWith(CONTROL_PREFIX)) await this.controls.serve(req, res, method, url);
    else await this.management.serve(req, res, method, url);
  }
}
