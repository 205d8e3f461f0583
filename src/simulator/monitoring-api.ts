import type { JsonObject } from '../kinds/types';
import { notAllowed, type Reply } from './http';
import { licensingStatus } from './licensing';
import { rootMap } from './schema';
import { pexipTime, type SimulatorData } from './store';
import { applyFilters, applyOrdering, paginate } from './tastypie';

/** Fields each status/history list can be filtered and ordered by (reference §8). */
const FILTERS: Record<string, ReadonlySet<string>> = {
  'status/conference': new Set(['name', 'service_type', 'start_time', 'tag', 'is_locked', 'is_started']),
  'status/participant': new Set(['conference', 'display_name', 'role', 'service_type', 'connect_time', 'call_direction', 'protocol', 'service_tag']),
  'status/licensing': new Set([]),
  'status/management_vm': new Set(['name', 'primary', 'version']),
  'history/conference': new Set(['name', 'service_type', 'start_time', 'end_time', 'tag', 'duration', 'participant_count']),
  'history/participant': new Set(['conference', 'conference_name', 'display_name', 'role', 'start_time', 'end_time', 'service_type', 'protocol']),
};

const RESOURCES = { status: ['conference', 'participant', 'licensing', 'management_vm'], history: ['conference', 'participant'] } as const;

/** `/api/admin/status/v1/` and `/api/admin/history/v1/`: read-only lists, except deleting a history conference. */
export class MonitoringApi {
  constructor(
    private readonly data: () => SimulatorData,
    /** What `status/v1/management_vm/` reports as the Pexip version; null: not served (404). */
    private readonly version: string | null,
    /** Added to the telehealth counts (a twin's node had licences and calls the simulator does not model). */
    private readonly licensingBase: { telehealth_total: number; telehealth_count: number } = { telehealth_total: 0, telehealth_count: 0 },
  ) {}

  handle(api: 'status' | 'history', method: string, segments: readonly string[], url: URL): Reply {
    const resources: readonly string[] = RESOURCES[api];
    if (segments.length === 0) return method === 'GET' ? { status: 200, body: rootMap(api, resources) } : notAllowed(['GET']);
    const [resource, id, extra] = segments;
    if (!resources.includes(resource) || extra !== undefined) return { status: 404 };
    if (api === 'status' && resource === 'management_vm' && this.version === null) return { status: 404 };
    const objects = this.objects(api, resource);
    if (id !== undefined) {
      const allowed = api === 'history' && resource === 'conference' ? ['GET', 'DELETE'] : ['GET'];
      if (!allowed.includes(method)) return notAllowed(allowed);
      const found = objects.find((o) => o.id === id);
      if (!found) return { status: 404 };
      if (method === 'DELETE') {
        const data = this.data();
        data.history.conference = data.history.conference.filter((c) => c !== found);
        data.history.participant = data.history.participant.filter((p) => p.conference !== found.resource_uri);
        return { status: 204 };
      }
      return { status: 200, body: found };
    }
    if (method !== 'GET') return notAllowed(['GET']);
    const filterable = FILTERS[`${api}/${resource}`];
    const filtered = applyOrdering(applyFilters(objects, url.searchParams, filterable), url.searchParams, filterable);
    return { status: 200, body: paginate(filtered, url.pathname, url.searchParams) };
  }

  private objects(api: 'status' | 'history', resource: string): JsonObject[] {
    const data = this.data();
    if (api === 'status' && resource === 'licensing') {
      const licences = data.config.licence.map((l) => l.data);
      const telehealth = data.status.conference.filter((c) => String(c.name).startsWith('Appointment for ')).length;
      const status = licensingStatus(licences, telehealth, data.status.participant.length);
      const base = this.licensingBase;
      return [{ ...status, telehealth_total: Math.max(0, (status.telehealth_total as number) + base.telehealth_total), telehealth_count: (status.telehealth_count as number) + base.telehealth_count, resource_uri: '/api/admin/status/v1/licensing/1/' }];
    }
    if (api === 'status' && resource === 'management_vm') {
      // One Management Node, as status/v1/management_vm/ lists it (the SDK's ManagementVM fields).
      return [{ id: 1, configuration_id: 1, name: 'pexip-mgmt', primary: true, version: this.version, sync_status: 'SYNCED', upgrade_status: 'IDLE', last_updated: pexipTime(), last_attempted_contact: pexipTime(), resource_uri: '/api/admin/status/v1/management_vm/1/' }];
    }
    return data[api][resource as 'conference' | 'participant'];
  }
}
