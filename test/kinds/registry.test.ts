import { CREATION_ORDER, KINDS, kindByName, referenceFields, REMOVAL_ORDER } from '../../src/kinds';
import { applyMarker, derivedUuid, descriptionMarkerLength, ownerOf, stripMarker } from '../../src/kinds/ownership';

describe('kind registry', () => {
  it('removes in the documented order: location fields restored, rules, profile, paths, branding, themes, policy, proxies, licence', () => {
    expect(REMOVAL_ORDER.map((k) => k.name)).toEqual([
      'system_location',
      'gateway_routing_rule',
      'telehealth_profile',
      'webapp_alias',
      'webapp_branding',
      'ivr_theme',
      'policy_server',
      'http_proxy',
      'licence',
    ]);
  });

  it('creates every kind after the kinds it references', () => {
    for (const kind of CREATION_ORDER) {
      for (const { target } of referenceFields(kind)) {
        expect(CREATION_ORDER.indexOf(target)).toBeLessThan(CREATION_ORDER.indexOf(kind));
      }
    }
  });

  it('knows the references between our kinds', () => {
    expect(referenceFields(kindByName('gateway_routing_rule')).map((r) => `${r.field}->${r.target.name}`)).toEqual(['telehealth_profile->telehealth_profile', 'ivr_theme->ivr_theme']);
    expect(referenceFields(kindByName('webapp_alias')).map((r) => r.target.name)).toEqual(['webapp_branding']);
  });

  it('gives every kind a collection path ending in a slash and a described natural key', () => {
    for (const kind of KINDS) {
      expect(kind.collectionPath).toBe(`/api/admin/configuration/v1/${kind.name}/`);
      expect(kind.fields[kind.naturalKey]).toBeDefined();
      expect(kind.fields[kind.detailKey]?.readOnly).toBe(true);
    }
  });

  it('throws a helpful error for an unknown kind', () => {
    expect(() => kindByName('conference')).toThrow(/Unknown Pexip resource kind "conference"; known: telehealth_profile/);
  });
});

describe('ownership markers', () => {
  const owner = { stack: 'prod', logicalId: 'profile' };

  it('appends a description marker and reads it back, keeping the user description', () => {
    const kind = kindByName('telehealth_profile');
    const marked = applyMarker(kind, { description: 'Epic PRD' }, owner);
    expect(marked.description).toBe('Epic PRD [pexip-cdktf:prod/profile]');
    expect(ownerOf(kind, marked)).toEqual(owner);
    expect(stripMarker(marked.description as string)).toBe('Epic PRD');
    // The longest marker it may grow to: with package and spec hashes.
    expect(descriptionMarkerLength(owner)).toBe(' [pexip-cdktf:prod/profile;pkg=000000000000;h=00000000]'.length);
  });

  it('replaces an old marker instead of stacking markers', () => {
    const kind = kindByName('policy_server');
    const once = applyMarker(kind, { description: 'x' }, owner);
    expect(applyMarker(kind, once, { stack: 'prod', logicalId: 'policy' }).description).toBe('x [pexip-cdktf:prod/policy]');
  });

  it('marks a routing rule in its description; the tag stays the user\'s, and an old tag marker is still recognised', () => {
    const kind = kindByName('gateway_routing_rule');
    const marked = applyMarker(kind, { tag: 'billing-code-7' }, { stack: 'nonprod', logicalId: 'rule.device-pairing' });
    expect(marked).toEqual({ tag: 'billing-code-7', description: '[pexip-cdktf:nonprod/rule.device-pairing]' });
    expect(ownerOf(kind, marked)).toEqual({ stack: 'nonprod', logicalId: 'rule.device-pairing' });
    expect(ownerOf(kind, { tag: 'billing-code-7' })).toBeUndefined();
    expect(ownerOf(kind, { tag: 'pexip-cdktf:nonprod/rule', description: 'by hand' })).toEqual({ stack: 'nonprod', logicalId: 'rule', legacyField: 'tag' });
  });

  it('still recognises the theme uuids earlier versions derived from stack, logical id and package hash', () => {
    const kind = kindByName('ivr_theme');
    const uuid = derivedUuid('prod', 'theme', 'abcdef012345');
    expect(uuid).toBe(derivedUuid('prod', 'theme', 'abcdef012345'));
    expect(uuid).toMatch(/^[0-9a-f]{8}-c0f7-8[0-9a-f]{3}-8[0-9a-f]{3}-abcdef012345$/);
    expect(derivedUuid('prod', 'theme2', 'abcdef012345')).not.toBe(uuid);
    expect(ownerOf(kind, { uuid }, { stack: 'prod', logicalIds: ['other', 'theme'] })).toEqual({ stack: 'prod', logicalId: 'theme', packageHash: 'abcdef012345', legacyField: 'uuid' });
    expect(ownerOf(kind, { uuid }, { stack: 'prod', logicalIds: [] })).toEqual({ stack: 'prod', packageHash: 'abcdef012345', legacyField: 'uuid' });
    expect(ownerOf(kind, { uuid }, { stack: 'nonprod', logicalIds: ['theme'] })).toBeUndefined();
    expect(ownerOf(kind, { uuid: 'defaultplushash' }, { stack: 'prod', logicalIds: [] })).toBeUndefined();
  });

  it('reads no package hash from a uuid made without one (adopted themes get their package uploaded)', () => {
    const kind = kindByName('ivr_theme');
    expect(ownerOf(kind, { uuid: derivedUuid('prod', 'theme') }, { stack: 'prod', logicalIds: ['theme'] })).toEqual({ stack: 'prod', logicalId: 'theme', legacyField: 'uuid' });
  });

  it('records secrets version, package hash and spec hash in description markers', () => {
    const kind = kindByName('webapp_branding');
    const marked = applyMarker(kind, { description: 'x' }, { stack: 'p', logicalId: 'b', secretsVersion: '3', packageHash: '0123456789ab', specHash: 'a1b2c3d4' });
    expect(marked.description).toBe('x [pexip-cdktf:p/b;sv=3;pkg=0123456789ab;h=a1b2c3d4]');
    expect(ownerOf(kind, marked)).toEqual({ stack: 'p', logicalId: 'b', secretsVersion: '3', packageHash: '0123456789ab', specHash: 'a1b2c3d4' });
  });

  it('puts no marker on kinds the ledger records (themes)', () => {
    expect(applyMarker(kindByName('ivr_theme'), { name: 't' }, { stack: 'p', logicalId: 't' })).toEqual({ name: 't' });
    expect(ownerOf(kindByName('ivr_theme'), { name: 't', uuid: '5e3a4f1c-0000-4000-8000-000000000000' }, { stack: 'p', logicalIds: ['t'] })).toBeUndefined();
  });

  it('has no marker for licences (Terraform state records them)', () => {
    expect(ownerOf(kindByName('licence'), { entitlement_id: 'X' })).toBeUndefined();
  });
});
