import { join, resolve } from 'node:path';
import { App, Aspects, DataResource, LocalBackend, TerraformResource, TerraformStack } from 'cdktf';
import { CallRoutingRule, PexipStack, PolicyProfile, Theme, WebAppBranding } from '../src';
import { benchProfile } from './profile';
import { mixFor, objectCount } from './mix';

/**
 * The benchmark app. BENCH_MODE=ours: N Pexip objects in one PexipStack (N + 2 carriers and the two records).
 * BENCH_MODE=floor: as many terraform_data resources without provisioners (what Terraform alone costs).
 * BENCH_MODE=floor-inputs: our very stack, every carrier with the same inputs, without a provisioner: the same plan
 * lines for Terraform and cdktf to render, so the ratio measures our work, not the plan users review.
 * BENCH_CHANGE=1 changes one field.
 */
const n = Number(process.env.BENCH_N ?? '10');
const mode = process.env.BENCH_MODE ?? 'ours';
const stateDir = process.env.BENCH_STATE_DIR ?? '.';
const assets = resolve(__dirname, '..', '..', 'bench', 'assets');
const app = new App({ skipValidation: true });
const mix = mixFor(n);

if (mode === 'floor') {
  const stack = new TerraformStack(app, 'bench');
  new LocalBackend(stack, { path: join(stateDir, 'terraform.bench.tfstate') });
  // As many terraform_data resources as our stack has carriers: one declaration per object, plus reconciler and anchor.
  for (let i = 0; i < objectCount(mix) + 2; i++) new DataResource(stack, `object-${i}`, { input: { index: i, name: `Object ${i}` } });
} else {
  const stack = new PexipStack(app, 'bench', { environment: 'non-production' });
  if (mode === 'floor-inputs') {
    Aspects.of(stack).add({
      visit(node) {
        if (node instanceof TerraformResource) node.provisioners = undefined;
      },
    });
  }
  new LocalBackend(stack, { path: join(stateDir, 'terraform.bench.tfstate') });
  const themes = Array.from({ length: mix.themes }, (_, i) => new Theme(stack, `theme-${i}`, { name: `Bench theme ${i}`, packageDirectory: join(assets, 'theme') }));
  for (let i = 0; i < mix.brandings; i++) new WebAppBranding(stack, `branding-${i}`, { name: `Bench branding ${i}`, webappType: 'webapp3', packageDirectory: join(assets, 'branding') });
  for (let i = 0; i < mix.policies; i++) new PolicyProfile(stack, `policy-${i}`, { name: `Bench policy ${i}` });
  for (let i = 0; i < mix.profiles; i++) {
    const profile = benchProfile(stack, i, { name: `Bench profile ${i}`, uuidIndex: i, domain: `th${i}.example.org`, secretPrefix: 'EPIC_NONPROD', description: i === 0 && process.env.BENCH_CHANGE === '1' ? 'changed' : 'bench' });
    new CallRoutingRule(stack, `rule-${i}`, {
      name: `Bench rule ${i}`,
      priority: 10 + (i % 190),
      matchString: `.*@th${i}\\.example\\.org`,
      calledDeviceType: 'telehealth_profile',
      telehealthProfile: profile,
      ivrTheme: themes.length > 0 ? themes[i % themes.length] : null,
    });
  }
}
app.synth();
