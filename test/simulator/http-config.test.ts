import type { PexipSimulator } from '../../src/simulator/server';
import { profileBody, telehealthRuleBody } from '../helpers/fixtures';
import { brandingPackage, themePackage } from '../helpers/packages';
import { multipartBody, PASSWORD, raw, startSimulator, USER } from '../helpers/simulator';

/**
 * The simulator's configuration API over raw HTTP, checked against shared/reference/pexip-api.md (§1.5–§1.9,
 * §2–§7) rather than against our client, so the two cannot agree on the same mistake.
 */
const CONFIG = '/api/admin/configuration/v1';
let sim: PexipSimulator;

beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(() => sim.stop());

async function createProfile(overrides = {}): Promise<string> {
  const answer = await raw(sim, 'POST', `${CONFIG}/telehealth_profile/`, { json: profileBody(overrides) });
  expect(answer.status).toBe(201);
  return answer.headers.get('location')!;
}

describe('authentication', () => {
  it('answers 401 with a Basic challenge and no body when credentials are missing', async () => {
    const answer = await raw(sim, 'GET', `${CONFIG}/telehealth_profile/`, { auth: null });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(answer.text).toBe('');
  });

  it('answers 401 for a wrong password and 200 for the right one', async () => {
    const wrong = `Basic ${Buffer.from(`${USER}:nope`).toString('base64')}`;
    expect((await raw(sim, 'GET', `${CONFIG}/telehealth_profile/`, { auth: wrong })).status).toBe(401);
    expect((await raw(sim, 'GET', `${CONFIG}/telehealth_profile/`, { auth: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` })).status).toBe(200);
  });

  it('answers 401 for an unknown bearer token', async () => {
    expect((await raw(sim, 'GET', `${CONFIG}/telehealth_profile/`, { auth: 'Bearer made-up' })).status).toBe(401);
  });
});

describe('create, read, update, delete', () => {
  it('creates with 201, a server-relative Location and an empty body', async () => {
    const answer = await raw(sim, 'POST', `${CONFIG}/telehealth_profile/`, { json: profileBody() });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('location')).toBe(`${CONFIG}/telehealth_profile/1/`);
    expect(answer.text).toBe('');
  });

  it('reads an object without envelope, with id and resource_uri', async () => {
    const location = await createProfile();
    const answer = await raw(sim, 'GET', location);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ id: 1, name: 'Healthcare Org', resource_uri: location, telehealth_call_domain: 'telehealth.example.org' });
  });

  it('fills server defaults for omitted fields', async () => {
    const location = await createProfile();
    const object = (await raw(sim, 'GET', location)).json as Record<string, unknown>;
    expect(object.service_name_template).toContain('{{unique_encounter_id}}');
    expect(object.launch_error_web_template).toBe('');
  });

  it('updates with PATCH → 202 and an empty body, changing only the given fields', async () => {
    const location = await createProfile();
    const answer = await raw(sim, 'PATCH', location, { json: { description: 'changed' } });
    expect(answer.status).toBe(202);
    expect(answer.text).toBe('');
    expect((await raw(sim, 'GET', location)).json).toMatchObject({ description: 'changed', name: 'Healthcare Org' });
  });

  it('replaces with PUT → 204, resetting omitted fields to their defaults', async () => {
    const location = await createProfile({ launch_error_web_template: '<p>sorry</p>' });
    const answer = await raw(sim, 'PUT', location, { json: profileBody({ description: 'put' }) });
    expect(answer.status).toBe(204);
    expect((await raw(sim, 'GET', location)).json).toMatchObject({ description: 'put', launch_error_web_template: '' });
  });

  it('refuses a PUT without required fields', async () => {
    const location = await createProfile();
    const answer = await raw(sim, 'PUT', location, { json: { name: 'only a name' } });
    expect(answer.status).toBe(400);
    expect((answer.json as Record<string, Record<string, string[]>>).telehealth_profile.uuid).toEqual(['This field is required.']);
  });

  it('deletes with 204, after which the object is 404 with an empty body', async () => {
    const location = await createProfile();
    expect((await raw(sim, 'DELETE', location)).status).toBe(204);
    const gone = await raw(sim, 'GET', location);
    expect(gone.status).toBe(404);
    expect(gone.text).toBe('');
    expect((await raw(sim, 'DELETE', location)).status).toBe(404);
  });

  it('answers 404 for an unknown id and an unknown resource', async () => {
    expect((await raw(sim, 'GET', `${CONFIG}/telehealth_profile/999/`)).status).toBe(404);
    expect((await raw(sim, 'GET', `${CONFIG}/no_such_thing/`)).status).toBe(404);
  });

  it('answers 405 with Allow for methods a resource does not take (licences cannot be updated)', async () => {
    const answer = await raw(sim, 'PATCH', `${CONFIG}/licence/X/`, { json: {} });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET, DELETE');
  });

  it('redirects a path without its trailing slash', async () => {
    const answer = await raw(sim, 'GET', `${CONFIG}/telehealth_profile?limit=1`);
    expect(answer.status).toBe(301);
    expect(answer.headers.get('location')).toBe(`${CONFIG}/telehealth_profile/?limit=1`);
  });

  it('ignores read-only and unknown fields on write, as Tastypie does', async () => {
    const location = await createProfile({ id: 77, resource_uri: '/elsewhere/', not_a_field: 1 });
    expect(location).toBe(`${CONFIG}/telehealth_profile/1/`);
    expect((await raw(sim, 'GET', location)).json).not.toHaveProperty('not_a_field');
  });
});

describe('400 field errors, keyed by resource name', () => {
  const post = (resource: string, json: unknown) => raw(sim, 'POST', `${CONFIG}/${resource}/`, { json });

  it('reports every missing required field', async () => {
    const answer = await post('gateway_routing_rule', {});
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({
      gateway_routing_rule: { name: ['This field is required.'], priority: ['This field is required.'], match_string: ['This field is required.'] },
    });
  });

  it('reports a value over its maximum length', async () => {
    const answer = await post('telehealth_profile', profileBody({ name: 'n'.repeat(251) }));
    expect(answer.json).toEqual({ telehealth_profile: { name: ['Ensure this value has at most 250 characters (it has 251).'] } });
  });

  it('reports a value outside an enum', async () => {
    const answer = await post('telehealth_profile', profileBody({ epic_encryption_key_type: 'rot13' }));
    expect((answer.json as Record<string, Record<string, string[]>>).telehealth_profile.epic_encryption_key_type[0]).toMatch(/^Select a valid choice\. rot13 is not one of the available choices/);
  });

  it('reports a duplicate name and a duplicate uuid with "already exists"', async () => {
    await createProfile();
    const answer = await post('telehealth_profile', profileBody());
    expect(answer.json).toEqual({
      telehealth_profile: {
        name: ['Epic telehealth profile with this Name already exists.'],
        uuid: ['Epic telehealth profile with this UUID already exists.'],
      },
    });
  });

  it('reports template rules', async () => {
    const answer = await post('telehealth_profile', profileBody({ service_name_template: 'Visit' }));
    expect(answer.json).toEqual({ telehealth_profile: { service_name_template: ['The template must contain {{unique_encounter_id}}.'] } });
  });

  it('reports AES-256 without base64key', async () => {
    const answer = await post('telehealth_profile', profileBody({ epic_encryption_key_type: 'password', epic_encryption_key: 'a sufficiently long password' }));
    expect((answer.json as Record<string, Record<string, string[]>>).telehealth_profile.epic_encryption_key_type).toEqual(['AES-256-CBC requires key type base64key.']);
  });

  it('does not enforce this project\'s own key-strength policy (Pexip would not)', async () => {
    expect((await post('telehealth_profile', profileBody({ epic_encryption_key: Buffer.alloc(32, 1).toString('base64') }))).status).toBe(201);
  });

  it('reports a reference to an object that does not exist', async () => {
    const answer = await post('gateway_routing_rule', telehealthRuleBody(`${CONFIG}/telehealth_profile/42/`));
    expect(answer.json).toEqual({
      gateway_routing_rule: { telehealth_profile: [`Could not find the telehealth_profile referenced by "${CONFIG}/telehealth_profile/42/".`] },
    });
  });

  it('reports a reference to an object of the wrong kind', async () => {
    const answer = await post('gateway_routing_rule', telehealthRuleBody(`${CONFIG}/ivr_theme/1/`));
    expect(answer.status).toBe(400);
  });

  it('reports an out-of-range priority on PATCH', async () => {
    const location = await createProfile();
    const rule = await post('gateway_routing_rule', telehealthRuleBody(location));
    const answer = await raw(sim, 'PATCH', rule.headers.get('location')!, { json: { priority: 0 } });
    expect(answer.json).toEqual({ gateway_routing_rule: { priority: ['Ensure this value is greater than or equal to 1.'] } });
  });

  it('uses {"error": ...} for malformed JSON and unsupported content types', async () => {
    const malformed = await raw(sim, 'POST', `${CONFIG}/policy_server/`, { body: '{"name": ', headers: { 'Content-Type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toEqual({ error: 'Malformed JSON in request body.' });
    const text = await raw(sim, 'POST', `${CONFIG}/policy_server/`, { body: 'name=x', headers: { 'Content-Type': 'text/plain' } });
    expect(text.json).toEqual({ error: "The format indicated 'text/plain' had no available deserialization method." });
  });
});

describe('references', () => {
  it('reads a rule\'s telehealth profile as a URI and its theme as a nested object', async () => {
    const profile = await createProfile();
    const created = await raw(sim, 'POST', `${CONFIG}/gateway_routing_rule/`, { json: telehealthRuleBody(`http://manager.example.org${profile}`, { ivr_theme: `${CONFIG}/ivr_theme/2/` }) });
    const rule = (await raw(sim, 'GET', created.headers.get('location')!)).json as Record<string, unknown>;
    expect(rule.telehealth_profile).toBe(profile);
    expect(rule.ivr_theme).toMatchObject({ id: 2, name: 'Pexip theme (English_UK)', uuid: 'defaultplushash', resource_uri: `${CONFIG}/ivr_theme/2/` });
    expect(rule.disabled_codecs).toEqual([]);
    expect(rule.creation_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
  });

  it('accepts a nested object naming the target, as Tastypie does', async () => {
    const profile = await createProfile();
    const created = await raw(sim, 'POST', `${CONFIG}/gateway_routing_rule/`, { json: telehealthRuleBody(profile, { ivr_theme: { name: 'Pexip theme (English_US)' } }) });
    expect(created.status).toBe(201);
    expect(((await raw(sim, 'GET', created.headers.get('location')!)).json as { ivr_theme: { id: number } }).ivr_theme.id).toBe(4);
  });

  it('refuses to delete a profile a rule still uses, and lists the theme\'s rules', async () => {
    const profile = await createProfile();
    const rule = await raw(sim, 'POST', `${CONFIG}/gateway_routing_rule/`, { json: telehealthRuleBody(profile, { ivr_theme: `${CONFIG}/ivr_theme/1/` }) });
    const refused = await raw(sim, 'DELETE', profile);
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({ error: 'Cannot delete Epic telehealth profile "Healthcare Org": it is still used by call routing rule "Epic telehealth".' });
    expect(((await raw(sim, 'GET', `${CONFIG}/ivr_theme/1/`)).json as { gateway_routing_rule: string[] }).gateway_routing_rule).toEqual([rule.headers.get('location')]);
  });

  it('clears references instead when started with referencedDelete=set-null', async () => {
    await sim.stop();
    sim = await startSimulator({ referencedDelete: 'set-null' });
    const profile = await createProfile();
    const rule = await raw(sim, 'POST', `${CONFIG}/gateway_routing_rule/`, { json: telehealthRuleBody(profile) });
    expect((await raw(sim, 'DELETE', profile)).status).toBe(204);
    expect(((await raw(sim, 'GET', rule.headers.get('location')!)).json as { telehealth_profile: null }).telehealth_profile).toBeNull();
  });

  it('never deletes built-in themes', async () => {
    expect((await raw(sim, 'DELETE', `${CONFIG}/ivr_theme/1/`)).status).toBe(400);
  });
});

describe('secrets', () => {
  const SECRETS = ['epic_patient_app_client_secret', 'epic_provider_app_client_secret', 'epic_encryption_key'];

  it.each([
    ['encrypted', (v: unknown) => expect(v).toMatch(/^\$~!1[A-Za-z0-9+/=]+$/)],
    ['blank', (v: unknown) => expect(v).toBe('')],
    ['omit', (v: unknown) => expect(v).toBeUndefined()],
  ] as const)('never echoes secrets (read mode %s)', async (mode, check) => {
    await sim.stop();
    sim = await startSimulator({ secretReadMode: mode });
    const body = profileBody();
    const location = await createProfile();
    const answer = await raw(sim, 'GET', location);
    const listed = await raw(sim, 'GET', `${CONFIG}/telehealth_profile/`);
    for (const field of SECRETS) {
      check((answer.json as Record<string, unknown>)[field]);
      expect(answer.text).not.toContain(String(body[field]).slice(0, 20));
      expect(listed.text).not.toContain('patient-secret-q8Zt');
    }
  });

  it('exports secrets as fingerprints unless asked for them', async () => {
    await createProfile();
    const exported = JSON.stringify(sim.exportState());
    expect(exported).not.toContain('patient-secret-q8Zt');
    expect(exported).toMatch(/"epic_patient_app_client_secret":"sha256:[0-9a-f]{16}"/);
    expect(JSON.stringify(sim.exportState({ includeSecrets: true }))).toContain('patient-secret-q8Zt');
  });

  it('does not allow filtering on a secret field', async () => {
    const answer = await raw(sim, 'GET', `${CONFIG}/telehealth_profile/?epic_encryption_key__startswith=a`);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ error: "The 'epic_encryption_key' field does not allow filtering." });
  });
});

describe('multipart uploads', () => {
  it('creates a theme from a multipart POST with a package file part', async () => {
    const { body, contentType } = multipartBody({ name: 'Telehealth waiting room' }, { field: 'package', fileName: 'theme.zip', content: themePackage() });
    const answer = await raw(sim, 'POST', `${CONFIG}/ivr_theme/`, { body, headers: { 'Content-Type': contentType } });
    expect(answer.status).toBe(201);
    const theme = (await raw(sim, 'GET', answer.headers.get('location')!)).json as Record<string, unknown>;
    expect(theme).toMatchObject({ id: 5, name: 'Telehealth waiting room' });
    expect(theme.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(theme).not.toHaveProperty('package');
  });

  it('refuses a theme without a package, or with a package that is not a ZIP or lacks themeconfig.json', async () => {
    const post = (file?: Buffer) => {
      const { body, contentType } = multipartBody({ name: 'T' }, file ? { field: 'package', fileName: 't.zip', content: file } : undefined);
      return raw(sim, 'POST', `${CONFIG}/ivr_theme/`, { body, headers: { 'Content-Type': contentType } });
    };
    expect((await post()).json).toEqual({ ivr_theme: { package: ['This field is required.'] } });
    expect((await post(Buffer.from('not a zip'))).json).toEqual({ ivr_theme: { package: ['The uploaded file is not a valid ZIP archive.'] } });
    expect((await post(brandingPackage())).json).toEqual({ ivr_theme: { package: ['The package must contain themeconfig.json.'] } });
  });

  it('replaces a theme package with a multipart PATCH and bumps last_updated', async () => {
    const first = multipartBody({ name: 'T' }, { field: 'package', fileName: 't.zip', content: themePackage('a') });
    const location = (await raw(sim, 'POST', `${CONFIG}/ivr_theme/`, { body: first.body, headers: { 'Content-Type': first.contentType } })).headers.get('location')!;
    const before = ((await raw(sim, 'GET', location)).json as { last_updated: string }).last_updated;
    await new Promise((r) => setTimeout(r, 5));
    const second = multipartBody({}, { field: 'package', fileName: 't.zip', content: themePackage('b') });
    expect((await raw(sim, 'PATCH', location, { body: second.body, headers: { 'Content-Type': second.contentType } })).status).toBe(202);
    expect(((await raw(sim, 'GET', location)).json as { last_updated: string }).last_updated > before).toBe(true);
  });

  it('creates web app branding keyed by a server uuid in Location', async () => {
    const { body, contentType } = multipartBody({ name: 'Telehealth', webapp_type: 'webapp3', description: '' }, { field: 'branding_file', fileName: 'b.zip', content: brandingPackage() });
    const answer = await raw(sim, 'POST', `${CONFIG}/webapp_branding/`, { body, headers: { 'Content-Type': contentType } });
    expect(answer.status).toBe(201);
    const location = answer.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^${CONFIG}/webapp_branding/[0-9a-f-]{36}/$`));
    const branding = (await raw(sim, 'GET', location)).json as Record<string, unknown>;
    expect(location).toBe(`${CONFIG}/webapp_branding/${String(branding.uuid)}/`);
    expect(branding).toMatchObject({ name: 'Telehealth', webapp_type: 'webapp3', is_default: false });
  });

  it('answers an empty branding package with the unwrapped "No branding files found"', async () => {
    const { body, contentType } = multipartBody({ name: 'B', webapp_type: 'webapp3' }, { field: 'branding_file', fileName: 'b.zip', content: themePackage() });
    const answer = await raw(sim, 'POST', `${CONFIG}/webapp_branding/`, { body, headers: { 'Content-Type': contentType } });
    expect(answer.json).toEqual({ webapp_branding: { branding_file: ['No branding files found'] } });
  });

  it('lets a JSON PATCH rename branding but not change its web app type', async () => {
    const { body, contentType } = multipartBody({ name: 'B', webapp_type: 'webapp3' }, { field: 'branding_file', fileName: 'b.zip', content: brandingPackage() });
    const location = (await raw(sim, 'POST', `${CONFIG}/webapp_branding/`, { body, headers: { 'Content-Type': contentType } })).headers.get('location')!;
    expect((await raw(sim, 'PATCH', location, { json: { name: 'Renamed' } })).status).toBe(202);
    const refused = await raw(sim, 'PATCH', location, { json: { webapp_type: 'webapp2' } });
    expect(refused.json).toEqual({ webapp_branding: { webapp_type: ['This field cannot be changed after upload; upload a new web app branding package instead.'] } });
  });

  it('reads a web app path\'s branding back as a nested object', async () => {
    const { body, contentType } = multipartBody({ name: 'B', webapp_type: 'webapp3' }, { field: 'branding_file', fileName: 'b.zip', content: brandingPackage() });
    const branding = (await raw(sim, 'POST', `${CONFIG}/webapp_branding/`, { body, headers: { 'Content-Type': contentType } })).headers.get('location')!;
    const alias = await raw(sim, 'POST', `${CONFIG}/webapp_alias/`, { json: { slug: 'telehealth', webapp_type: 'webapp3', branding } });
    const read = (await raw(sim, 'GET', alias.headers.get('location')!)).json as { branding: { uuid: string }; is_enabled: boolean };
    expect(branding).toContain(read.branding.uuid);
    expect(read.is_enabled).toBe(false);
  });
});

describe('licences', () => {
  it('activates an entitlement (spaces ignored), lists it by fulfillment id and counts it in status/licensing', async () => {
    const answer = await raw(sim, 'POST', `${CONFIG}/licence/`, { json: { entitlement_id: 'DEMO-TELEHEALTH- 0001', offline_mode: false } });
    expect(answer.status).toBe(201);
    const list = (await raw(sim, 'GET', `${CONFIG}/licence/`)).json as { objects: Record<string, unknown>[] };
    expect(list.objects).toHaveLength(1);
    expect(list.objects[0]).toMatchObject({ entitlement_id: 'DEMO-TELEHEALTH-0001', license_type: 'telehealth', concurrent: 50 });
    expect(answer.headers.get('location')).toBe(`${CONFIG}/licence/${String(list.objects[0].fulfillment_id)}/`);
    const status = (await raw(sim, 'GET', '/api/admin/status/v1/licensing/')).json as { objects: Record<string, unknown>[] };
    expect(status.objects[0]).toMatchObject({ telehealth_total: 50 });
  });

  it('refuses an unknown entitlement and a second activation', async () => {
    expect((await raw(sim, 'POST', `${CONFIG}/licence/`, { json: { entitlement_id: 'NOPE' } })).json).toEqual({
      licence: { entitlement_id: ['The licence server does not recognise this entitlement key.'] },
    });
    await raw(sim, 'POST', `${CONFIG}/licence/`, { json: { entitlement_id: 'DEMO-TELEHEALTH-0001' } });
    expect((await raw(sim, 'POST', `${CONFIG}/licence/`, { json: { entitlement_id: 'DEMO-TELEHEALTH-0001' } })).json).toEqual({
      licence: { entitlement_id: ['This entitlement key has already been activated.'] },
    });
  });

  it('returns a licence with DELETE', async () => {
    const location = (await raw(sim, 'POST', `${CONFIG}/licence/`, { json: { entitlement_id: 'DEMO-TELEHEALTH-0001' } })).headers.get('location')!;
    expect((await raw(sim, 'DELETE', location)).status).toBe(204);
    expect(((await raw(sim, 'GET', '/api/admin/status/v1/licensing/')).json as { objects: { telehealth_total: number }[] }).objects[0].telehealth_total).toBe(0);
  });
});

describe('schema and discovery', () => {
  it('serves a root map of list endpoints and schemas', async () => {
    const root = (await raw(sim, 'GET', `${CONFIG}/`)).json as Record<string, { list_endpoint: string; schema: string }>;
    expect(root.telehealth_profile).toEqual({ list_endpoint: `${CONFIG}/telehealth_profile/`, schema: `${CONFIG}/telehealth_profile/schema/` });
  });

  it('serves a Tastypie schema generated from the kind description', async () => {
    const schema = (await raw(sim, 'GET', `${CONFIG}/gateway_routing_rule/schema/`)).json as Record<string, any>;
    expect(schema.default_limit).toBe(20);
    expect(schema.allowed_detail_http_methods).toEqual(['get', 'put', 'patch', 'delete']);
    expect(schema.fields.called_device_type.valid_choices).toContain('telehealth_profile');
    expect(schema.fields.telehealth_profile).toMatchObject({ type: 'related', related_type: 'to_one', nullable: true });
  });
});
