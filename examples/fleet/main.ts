import { join } from 'node:path';
import { App, LocalBackend } from 'cdktf';
import { EpicTelehealthIntegration, PexipStack, Secret, pathFromStackDirectory } from 'pexip-telehealth-cdktf';
import { SITES } from './sites';

// One stack per site, each bound to its own Management Node (README, "Each stack on its own node").
const app = new App({ skipValidation: true });
try {
  for (const site of SITES) {
    const stack = new PexipStack(app, site.stack, { environment: site.environment, variant: site.variant });
    // State per stack; PEXIP_CDKTF_STATE_DIR moves it (a scratch directory in tests). A team uses a remote backend.
    new LocalBackend(stack, { path: pathFromStackDirectory(stack, join(process.env.PEXIP_CDKTF_STATE_DIR ?? '.', `terraform.${site.stack}.tfstate`)) });
    const secret = (name: string) => Secret.fromEnv(`EPIC_${site.variant}_${site.environment === 'production' ? 'PROD' : 'NONPROD'}_${name}`);
    new EpicTelehealthIntegration(stack, 'epic', {
      environment: site.environment,
      profileName: site.profileName,
      callDomain: site.callDomain,
      webAppBaseUrl: site.webAppBaseUrl,
      epic: { baseUrl: site.epicBaseUrl, oauth2BaseUrl: `${site.epicBaseUrl}interconnect-oauth`, patientClientId: site.patientClientId, providerClientId: site.providerClientId },
      secrets: { patientClientSecret: secret('PATIENT_CLIENT_SECRET'), providerClientSecret: secret('PROVIDER_CLIENT_SECRET'), encryptionKey: secret('ENCRYPTION_KEY'), version: '1' },
      routing: { priority: site.rulePriority },
    });
  }
  app.synth();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
