import { EpicTelehealthProfile, type PexipStack, Secret } from '../src';
import { uuidFor } from './mix';

/** One benchmark telehealth profile: `domain` its call domain, secrets named `<secretPrefix>_…`. */
export function benchProfile(stack: PexipStack, i: number, options: { name: string; uuidIndex: number; domain: string; secretPrefix: string; description?: string }): EpicTelehealthProfile {
  const secret = (name: string) => Secret.fromEnv(`${options.secretPrefix}_${name}`);
  return new EpicTelehealthProfile(stack, `profile-${i}`, {
    name: options.name,
    uuid: uuidFor(options.uuidIndex),
    ...(options.description !== undefined ? { description: options.description } : {}),
    telehealthCallDomain: options.domain,
    telehealthIntegrationBaseUrl: 'https://epic.example.org/',
    telehealthIntegrationOauth2BaseApiUrl: 'https://epic.example.org/oauth',
    infinityWebappServerBaseUrl: 'https://meet.example.org/',
    epicPatientAppClientId: `patient-${i}`,
    epicProviderAppClientId: `provider-${i}`,
    patientClientSecret: secret('PATIENT_CLIENT_SECRET'),
    providerClientSecret: secret('PROVIDER_CLIENT_SECRET'),
    encryptionKey: secret('ENCRYPTION_KEY'),
  });
}
