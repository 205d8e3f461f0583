import { CREATION_ORDER, KINDS, kindByName, referenceFields, REMOVAL_ORDER } from '../../src/kinds';
import { applyMarker, derivedUuid, descriptionMarkerLength, ownerOf, stripMarker } from '../../src/kinds/ownership';

describe('kind registry', () => {
  it('removes in the documented order: rules, profile, paths, branding, themes, policy, licence', () => {
    expect(REMOVAL_ORDER.map((k) => k.name)).toEqual([
      'gateway_routing_rule',
      'telehealth_profile',
      'webapp_alias',
      'webapp_branding',
      'ivr_theme',
      'policy_server',
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
    expect(descriptionMarkerLength(owner)).toBe(' [pexip-cdktf:prod/profile]'.length);
  });

  it('replaces an old marker instead of stacking markers', () => {
    const kind = kindByName('policy_server');
    const once = applyMarker(kind, { description: 'x' }, owner);
    expect(applyMarker(kind, once, { stack: 'prod', logicalId: 'policy' }).description).toBe('x [pexip-cdktf:prod/policy]');
  });

  it('uses the whole tag of a routing rule', () => {
    const kind = kindByName('gateway_routing_rule');
    const marked = applyMarker(kind, {}, { stack: 'nonprod', logicalId: 'rule.device-pairing' });
    expect(marked.tag).toBe('pexip-cdktf:nonprod/rule.device-pairing');
    expect(ownerOf(kind, marked)).toEqual({ stack: 'nonprod', logicalId: 'rule.device-pairing' });
    expect(ownerOf(kind, { tag: 'billing-code-7' })).toBeUndefined();
  });

  it('derives a stable RFC 9562 version-8 theme uuid carrying stack, logical id and package hash', () => {
    const kind = kindByName('ivr_theme');
    const uuid = derivedUuid('prod', 'theme', 'abcdef012345');
    expect(uuid).toBe(derivedUuid('prod', 'theme', 'abcdef012345'));
    expect(uuid).toMatch(/^[0-9a-f]{8}-c0f7-8[0-9a-f]{3}-8[0-9a-f]{3}-abcdef012345$/);
    expect(derivedUuid('prod', 'theme2', 'abcdef012345')).not.toBe(uuid);
    expect(ownerOf(kind, { uuid }, { stack: 'prod', logicalIds: ['other', 'theme'] })).toEqual({ stack: 'prod', logicalId: 'theme', packageHash: 'abcdef012345' });
    expect(ownerOf(kind, { uuid }, { stack: 'prod', logicalIds: [] })).toEqual({ stack: 'prod', packageHash: 'abcdef012345' });
    expect(ownerOf(kind, { uuid }, { stack: 'nonprod', logicalIds: ['theme'] })).toBeUndefined();
    expect(ownerOf(kind, { uuid: 'defaultplushash' }, { stack: 'prod', logicalIds: [] })).toBeUndefined();
  });

  it('reads no package hash from a uuid made without one (adopted themes get their package uploaded)', () => {
    const kind = kindByName('ivr_theme');
    expect(ownerOf(kind, { uuid: derivedUuid('prod', 'theme') }, { stack: 'prod', logicalIds: ['theme'] })).toEqual({ stack: 'prod', logicalId: 'theme' });
  });

  it('records secrets version and package hash in description markers', () => {
    const kind = kindByName('webapp_branding');
    const marked = applyMarker(kind, { description: 'x' }, { stack: 'p', logicalId: 'b', secretsVersion: '3', packageHash: '0123456789ab' });
    expect(marked.description).toBe('x [pexip-cdktf:p/b;sv=3;pkg=0123456789ab]');
    expect(ownerOf(kind, marked)).toEqual({ stack: 'p', logicalId: 'b', secretsVersion: '3', packageHash: '0123456789ab' });
  });

  it('has no marker for licences (Terraform state records them)', () => {
    expect(ownerOf(kindByName('licence'), { entitlement_id: 'X' })).toBeUndefined();
  });
});
