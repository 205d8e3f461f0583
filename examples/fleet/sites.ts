import type { Environment } from 'pexip-telehealth-cdktf';

/**
 * One row per site: each is a stack of its own on its own Pexip Management Node. The variant word names the site's
 * connection variables (PEXIP_<VARIANT>_ADDRESS, _USERNAME, _PASSWORD or the OAuth2 ones, _CA_FILE) and starts its
 * secrets' names (EPIC_<VARIANT>_PROD_… for production, EPIC_<VARIANT>_NONPROD_… otherwise).
 */
export interface Site {
  /** Stack name: `cdktf deploy <stack>`; recorded on every Pexip object the stack owns. */
  readonly stack: string;
  readonly environment: Environment;
  readonly variant: string;
  readonly profileName: string;
  readonly callDomain: string;
  readonly webAppBaseUrl: string;
  readonly epicBaseUrl: string;
  readonly patientClientId: string;
  readonly providerClientId: string;
  readonly rulePriority: number;
}

export const SITES: readonly Site[] = [
  {
    stack: 'test',
    environment: 'non-production',
    variant: 'TEST',
    profileName: 'Telehealth (test platform)',
    callDomain: 'telehealth-test.example.org',
    webAppBaseUrl: 'https://meet-test.example.org/',
    epicBaseUrl: 'https://epic-test.example.org/',
    patientClientId: 'test-patient',
    providerClientId: 'test-provider',
    rulePriority: 40,
  },
  {
    stack: 'north',
    environment: 'production',
    variant: 'NORTH',
    profileName: 'Telehealth North',
    callDomain: 'telehealth.north.example.org',
    webAppBaseUrl: 'https://meet.north.example.org/',
    epicBaseUrl: 'https://epic.example.org/',
    patientClientId: 'north-patient',
    providerClientId: 'north-provider',
    rulePriority: 40,
  },
  {
    stack: 'south',
    environment: 'production',
    variant: 'SOUTH',
    profileName: 'Telehealth South',
    callDomain: 'telehealth.south.example.org',
    webAppBaseUrl: 'https://meet.south.example.org/',
    epicBaseUrl: 'https://epic.example.org/',
    patientClientId: 'south-patient',
    providerClientId: 'south-provider',
    rulePriority: 40,
  },
];
