import type { JsonObject, JsonValue } from '../kinds/types';
import { isPlainObject } from '../kinds/validate';
import { addAppointments } from './appointments';
import { notAllowed, type Reply } from './http';
import type { SimulatorData } from './store';

const SUCCESS: Reply = { status: 202, body: { status: 'success', data: null } };

/** `/api/admin/command/v1/`: ending an appointment (conference/disconnect) moves it from status to history. */
export class CommandApi {
  constructor(private readonly data: () => SimulatorData) {}

  handle(method: string, segments: readonly string[], body: Buffer): Reply {
    if (segments.length !== 2) return { status: 404 };
    if (method !== 'POST') return notAllowed(['POST']);
    let input: JsonValue;
    try {
      input = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      return { status: 400, body: { error: 'Malformed JSON in request body.' } };
    }
    const [scope, action] = segments;
    const args = isPlainObject(input) ? input : {};
    const data = this.data();
    if (scope === 'conference' && action === 'disconnect') {
      const conference = data.status.conference.find((c) => c.id === args.conference_id);
      if (!conference) return { status: 400, body: { conference_disconnect: { conference_id: ['Failed to find conference.'] } } };
      this.endConference(conference);
      return SUCCESS;
    }
    if (scope === 'participant' && action === 'disconnect') {
      const participant = data.status.participant.find((p) => p.id === args.participant_id);
      if (!participant) return { status: 400, body: { participant_disconnect: { participant_id: ['Failed to find participant.'] } } };
      data.status.participant = data.status.participant.filter((p) => p !== participant);
      return SUCCESS;
    }
    return { status: 404 };
  }

  private endConference(conference: JsonObject): void {
    const data = this.data();
    const participants = data.status.participant.filter((p) => p.conference === conference.name);
    data.status.conference = data.status.conference.filter((c) => c !== conference);
    data.status.participant = data.status.participant.filter((p) => !participants.includes(p));
    const profileName = participants.find((p) => p.role === 'chair')?.display_name;
    const patientName = participants.find((p) => p.role === 'guest')?.display_name;
    addAppointments(data, [
      {
        conferenceName: String(conference.name),
        profileName: String(profileName ?? ''),
        patientName: String(patientName ?? ''),
        appointmentId: '',
        start: `${String(conference.start_time)}Z`,
        end: new Date().toISOString(),
        extraParticipants: participants.slice(2).map((p) => ({ displayName: String(p.display_name), role: p.role === 'chair' ? 'provider' : 'patient' })),
      },
    ]);
  }
}
