import { KINDS, kindByName } from '../../src/kinds';
import { defaultSchemas, fitKind, fittedCatalogue } from '../../src/simulator/schema-fit';
import { VARIANTS, variantSchemas } from '../../src/simulator/variants';

/**
 * Our kind descriptions fitted to a node's schema answers: the default node's schemas give them back unchanged, a
 * variant is a schema edit, and a node's own fields and types win where they differ from ours.
 */
describe('fitting kind descriptions to a node\'s schema', () => {
  it('gives every kind description back unchanged for the schemas the default simulator serves', () => {
    const catalogue = fittedCatalogue(defaultSchemas());
    for (const kind of KINDS) expect(catalogue.find(kind.name)).toEqual(kind);
  });

  it('a variant is a schema edit: missing fields, other choices and lengths arrive in the fitted descriptions', () => {
    const older = fittedCatalogue(variantSchemas(VARIANTS['older-version'])).find('gateway_routing_rule')!;
    expect(Object.keys(older.fields)).not.toContain('denoise_audio');
    expect(Object.keys(older.fields)).toHaveLength(Object.keys(kindByName('gateway_routing_rule').fields).length - 4);
    expect(fittedCatalogue(variantSchemas(VARIANTS['algorithm-choices'])).find('telehealth_profile')!.fields.epic_encryption_algorithm.values).toEqual(['AES128', 'AES256']);
    expect(fittedCatalogue(variantSchemas(VARIANTS['short-lengths'])).find('telehealth_profile')!.fields.name.maxLength).toBe(20);
    const required = fittedCatalogue(variantSchemas({ version: '1', kinds: { http_proxy: { fields: { port: { required: true } } } } })).find('http_proxy')!.fields.port;
    expect(required).toMatchObject({ required: true, nullable: false });
  });

  it('takes the node\'s type, choices, default and required fields where they differ, and serves fields only the node has', () => {
    const schema = defaultSchemas().webapp_alias as { fields: Record<string, Record<string, unknown>> };
    schema.fields.description = { ...schema.fields.description, valid_choices: ['a', 'b'] };
    schema.fields.is_enabled = { ...schema.fields.is_enabled, default: true };
    schema.fields.slug = { ...schema.fields.slug, type: 'integer' };
    schema.fields.site = { type: 'related', related_type: 'to_one', blank: true, nullable: true, default: null, readonly: false, unique: false, help_text: '' };
    schema.fields.weight = { type: 'float', blank: false, nullable: false, default: null, readonly: false, unique: false, help_text: '' };
    const { kind, unchecked } = fitKind(kindByName('webapp_alias'), schema as never);
    expect(kind.fields.description).toMatchObject({ type: 'enum', values: ['a', 'b'] });
    expect(kind.fields.is_enabled).toMatchObject({ default: true, assumedDefault: false });
    expect(kind.fields.slug.type).toBe('integer');
    expect(kind.fields.site).toMatchObject({ type: 'reference', nullable: true, default: null });
    expect(kind.fields.site.references).toBeUndefined();
    expect(kind.fields.weight).toMatchObject({ required: true });
    expect([...unchecked]).toEqual(['weight']);
  });
});
