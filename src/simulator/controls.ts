import type http from 'node:http';
import type { JsonObject, JsonValue } from '../kinds/types';
import { parseAppointmentsRequest } from './appointment-input';
import type { AppointmentSeed, DayOptions } from './appointments';
import { controlRefusal } from './control-guard';
import { SimulatorInputError } from './errors';
import type { ActiveFault, FaultSpec } from './faults';
import { answer, problemReply, readBody, type Reply } from './http';
import type { RequestRecord } from './management-api';
import { HttpProblem } from './tastypie';

export const CONTROL_PREFIX = '/_simulator/';

/** What the control endpoints drive: the simulator's own test-facing methods. */
export interface ControlTarget {
  readonly requests: readonly RequestRecord[];
  clearRequests(): void;
  listFaults(): readonly ActiveFault[];
  /** Adds a fault and returns its id. */
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

interface ControlRoute {
  /** Largest body accepted (default 1 MiB): the controls are for tests, and nothing but a state is big. */
  readonly maxBodyBytes?: number;
  run(target: ControlTarget, input: JsonValue | undefined, url: URL): Reply;
}

const MiB = 1024 * 1024;
const NO_CONTENT: Reply = { status: 204 };

function needBody(route: string, what: string): never {
  throw new SimulatorInputError(`${route} needs a JSON body: ${what}.`);
}

const ROUTES: Readonly<Record<string, ControlRoute>> = {
  'GET requests': { run: (t) => ({ status: 200, body: { requests: t.requests as unknown as JsonValue } }) },
  'DELETE requests': { run: (t) => (t.clearRequests(), NO_CONTENT) },
  'GET faults': { run: (t) => ({ status: 200, body: { faults: t.listFaults() as unknown as JsonValue } }) },
  'POST faults': {
    run: (t, input) => {
      if (input === undefined) needBody('POST /_simulator/faults', 'a fault such as {"action": {"type": "status", "status": 503}}');
      return { status: 201, body: { id: t.addFault(input as unknown as FaultSpec) } };
    },
  },
  'DELETE faults': { run: (t) => (t.clearFaults(), NO_CONTENT) },
  'GET state': { run: (t, _input, url) => ({ status: 200, body: t.exportState({ includeSecrets: url.searchParams.get('secrets') === 'include' }) }) },
  'PUT state': {
    maxBodyBytes: 16 * MiB,
    run: (t, input) => {
      if (input === undefined) needBody('PUT /_simulator/state', 'a state as exported by GET /_simulator/state');
      t.importState(input);
      return NO_CONTENT;
    },
  },
  'POST reset': { run: (t) => (t.reset(), NO_CONTENT) },
  'POST release': { run: (t) => (t.releaseHeld(), NO_CONTENT) },
  'POST expire-tokens': { run: (t) => (t.expireTokens(), NO_CONTENT) },
  'POST appointments': {
    run: (t, input) => {
      const request = parseAppointmentsRequest(input);
      if ('appointments' in request) {
        t.addAppointments(request.appointments);
        return { status: 201, body: { added: request.appointments.length } };
      }
      return { status: 201, body: t.addRealisticDay(request.realisticDay) };
    },
  },
};

/**
 * The test controls under `/_simulator/` (faults, request log, state, appointments), which a real Pexip does not
 * have. They answer loopback clients only (control-guard.ts), take and answer JSON, and are never logged, faulted,
 * delayed or authenticated like the management API.
 */
export class ControlApi {
  constructor(private readonly target: ControlTarget) {}

  async serve(req: http.IncomingMessage, res: http.ServerResponse, method: string, url: URL): Promise<void> {
    // Refusals never read the body; `answer` then ends the connection so that the client stops sending it.
    const refuse = (reply: Reply) => answer(req, res, reply);
    const refusal = controlRefusal(req);
    if (refusal) return refuse(refusal);
    const name = `${method} ${url.pathname.slice(CONTROL_PREFIX.length).replace(/\/$/, '')}`;
    const route = ROUTES[name];
    if (!route) return refuse({ status: 404, body: { error: `No control endpoint ${method} ${url.pathname}; there are: ${Object.keys(ROUTES).join(', ')}.` } });
    let body: Buffer;
    try {
      body = await readBody(req, res, route.maxBodyBytes ?? MiB);
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      return refuse(problemReply(error));
    }
    answer(req, res, this.run(route, body, url));
  }

  private run(route: ControlRoute, body: Buffer, url: URL): Reply {
    let input: JsonValue | undefined;
    try {
      input = body.length > 0 ? (JSON.parse(body.toString('utf8')) as JsonValue) : undefined;
    } catch (error) {
      return { status: 400, body: { error: `The request body is not valid JSON: ${(error as Error).message}.` } };
    }
    try {
      return route.run(this.target, input, url);
    } catch (error) {
      if (error instanceof SimulatorInputError) return { status: 400, body: { error: error.message } };
      throw error;
    }
  }
}
