import { join, resolve } from 'node:path';
import { App, Testing } from 'cdktf';
import { stackDirectory } from '../../src';
import { ENVIRONMENTS } from '../../examples/app/environments';
import { telehealthStack } from '../../examples/app/integration';

const ROOT = resolve(__dirname, '..', '..');

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

  it('keeps local state beside cdktf.json, outside cdktf.out, by a path relative to the stack directory', () => {
    // Synth deletes the directories of stacks that leave the app; an absolute path would tie cdktf.out to one checkout.
    const app = new App({ outdir: join(ROOT, 'cdktf.out'), skipValidation: true });
    const stack = telehealthStack(app, ENVIRONMENTS[0]);
    const path = JSON.parse(Testing.synth(stack)).terraform.backend.local.path as string;
    expect(path).toBe('../../../terraform.prod.tfstate');
    expect(resolve(stackDirectory(stack), path)).toBe(join(ROOT, 'terraform.prod.tfstate'));
  });

  it('reads its theme and branding from paths relative to the app directory, not the current directory', () => {
    const cwd = process.cwd();
    process.chdir(join(ROOT, 'examples', 'app', 'assets'));
    try {
      const set = telehealthStack(Testing.app(), ENVIRONMENTS[1]).desiredSet();
      expect(set.objects.filter((o) => o.package).map((o) => o.kind).sort()).toEqual(['ivr_theme', 'webapp_branding']);
    } finally {
      process.chdir(cwd);
    }
  });
});
