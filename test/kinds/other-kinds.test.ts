import { ivrTheme } from '../../src/kinds/ivr-theme';
import { licence } from '../../src/kinds/licence';
import { policyServer } from '../../src/kinds/policy-server';
import { validateForCreate } from '../../src/kinds/validate';
import { webappAlias } from '../../src/kinds/webapp-alias';
import { webappBranding } from '../../src/kinds/webapp-branding';

describe('policy_server kind', () => {
  it('needs the server URL when an external lookup is enabled', () => {
    expect(validateForCreate(policyServer, { name: 'p', enable_service_lookup: true })).toEqual([
      { field: 'url', message: 'An external policy lookup is enabled, so the policy server URL is required.' },
    ]);
  });

  it('needs the script when a local policy is enabled', () => {
    expect(validateForCreate(policyServer, { name: 'p', enable_internal_service_policy: true })).toEqual([
      { field: 'internal_service_policy_template', message: 'This local policy is enabled, so its script is required.' },
    ]);
  });

  it('limits local policy scripts to 49152 characters', () => {
    const errors = validateForCreate(policyServer, { name: 'p', internal_service_policy_template: 'x'.repeat(49153) });
    expect(errors.map((e) => e.field)).toEqual(['internal_service_policy_template']);
  });
});

describe('webapp kinds', () => {
  it('branding needs name and web app type; the package is a create-only file', () => {
    expect(validateForCreate(webappBranding, { branding_file: 'x.zip' }).map((e) => e.field)).toEqual(['name', 'webapp_type']);
    expect(webappBranding.fields.branding_file.createOnly).toBe(true);
    expect(webappBranding.detailKey).toBe('uuid');
  });

  it('branding names are limited to 100 characters', () => {
    expect(validateForCreate(webappBranding, { name: 'n'.repeat(101), webapp_type: 'webapp3', branding_file: 'x' }).map((e) => e.field)).toEqual(['name']);
  });

  it('web app paths need a URL-safe slug', () => {
    expect(validateForCreate(webappAlias, { slug: 'tele health', webapp_type: 'webapp3' }).map((e) => e.field)).toEqual(['slug']);
    expect(validateForCreate(webappAlias, { slug: 'telehealth', webapp_type: 'webapp3' })).toEqual([]);
    expect(validateForCreate(webappAlias, { slug: 'tele_health-2', webapp_type: 'webapp3' })).toEqual([]);
    for (const slug of ['tele.health', 'tele/health', 'télé', 'a b']) {
      expect(validateForCreate(webappAlias, { slug, webapp_type: 'webapp3' })).toEqual([{ field: 'slug', message: 'Use only letters, digits, "-" and "_".' }]);
    }
  });

  it('themes need a name and a package', () => {
    expect(validateForCreate(ivrTheme, {}).map((e) => e.field)).toEqual(['name', 'package']);
  });
});

describe('licence kind', () => {
  it('takes only an entitlement key (and offline mode); everything else is server-populated', () => {
    const writable = Object.entries(licence.fields).filter(([, s]) => !s.readOnly).map(([n]) => n);
    expect(writable).toEqual(['entitlement_id', 'offline_mode']);
    expect(licence.updateVerb).toBeNull();
  });

  it('compares entitlement keys without spaces', () => {
    expect(licence.normaliseNaturalKey!('ABCD EFGH 1234')).toBe('ABCDEFGH1234');
  });
});
