import { InvalidStateError, type PexipSimulator } from '../../src/simulator/server';
import { profileBody } from '../helpers/fixtures';
import { raw, startSimulator } from '../helpers/simulator';

/**
 * A malformed state is refused whole (400 over HTTP, InvalidStateError in the library) and leaves the simulator as
 * it was, instead of being accepted and then breaking the API with 500s.
 */
const CONFIG = '/api/admin/configuration/v1';
let sim: PexipSimulator;

beforeEach(async () => {
  sim = await startSimulator();
  expect((await raw(sim, 'POST', `${CONFIG}/telehealth_profile/`, { json: profileBody() })).status).toBe(201);
  sim.addAppointments([{ patientName: 'Kai Picardo', profileName: 'Healthcare Org', appointmentId: 'a1', start: '2026-11-25T09:00:00Z' }]);
});
afterEach(() => sim.stop());

const object = { key: '1', data: { id: 1, name: 'x' }, files: {} };
const BAD: [string, unknown, string][] = [
  ['an array', [], 'state must be an object as exported by GET /_simulator/state (got an array).'],
  ['no config', { counters: {} }, 'state.config must be an object (got nothing).'],
  ['a misspelt top-level field', { config: {}, counters: {}, histroy: {} }, 'state has unknown field "histroy" (known: config, counters, status, history, licenceRequests).'],
  ['a collection that is not an array', { config: { telehealth_profile: {} }, counters: {} }, 'state.config.telehealth_profile must be an array of objects (got an object).'],
  ['an unknown resource', { config: { no_such_thing: [] }, counters: {} }, 'state.config.no_such_thing: "no_such_thing" is not a configuration resource of this simulator'],
  ['a numeric key', { config: { policy_server: [{ ...object, key: 1 }] }, counters: {} }, 'state.config.policy_server[0].key must be a non-empty string (got number 1).'],
  ['data that is not an object', { config: { policy_server: [{ ...object, data: 'x' }] }, counters: {} }, 'state.config.policy_server[0].data must be an object (got string "x").'],
  ['no files', { config: { policy_server: [{ key: '1', data: {} }] }, counters: {} }, 'state.config.policy_server[0].files must be an object (got nothing).'],
  ['a malformed file record', { config: { ivr_theme: [{ ...object, files: { package: { fileName: 't.zip' } } }] }, counters: {} }, 'state.config.ivr_theme[0].files.package.sha256 must be a string (got nothing).'],
  ['builtIn that is not a boolean', { config: { policy_server: [{ ...object, builtIn: 'yes' }] }, counters: {} }, 'state.config.policy_server[0].builtIn must be true or false when present (got string "yes").'],
  ['a key used twice', { config: { policy_server: [object, object] }, counters: {} }, 'state.config.policy_server[1].key "1" is used twice.'],
  ['a counter that is not a number', { config: {}, counters: { policy_server: 'one' } }, 'state.counters.policy_server must be a non-negative integer (got string "one").'],
  ['status null', { config: {}, counters: {}, status: null }, 'state.status must be an object (got null).'],
  ['history without participants', { config: {}, counters: {}, history: { conference: [] } }, 'state.history.participant must be an array of objects (got nothing).'],
  ['a status conference that is not an object', { config: {}, counters: {}, status: { conference: [7], participant: [] } }, 'state.status.conference[0] must be an object (got number 7).'],
  ['licence requests that are not a list', { config: {}, counters: {}, licenceRequests: {} }, 'state.licenceRequests must be an array of objects (got an object).'],
];

async function expectApiUnchanged(before: unknown): Promise<void> {
  expect(sim.exportState({ includeSecrets: true })).toEqual(before);
  const profiles = await raw(sim, 'GET', `${CONFIG}/telehealth_profile/`);
  expect(profiles.status).toBe(200);
  expect((profiles.json as { objects: { name: string }[] }).objects.map((p) => p.name)).toEqual(['Healthcare Org']);
  expect((await raw(sim, 'GET', '/api/admin/status/v1/conference/')).status).toBe(200);
  expect((await raw(sim, 'GET', '/api/admin/status/v1/licensing/')).status).toBe(200);
  expect((await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'after' } })).status).toBe(201);
}

describe('PUT /_simulator/state', () => {
  it.each(BAD)('refuses %s with 400, and the API goes on as before', async (_case, state, message) => {
    const before = sim.exportState({ includeSecrets: true });
    const answer = await raw(sim, 'PUT', '/_simulator/state', { json: state });
    expect(answer.status).toBe(400);
    expect((answer.json as { error: string }).error.startsWith(message)).toBe(true);
    await expectApiUnchanged(before);
  });

  it('refuses no body, naming what it needs', async () => {
    const answer = await raw(sim, 'PUT', '/_simulator/state');
    expect(answer).toMatchObject({ status: 400, json: { error: 'PUT /_simulator/state needs a JSON body: a state as exported by GET /_simulator/state.' } });
  });

  it('accepts its own export, and a minimal state that leaves the rest as on a fresh node', async () => {
    const exported = sim.exportState({ includeSecrets: true });
    expect((await raw(sim, 'PUT', '/_simulator/state', { json: exported })).status).toBe(204);
    expect(sim.exportState({ includeSecrets: true })).toEqual(exported);
    const minimal = { config: { policy_server: [{ key: '7', data: { id: 7, name: 'Imported', description: '' }, files: {} }] }, counters: {} };
    expect((await raw(sim, 'PUT', '/_simulator/state', { json: minimal })).status).toBe(204);
    expect(((await raw(sim, 'GET', `${CONFIG}/ivr_theme/`)).json as { meta: { total_count: number } }).meta.total_count).toBe(4);
    expect(((await raw(sim, 'GET', '/api/admin/status/v1/conference/')).json as { meta: { total_count: number } }).meta.total_count).toBe(0);
    // The missing counter is raised past the imported key, so a create does not reuse it.
    expect((await raw(sim, 'POST', `${CONFIG}/policy_server/`, { json: { name: 'New' } })).headers.get('location')).toBe(`${CONFIG}/policy_server/8/`);
  });
});

describe('importState (library)', () => {
  it.each(BAD)('throws InvalidStateError for %s and changes nothing', async (_case, state, message) => {
    const before = sim.exportState({ includeSecrets: true });
    let thrown: unknown;
    try {
      sim.importState(state as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidStateError);
    expect((thrown as Error).message.startsWith(message)).toBe(true);
    await expectApiUnchanged(before);
  });
});
