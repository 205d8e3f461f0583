import { EPIC_ALGORITHM_WIRE } from '../../src/kinds';
import { telehealthProfile } from '../../src/kinds/telehealth-profile';
import { checkRules, validateForCreate } from '../../src/kinds/validate';
import { profileBody } from '../helpers/fixtures';

const errorsOf = (overrides: Record<string, unknown>) => validateForCreate(telehealthProfile, profileBody(overrides as never));
const fields = (overrides: Record<string, unknown>) => errorsOf(overrides).map((e) => e.field);

describe('telehealth_profile kind', () => {
  it('accepts a complete profile', () => {
    expect(errorsOf({})).toEqual([]);
  });

  it.each([
    ['service_name_template', 'Appointment', '{{unique_encounter_id}}'],
    ['patient_alias_template', 'p.alias', '{{base_telehealth_alias}}'],
    ['provider_alias_template', 'd.alias', '{{base_telehealth_alias}}'],
    ['patient_web_join_link_template', 'https://meet/', '{{telehealth_alias}}'],
  ])('requires %s to contain %s', (field, value, fragment) => {
    expect(errorsOf({ [field]: value })).toEqual([{ field, message: `The template must contain ${fragment}.` }]);
  });

  it('requires the provider join link to carry the alias and the pin parameter', () => {
    expect(errorsOf({ provider_web_join_link_template: 'https://meet/?conference={{telehealth_alias}}' })).toEqual([
      { field: 'provider_web_join_link_template', message: 'The template must contain pin.' },
    ]);
  });

  it('requires key type base64key with AES-256-CBC', () => {
    const errors = errorsOf({ epic_encryption_key_type: 'password', epic_encryption_key: 'a-long-enough-password-1' });
    expect(errors.map((e) => e.field)).toContain('epic_encryption_key_type');
    expect(errors.find((e) => e.field === 'epic_encryption_key_type')?.message).toBe('AES-256-CBC requires key type base64key.');
  });

  it('refuses a 16-byte key for AES-256-CBC, naming the rule and never the key', () => {
    const key = Buffer.alloc(16, 7).toString('base64');
    const errors = errorsOf({ epic_encryption_key: key });
    expect(errors).toHaveLength(1);
    expect(errors[0].field).toBe('epic_encryption_key');
    expect(errors[0].message).toMatch(/\[epic-key\/length\]$/);
    expect(errors[0].message).not.toContain(key);
  });

  it('accepts a 16-byte key or a long password for AES-128-CBC', () => {
    const aes128 = EPIC_ALGORITHM_WIRE['AES-128-CBC'];
    expect(errorsOf({ epic_encryption_algorithm: aes128, epic_encryption_key: require('node:crypto').randomBytes(16).toString('base64') })).toEqual([]);
    expect(errorsOf({ epic_encryption_algorithm: aes128, epic_encryption_key_type: 'password', epic_encryption_key: 'correct horse battery staple' })).toEqual([]);
  });

  it('refuses an algorithm Pexip does not offer', () => {
    expect(fields({ epic_encryption_algorithm: 'des' })).toEqual(['epic_encryption_algorithm']);
  });

  it('requires https URLs for Epic and web-app addresses', () => {
    expect(fields({ telehealth_integration_base_url: 'http://epic.example.org/' })).toEqual(['telehealth_integration_base_url']);
    expect(fields({ infinity_webapp_server_base_url: 'meet.example.org' })).toEqual(['infinity_webapp_server_base_url']);
  });

  it('requires the redirect URLs to end with the profile uuid (client rule)', () => {
    const errors = errorsOf({ patient_oauth2_redirect_url: 'https://meet.example.org/api/telehealth/v1/patient/oauth2authorized/other' });
    expect(errors).toEqual([{ field: 'patient_oauth2_redirect_url', message: 'The redirect URL must end with the profile uuid (…/oauth2authorized/<uuid>).' }]);
  });

  it('limits client secrets to 100 characters, as Pexip does', () => {
    expect(errorsOf({ epic_provider_app_client_secret: 'x'.repeat(101) })).toEqual([
      { field: 'epic_provider_app_client_secret', message: 'Ensure this value has at most 100 characters (it has 101).' },
    ]);
  });

  it('marks exactly the four Epic secrets as secret', () => {
    const secrets = Object.entries(telehealthProfile.fields).filter(([, s]) => s.secret).map(([n]) => n).sort();
    expect(secrets).toEqual(['epic_backend_oauth2_app_private_key', 'epic_encryption_key', 'epic_patient_app_client_secret', 'epic_provider_app_client_secret']);
  });

  it('separates rules Pexip enforces from this project\'s policy', () => {
    const byPexip = { ...telehealthProfile, rules: telehealthProfile.rules.filter((r) => r.enforcedBy === 'pexip') };
    const weakButLegal = profileBody({ epic_encryption_key: Buffer.alloc(32, 1).toString('base64') });
    expect(checkRules(byPexip, weakButLegal)).toEqual([]);
    expect(checkRules(telehealthProfile, weakButLegal).map((e) => e.message)).toEqual([expect.stringMatching(/epic-key\/low-entropy/)]);
  });
});
