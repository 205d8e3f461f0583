import { join, resolve } from 'node:path';
import { App, LocalBackend } from 'cdktf';
import { CallRoutingRule, PexipStack, PolicyProfile } from '../src';
import { benchProfile } from './profile';

/**
 * The fleet benchmark's app: BENCH_STACKS stacks (`site0`…), each on its own node (variant `SITE<i>`), each with
 * BENCH_N objects: telehealth profiles with their rules, and policy profiles for the rest.
 */
const stacks = Number(process.env.BENCH_STACKS ?? '1');
const n = Number(process.env.BENCH_N ?? '10');
const stateDir = process.env.BENCH_STATE_DIR ?? resolve('.');
const app = new App({ skipValidation: true });
for (let s = 0; s < stacks; s++) {
  const stack = new PexipStack(app, `site${s}`, { environment: 'non-production', variant: `SITE${s}` });
  new LocalBackend(stack, { path: join(stateDir, `terraform.site${s}.tfstate`) });
  const profiles = Math.floor(n / 4);
  for (let i = 0; i < profiles; i++) {
    const profile = benchProfile(stack, i, { name: `Site ${s} profile ${i}`, uuidIndex: 1000 * s + i, domain: `th${i}.site${s}.example.org`, secretPrefix: `EPIC_SITE${s}_NONPROD` });
    new CallRoutingRule(stack, `rule-${i}`, { name: `Site ${s} rule ${i}`, priority: 10 + i, matchString: `.*@th${i}\\.site${s}\\.example\\.org`, calledDeviceType: 'telehealth_profile', telehealthProfile: profile });
  }
  for (let i = 0; i < n - 2 * profiles; i++) new PolicyProfile(stack, `policy-${i}`, { name: `Site ${s} policy ${i}` });
}
app.synth();
