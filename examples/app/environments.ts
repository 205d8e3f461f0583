import type { Environment } from 'pexip-telehealth-cdktf';

/** What differs between the two Epic environments; everything else is the shared definition in integration.ts. */
export interface EnvironmentSettings {
  readonly stack: string;
  readonly environment: Environment;
  /** Variant word in secret names: PROD or NONPROD. */
  readonly variant: 'PROD' | 'NONPROD';
  readonly profileName: string;
  readonly callDomain: string;
  readonly webAppBaseUrl: string;
  readonly epicBaseUrl: string;
  readonly epicOauth2BaseUrl: string;
  readonly patientClientId: string;
  readonly providerClientId: string;
  readonly rulePriority: number;
  readonly webAppPath: string;
  /** The profile's uuid, in Epic's launch and redirect URLs: this app's own (make yours with crypto.randomUUID()). Never change it once deployed. */
  readonly profileUuid: string;
}

export const ENVIRONMENTS: readonly EnvironmentSettings[] = [
  {
    stack: 'prod',
    environment: 'production',
    variant: 'PROD',
    profileName: 'Healthcare Org',
    callDomain: 'telehealth.example.org',
    webAppBaseUrl: 'https://meet.example.org/',
    epicBaseUrl: 'https://epic.example.org/',
    epicOauth2BaseUrl: 'https://epic.example.org/interconnect-aocurprd-oauth',
    patientClientId: 'prod-patient-client-id',
    providerClientId: 'prod-provider-client-id',
    rulePriority: 20,
    webAppPath: 'telehealth',
    profileUuid: '1557ef50-2b57-4058-964a-cd8fbf2bf4c6',
  },
  {
    stack: 'nonprod',
    environment: 'non-production',
    variant: 'NONPROD',
    profileName: 'Healthcare Org (test)',
    callDomain: 'telehealth-test.example.org',
    webAppBaseUrl: 'https://meet-test.example.org/',
    epicBaseUrl: 'https://epic-test.example.org/',
    epicOauth2BaseUrl: 'https://epic-test.example.org/interconnect-aocurtst-oauth',
    patientClientId: 'test-patient-client-id',
    providerClientId: 'test-provider-client-id',
    rulePriority: 21,
    webAppPath: 'telehealth-test',
    profileUuid: '4509c0f8-7425-4fb7-a90c-fc4e447df0be',
  },
];
