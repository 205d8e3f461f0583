import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Testing } from 'cdktf';
import { Construct } from 'constructs';
import {
  EpicTelehealthIntegration,
  type EpicTelehealthIntegrationProps,
  PexipStack,
  PolicyProfile,
  Secret,
  Theme,
} from '../../src';
import type { CarrierType } from '../../src/constructs/carriers';
import { themePackage } from '../helpers/packages';
import { tempDir } from '../helpers/terraform';

const packages = tempDir('pexip-synth-');
const THEME_ZIP = join(packages, 'theme.zip');
writeFileSync(THEME_ZIP, themePackage());

function stackOf(environment: 'production' | 'non-production' = 'non-production', carrier?: CarrierType, id = environment === 'production' ? 'prod' : 'nonprod'): PexipStack {
  return new PexipStack(Testing.app(), id, { environment, carrier });
}

function integrationProps(environment: 'production' | 'non-production' = 'non-production', overrides: Partial<EpicTelehealthIntegrationProps> = {}): EpicTelehealthIntegrationProps {
  const variant = environment === 'production' ? 'PROD' : 'NONPROD';
  return {
    environment,
    profileName: 'Healthcare Org',
    callDomain: 'telehealth.example.org',
    webAppBaseUrl: 'https://meet.example.org/',
    epic: { baseUrl: 'https://epic.example.org/', oauth2BaseUrl: 'https://epic.example.org/oauth', patientClientId: 'pid', providerClientId: 'vid' },
    secrets: {
      patientClientSecret: Secret.fromEnv(`EPIC_${variant}_PATIENT_CLIENT_SECRET`),
      providerClientSecret: Secret.fromEnv(`EPIC_${variant}_PROVIDER_CLIENT_SECRET`),
      encryptionKey: Secret.fromEnv(`EPIC_${variant}_ENCRYPTION_KEY`),
    },
    routing: { priority: 10 },
    ...overrides,
  };
}

type Synth = { resource: Record<string, Record<string, any>>; output?: Record<string, { value: string }>; provider?: Record<string, unknown> };
const synth = (stack: PexipStack): Synth => JSON.parse(Testing.synth(stack));

describe('terraform_data carrier (default)', () => {
  it('declares each object, one reconciler and one anchor, wired as the design says', () => {
    const stack = stackOf();
    new EpicTelehealthIntegration(stack, 'epic', integrationProps('non-production', { theme: { name: 'Waiting room', packageFile: THEME_ZIP } }));
    const out = synth(stack);
    const data = out.resource.terraform_data;
    const declarations = Object.entries(data).filter(([name]) => name.endsWith('_declaration') || name.includes('_declaration_'));
    expect(declarations.map(([name]) => name.replace(/_declaration_[0-9A-F]+$/, '')).sort()).toEqual(['epic_profile', 'epic_rule', 'epic_theme']);
    for (const [, r] of declarations) {
      expect(r.provisioner).toBeUndefined();
      expect(r.triggers_replace).toBeUndefined();
    }
    const reconciler = data['pexip-reconciler'];
    const hash = stack.desiredSet() && reconciler.input.desired_set_sha256;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(reconciler.triggers_replace).toEqual({ desired_set_sha256: hash });
    // No path: Node finds the CLI from the stack directory, in the app's node_modules (or by package self-reference).
    expect(reconciler.provisioner).toEqual([
      {
        'local-exec': {
          command: `node -e "require('pexip-telehealth-cdktf/cli').run()" -- reconcile pexip-desired.json --expect-hash ${hash} --bound-node "$PEXIP_CDKTF_BOUND_NODE" --converge "$PEXIP_CDKTF_CONVERGE"`,
          // The binding and the convergence token as Terraform state holds them, never as this synth saw them.
          environment: { PEXIP_CDKTF_BOUND_NODE: '${terraform_data.pexip-binding.output.node}', PEXIP_CDKTF_CONVERGE: '${terraform_data.pexip-convergence.output.converge}' },
        },
      },
    ]);
    // The anchor, the two records (and licence carriers); a depends_on on every declaration would slow every plan.
    expect(reconciler.depends_on).toEqual(['terraform_data.pexip-anchor', 'terraform_data.pexip-binding', 'terraform_data.pexip-convergence']);
    // A new convergence token replaces the reconciler: how a deploy converges what synth found not in sync.
    expect(reconciler.lifecycle).toEqual({ replace_triggered_by: ['terraform_data.pexip-convergence'] });
    const anchor = data['pexip-anchor'];
    expect(anchor.triggers_replace).toEqual({ stack: 'nonprod' });
    expect(anchor.input).toEqual({ stack: 'nonprod', variant: 'NONPROD', node: '${terraform_data.pexip-binding.output.node}' });
    expect(anchor.provisioner).toEqual([
      {
        'local-exec': {
          when: 'destroy',
          command: expect.stringMatching(/ remove --stack "\$PEXIP_CDKTF_STACK" --variant "\$PEXIP_CDKTF_VARIANT" --bound-node "\$PEXIP_CDKTF_BOUND_NODE"$/),
          // lookup: state written by an earlier version has no variant or node, and a destroy must still run.
          environment: { PEXIP_CDKTF_STACK: '${self.input.stack}', PEXIP_CDKTF_VARIANT: '${lookup(self.input, "variant", "")}', PEXIP_CDKTF_BOUND_NODE: '${lookup(self.input, "node", "")}' },
        },
      },
    ]);
  });

  it('synthesized offline, keeps the binding and the convergence token as Terraform state holds them', () => {
    const stack = stackOf();
    new EpicTelehealthIntegration(stack, 'epic', integrationProps());
    const data = synth(stack).resource.terraform_data;
    expect(data['pexip-binding']).toEqual({ input: { node: '' }, triggers_replace: { bound: 'no' }, lifecycle: { ignore_changes: ['input', 'triggers_replace'] } });
    expect(data['pexip-convergence']).toEqual({ input: { converge: '' }, lifecycle: { ignore_changes: ['input'] } });
  });

  it('moveToNode binds the stack to that node: a new binding record, kept afterwards', () => {
    const stack = new PexipStack(Testing.app(), 'nonprod', { environment: 'non-production', moveToNode: 'MGMT-B.example.org (10.0.0.2)' });
    new EpicTelehealthIntegration(stack, 'epic', integrationProps());
    expect(synth(stack).resource.terraform_data['pexip-binding']).toEqual({
      input: { node: 'mgmt-b.example.org (10.0.0.2)' },
      triggers_replace: { bound: 'yes', moved_to: 'mgmt-b.example.org (10.0.0.2)' },
      lifecycle: { ignore_changes: ['input'] },
    });
  });

  it('a variant word names the stack\'s own connection variables; the default one is not written into the desired set', () => {
    const site = new PexipStack(Testing.app(), 'oslo', { environment: 'production', variant: 'SITE_OSLO' });
    expect(site.variant).toBe('SITE_OSLO');
    expect(site.desiredSet().variant).toBe('SITE_OSLO');
    const plain = stackOf();
    expect(plain.variant).toBe('NONPROD');
    expect(plain.desiredSet()).not.toHaveProperty('variant');
    expect(() => new PexipStack(Testing.app(), 'x', { environment: 'production', variant: 'site-a' })).toThrow('x: variant must be an upper-case word like PROD, NONPROD or SITE_A (got "site-a")');
  });

  it('puts the declared non-secret spec in the declaration as one canonical JSON string, secrets only as references', () => {
    const stack = stackOf();
    new EpicTelehealthIntegration(stack, 'epic', integrationProps());
    const declarations = Object.values(synth(stack).resource.terraform_data).filter((r) => typeof r.input?.declaration === 'string');
    const profile = JSON.parse(declarations.find((r) => r.input.declaration.includes('"telehealth_call_domain"'))!.input.declaration);
    expect(profile.spec).toMatchObject({ name: 'Healthcare Org', uuid: expect.stringMatching(/^[0-9a-f-]{36}$/), telehealth_call_domain: 'telehealth.example.org' });
    // Only what was declared: filled-in defaults and derived values stay in the desired set, out of Terraform's way.
    expect(profile.spec).not.toHaveProperty('epic_backend_oauth2_app_client_id');
    expect(profile.spec).not.toHaveProperty('patient_oauth2_redirect_url');
    expect(stack.desiredSet().objects.find((o) => o.id === 'epic.profile')!.spec).toMatchObject({ epic_backend_oauth2_app_client_id: '', epic_encryption_algorithm: 'aes256cbc', epic_encryption_key_type: 'base64key', patient_oauth2_redirect_url: expect.stringContaining('/patient/oauth2authorized/') });
    expect(profile.secrets).toEqual({
      epic_patient_app_client_secret: 'env:EPIC_NONPROD_PATIENT_CLIENT_SECRET',
      epic_provider_app_client_secret: 'env:EPIC_NONPROD_PROVIDER_CLIENT_SECRET',
      epic_encryption_key: 'env:EPIC_NONPROD_ENCRYPTION_KEY',
    });
  });

  it('never puts secret values in the synthesized stack, even when they are in the synth environment', () => {
    const values = { EPIC_NONPROD_PATIENT_CLIENT_SECRET: 'distinctive-patient-9Qz', EPIC_NONPROD_PROVIDER_CLIENT_SECRET: 'distinctive-provider-9Qz', EPIC_NONPROD_ENCRYPTION_KEY: require('node:crypto').randomBytes(32).toString('base64') };
    Object.assign(process.env, values);
    try {
      const stack = stackOf();
      new EpicTelehealthIntegration(stack, 'epic', integrationProps());
      const text = Testing.synth(stack);
      for (const value of Object.values(values)) expect(text).not.toContain(value);
    } finally {
      for (const name of Object.keys(values)) delete process.env[name];
    }
  });

  it('derives a stable uuid and the redirect URLs, and outputs them', () => {
    const uuids = [0, 1].map(() => {
      const stack = stackOf();
      return new EpicTelehealthIntegration(stack, 'epic', integrationProps()).profile.uuid;
    });
    expect(uuids[0]).toBe(uuids[1]);
    expect(uuids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const prod = stackOf('production');
    expect(new EpicTelehealthIntegration(prod, 'epic', integrationProps('production')).profile.uuid).not.toBe(uuids[0]);
    const stack = stackOf();
    new EpicTelehealthIntegration(stack, 'epic', integrationProps());
    const out = synth(stack).output!;
    expect(out.epic_profile_uuid.value).toBe(uuids[0]);
    expect(out.epic_patient_redirect_url.value).toBe(`https://meet.example.org/api/telehealth/v1/patient/oauth2authorized/${uuids[0]}`);
    expect(out.epic_provider_redirect_url.value).toBe(`https://meet.example.org/api/telehealth/v1/provider/oauth2authorized/${uuids[0]}/`);
    expect(out.epic_webapp_base_url.value).toBe('https://meet.example.org/');
  });

  it('declares the telehealth rule bound to the profile and theme, matching only web app calls in the call domain', () => {
    const stack = stackOf();
    new EpicTelehealthIntegration(stack, 'epic', integrationProps('non-production', { theme: Theme.fromName('Pexip theme (English_UK)') }));
    const rule = stack.desiredSet().objects.find((o) => o.id === 'epic.rule')!;
    expect(rule.spec).toMatchObject({
      name: 'Epic telehealth: Healthcare Org',
      match_string: '.*@telehealth\\.example\\.org',
      called_device_type: 'telehealth_profile',
      telehealth_profile: { $ref: 'epic.profile' },
      ivr_theme: { $lookup: { name: 'Pexip theme (English_UK)' } },
      match_incoming_webrtc: true,
      match_incoming_sip: false,
      enable: true,
      crypto_mode: null,
    });
  });

  it('gives the licence its own carrier that claims on create and returns on destroy, before which the anchor goes', () => {
    const stack = stackOf();
    new EpicTelehealthIntegration(stack, 'epic', integrationProps('non-production', { licence: { entitlementId: 'ABCD-1234', returnOnDestroy: true } }));
    const data = synth(stack).resource.terraform_data;
    const [name, licence] = Object.entries(data).find(([n]) => n.includes('licence'))!;
    expect(licence.triggers_replace).toEqual({ entitlement: 'ABCD-1234', return_on_destroy: 'true', adopt: 'false' });
    expect(licence.provisioner[0]['local-exec'].command).toMatch(/ licence claim --entitlement "\$PEXIP_LICENCE_ENTITLEMENT" --return-on-destroy --check pexip-desired\.json --bound-node "\$PEXIP_CDKTF_BOUND_NODE"$/);
    expect(licence.provisioner[1]['local-exec']).toMatchObject({ when: 'destroy', environment: { PEXIP_LICENCE_RETURN: '${self.input.return_on_destroy}', PEXIP_CDKTF_VARIANT: '${lookup(self.input, "variant", "")}', PEXIP_CDKTF_BOUND_NODE: '${lookup(self.input, "node", "")}' } });
    expect(licence.depends_on).toEqual(['terraform_data.pexip-binding']);
    expect(data['pexip-anchor'].depends_on).toEqual(['terraform_data.pexip-binding', `terraform_data.${name}`]);
    expect(data['pexip-reconciler'].depends_on).toEqual(['terraform_data.pexip-anchor', 'terraform_data.pexip-binding', 'terraform_data.pexip-convergence', `terraform_data.${name}`]);
  });
});

describe('null_resource carrier', () => {
  it('synthesizes the same model with the null provider, flattened triggers and self.triggers references', () => {
    const stack = stackOf('non-production', 'null_resource');
    new EpicTelehealthIntegration(stack, 'epic', integrationProps());
    const out = synth(stack);
    expect(out.resource.terraform_data).toBeUndefined();
    expect(out.provider).toHaveProperty('null');
    const resources = out.resource.null_resource;
    const profile = Object.values(resources).find((r) => r.triggers?.['spec.telehealth_call_domain'] !== undefined)!;
    expect(profile.triggers).toMatchObject({ 'spec.name': 'Healthcare Org', 'secrets.epic_encryption_key': 'env:EPIC_NONPROD_ENCRYPTION_KEY' });
    expect(Object.values(profile.triggers).every((v) => typeof v === 'string')).toBe(true);
    const rule = Object.values(resources).find((r) => r.triggers?.['spec.match_string'] !== undefined)!;
    expect(rule.triggers['spec.priority']).toBe('10');
    expect(rule.triggers['spec.telehealth_profile.$ref']).toBe('epic.profile');
    expect(resources['pexip-anchor']).toMatchObject({ triggers: { stack: 'nonprod' } });
    expect(resources['pexip-anchor'].provisioner[0]['local-exec'].environment).toEqual({ PEXIP_CDKTF_STACK: '${self.triggers.stack}', PEXIP_CDKTF_VARIANT: '${lookup(self.triggers, "variant", "")}', PEXIP_CDKTF_BOUND_NODE: '${lookup(self.triggers, "node", "")}' });
    expect(resources['pexip-reconciler'].triggers.desired_set_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(resources['pexip-reconciler'].provisioner[0]['local-exec'].environment).toEqual({ PEXIP_CDKTF_BOUND_NODE: '${null_resource.pexip-binding.triggers.node}', PEXIP_CDKTF_CONVERGE: '${null_resource.pexip-convergence.triggers.converge}' });
    expect(resources['pexip-reconciler'].lifecycle).toEqual({ replace_triggered_by: ['null_resource.pexip-convergence'] });
    expect(resources['pexip-binding']).toEqual({ triggers: { node: '', bound: 'no' }, lifecycle: { ignore_changes: ['triggers'] } });
    expect(resources['pexip-convergence']).toEqual({ triggers: { converge: '' }, lifecycle: { ignore_changes: ['triggers["converge"]'] } });
  });

  it('declares the null provider once per stack', () => {
    const stack = stackOf('non-production', 'null_resource');
    new EpicTelehealthIntegration(stack, 'a', integrationProps());
    new PolicyProfile(stack, 'policy', { name: 'P' });
    expect(Object.keys(synth(stack).provider ?? {})).toEqual(['null']);
  });
});

describe('a stack or construct that cannot be recorded on Pexip objects fails synth, naming it', () => {
  const base = () => stackOf();
  const cases: [string, () => void, string][] = [
    ['a stack id Pexip markers cannot hold', () => new PexipStack(Testing.app(), 'prod.eu', { environment: 'production' }), "prod.eu: stack id must match ^[A-Za-z][A-Za-z0-9_-]{0,39}$ (it is recorded on every Pexip object)."],
    ['an unknown environment', () => new PexipStack(Testing.app(), 'x', { environment: 'staging' as 'production' }), 'x: environment must be "production" or "non-production".'],
    ['a construct outside a PexipStack', () => new PolicyProfile(new Construct(new App(), 'plain'), 'p', { name: 'P' }), "plain/p: Pexip constructs must be created inside a PexipStack (new PexipStack(app, 'prod', { environment: 'production' }))."],
    ['a construct id that cannot be a logical id', () => new PolicyProfile(base(), 'my policy', { name: 'P' }), 'nonprod/my policy: the construct path inside the stack ("my policy") must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$; it is recorded on the Pexip object.'],
  ];

  it.each(cases)('%s', (_what, build, message) => {
    expect(build).toThrow(message);
    try {
      build();
    } catch (error) {
      expect((error as Error).message).toBe(message);
    }
  });

  // Invalid props: test/constructs/prop-errors.test.ts.
});
