import type { JsonObject, JsonValue } from '../kinds/types';
import { isPlainObject } from '../kinds/validate';
import type { AppointmentSeed, DayOptions } from './appointments';
import type { ActiveFault, FaultSpec } from './faults';
import type { Reply } from './http';
import type { RequestRecord } from './management-api';
import { HttpProblem } from './tastypie';

export const CONTROL_PREFIX = '/_simulator/';

/** What the control endpoints drive: the simulator's own test-facing methods. */
export interface ControlTarget {
  readonly requests: readonly RequestRecord[];
  clearRequests(): void;
  listFaults(): readonly ActiveFault[];
  addFault(spec: FaultSpec): number;
  clearFaults(): void;
  exportState(options: { includeSecrets?: boolean }): JsonObject;
  importState(state: JsonValue): void;
  reset(): void;
  releaseHeld(): void;
  expireTokens(): void;
  addAppointments(seeds: readonly AppointmentSeed[]): void;
  addRealisticDay(options: Partial<DayOptions> & { count: number }): { active: number; ended: number };
}

/**
 * The test controls under `/_simulator/` (faults, request log, state, appointments), which a real Pexip does not
 * have. They take and answer JSON and are never logged, faulted or authenticated like the management API.
 */
export class ControlApi {
  constructor(private readonly target: ControlTarget) {}

  handle(method: string, url: URL, body: Buffer): Reply {
    const route = url.pathname.slice(CONTROL_PREFIX.length).replace(/\/$/, '');
    let input: JsonValue = null;
    try {
      input = body.length > 0 ? JSON.parse(body.toString('utf8')) : null;
    } catch {
      return { status: 400, body: { error: 'control endpoints take JSON' } };
    }
    const target = this.target;
    try {
      switch (`${method} ${route}`) {
        case 'GET requests':
          return { status: 200, body: { requests: target.requests as unknown as JsonValue } };
        case 'DELETE requests':
          target.clearRequests();
          return { status: 204 };
        case 'GET faults':
          return { status: 200, body: { faults: target.listFaults() as unknown as JsonValue } };
        case 'POST faults':
          return { status: 201, body: { id: target.addFault(input as unknown as FaultSpec) } };
        case 'DELETE faults':
          target.clearFaults();
          return { status: 204 };
        case 'GET state':
          return { status: 200, body: target.exportState({ includeSecrets: url.searchParams.get('secrets') === 'include' }) };
        case 'PUT state':
          target.importState(input);
          return { status: 204 };
        case 'POST reset':
          target.reset();
          return { status: 204 };
        case 'POST release':
          target.releaseHeld();
          return { status: 204 };
        case 'POST expire-tokens':
          target.expireTokens();
          return { status: 204 };
        case 'POST appointments': {
          const args = isPlainObject(input) ? input : {};
          if (Array.isArray(args.appointments)) {
            target.addAppointments(args.appointments as unknown as AppointmentSeed[]);
            return { status: 201, body: { added: args.appointments.length } };
          }
          if (isPlainObject(args.realisticDay)) {
            const day = args.realisticDay as { count?: number; profileNames?: string[]; now?: string; seed?: number };
            const added = target.addRealisticDay({ count: Number(day.count ?? 300), profileNames: day.profileNames, now: day.now ? new Date(day.now) : undefined, seed: day.seed });
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
