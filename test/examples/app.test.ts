import { isAbsolute } from 'node:path';
import { Testing } from 'cdktf';
import { ENVIRONMENTS } from '../../examples/app/environments';
import { telehealthStack } from '../../examples/app/integration';

describe('the example app', () => {
  it('synthesizes a prod and a nonprod stack from one definition, each with its own variant secrets and uuid', () => {
    const app = Testing.app();
    const stacks = ENVIRONMENTS.map((env) => telehealthStack(app, env));
    const sets = stacks.map((s) => s.desiredSet());
    expect(sets.map((s) => [s.stack, s.environment])).toEqual([
      ['prod', 'production'],
      ['nonprod', 'non-production'],
    ]);
    const profiles = sets.map((s) => s.objects.find((o) => o.kind === 'telehealth_profile')!);
    expect(profiles[0].spec.uuid).not.toBe(profiles[1].spec.uuid);
    expect(profiles[0].secrets?.epic_encryption_key).toEqual({ env: 'EPIC_PROD_ENCRYPTION_KEY' });
    expect(profiles[1].secrets?.epic_encryption_key).toEqual({ env: 'EPIC_NONPROD_ENCRYPTION_KEY' });
    expect(sets[1].objects.map((o) => o.kind).sort()).toEqual(['gateway_routing_rule', 'ivr_theme', 'telehealth_profile', 'webapp_alias', 'webapp_branding']);
  });

  it('keeps local state outside cdktf.out (synth deletes the directories of stacks that leave the app)', () => {
    const stack = telehealthStack(Testing.app(), ENVIRONMENTS[0]);
    const path = JSON.parse(Testing.synth(stack)).terraform.backend.local.path as string;
    expect(isAbsolute(path)).toBe(true);
    expect(path).not.toContain('cdktf.out');
  });
});
