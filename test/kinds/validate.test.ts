import { checkFieldValue, quoteValue, validateFields, withDefaults } from '../../src/kinds/validate';
import { gatewayRoutingRule } from '../../src/kinds/gateway-routing-rule';
import { httpProxy } from '../../src/kinds/http-proxy';
import type { FieldSpec } from '../../src/kinds/types';

const text: FieldSpec = { type: 'string', label: 'Name', help: '', maxLength: 5 };

describe('field validation', () => {
  it('reports a string over its maximum length with both lengths, never the value', () => {
    expect(checkFieldValue('name', text, 'abcdefg')).toEqual([{ field: 'name', message: 'Ensure this value has at most 5 characters (it has 7).' }]);
  });

  it('refuses null for a non-nullable field and accepts it for a nullable one', () => {
    expect(checkFieldValue('name', text, null)).toEqual([{ field: 'name', message: 'This field cannot be null.' }]);
    expect(checkFieldValue('x', { ...text, nullable: true }, null)).toEqual([]);
  });

  it('checks integer ranges at both ends and refuses fractions', () => {
    const priority = gatewayRoutingRule.fields.priority;
    expect(checkFieldValue('priority', priority, 0)[0].message).toBe('Ensure this value is greater than or equal to 1.');
    expect(checkFieldValue('priority', priority, 201)[0].message).toBe('Ensure this value is less than or equal to 200.');
    expect(checkFieldValue('priority', priority, 1.5)[0].message).toBe('Enter a whole number.');
    expect(checkFieldValue('priority', priority, 200)).toEqual([]);
  });

  it('names the allowed values of an enum', () => {
    const [error] = checkFieldValue('call_type', gatewayRoutingRule.fields.call_type, 'hologram');
    expect(error.message).toBe('Select a valid choice. hologram is not one of the available choices (audio, video, video-only, auto).');
  });

  it('checks formats: https URL, UUID, regex, slug', () => {
    const url: FieldSpec = { type: 'string', label: '', help: '', format: 'https-url' };
    expect(checkFieldValue('u', url, 'http://epic.example.org/')[0].message).toMatch(/HTTPS URL/);
    expect(checkFieldValue('u', url, 'https://epic.example.org/')).toEqual([]);
    expect(checkFieldValue('u', { ...url, format: 'uuid' }, 'not-a-uuid')[0].message).toMatch(/UUID/);
    expect(checkFieldValue('u', { ...url, format: 'regex' }, '(unclosed')[0].message).toMatch(/regular expression/);
    expect(checkFieldValue('u', { ...url, format: 'slug' }, 'a/b')[0].message).toMatch(/letters, digits/);
  });

  it('takes a web proxy address as a host name, an IPv4 or a bare IPv6 literal ("IP address or FQDN")', () => {
    const address = httpProxy.fields.address;
    for (const ok of ['proxy.example.org', '192.0.2.10', '2001:db8::3128', '::1']) expect(checkFieldValue('address', address, ok)).toEqual([]);
    for (const bad of ['[2001:db8::1]', 'proxy example', '2001:db8::g']) expect(checkFieldValue('address', address, bad)).toHaveLength(1);
  });

  it('lists every missing template fragment separately', () => {
    const spec: FieldSpec = { type: 'string', label: '', help: '', mustContain: ['{{a}}', 'pin'] };
    expect(checkFieldValue('t', spec, 'nothing')).toEqual([
      { field: 't', message: 'The template must contain {{a}}.' },
      { field: 't', message: 'The template must contain pin.' },
    ]);
  });

  it('requires required fields only when asked (create, not partial update)', () => {
    expect(validateFields(gatewayRoutingRule, {}, { requireRequired: true }).map((e) => e.field)).toEqual(['name', 'priority', 'match_string']);
    expect(validateFields(gatewayRoutingRule, {}, { requireRequired: false })).toEqual([]);
  });

  it('skips content checks of unresolved fields but still counts them as present', () => {
    expect(validateFields(gatewayRoutingRule, { name: 'r', priority: 5 }, { requireRequired: true, unresolved: new Set(['match_string']) })).toEqual([]);
  });

  it('fills declared defaults without overwriting given values', () => {
    const full = withDefaults(gatewayRoutingRule, { name: 'r', enable: false });
    expect(full.enable).toBe(false);
    expect(full.call_type).toBe('video');
    expect(full.disabled_codecs).toEqual([]);
  });

  it('shortens long quoted values', () => {
    expect(quoteValue('x'.repeat(100))).toHaveLength(61);
  });
});
