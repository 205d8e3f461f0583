import { join, resolve } from 'node:path';
import { App, LocalBackend } from 'cdktf';
import { CallRoutingRule, EpicTelehealthProfile, PexipStack, PolicyProfile, Secret } from '../src';
import { uuidFor } from './mix';

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
  const secret = (name: string) => Secret.fromEnv(`EPIC_SITE${s}_NONPROD_${name}`);
  const profiles = Math.floor(n / 4);
  for (let i = 0; i < profiles; i++) {
    const profile = new EpicTelehealthProfile(stack, `profile-${i}`, {
      name: `Site ${s} profile ${i}`,
      uuid: uuidFor(1000 * s + i),
      telehealthCallDomain: `th${i}.site${s}.example.org`,
      telehealthIntegrationBaseUrl: 'https://epic.example.org/',
      telehealthIntegrationOauth2BaseApiUrl: 'https://epic.example.org/oauth',
      infinityWebappServerBaseUrl: 'https://meet.example.org/',
      epicPatientAppClientId: `patient-${i}`,
      epicProviderAppClientId: `provider-${i}`,
      patientClientSecret: secret('PATIENT_CLIENT_SECRET'),
      providerClientSecret: secret('PROVIDER_CLIENT_SECRET'),
      encryptionKey: secret('ENCRYPTION_KEY'),
    });
    new CallRoutingRule(stack, `rule-${i}`, { name: `Site ${s} rule ${i}`, priority: 10 + i, matchString: `.*@th${i}\\.site${s}\\.example\\.org`, calledDeviceType: 'telehealth_profile', telehealthProfile: profile });
  }
  for (let i = 0; i < n - 2 * profiles; i++) new PolicyProfile(stack, `policy-${i}`, { name: `Site ${s} policy ${i}` });
}
app.synth();
