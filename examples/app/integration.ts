import { join } from 'node:path';
import { type App, LocalBackend, PgBackend } from 'cdktf';
import { EpicTelehealthIntegration, PexipStack, Secret, pathFromStackDirectory } from 'pexip-telehealth-cdktf';
import type { EnvironmentSettings } from './environments';

// Relative to the app directory (the one holding cdktf.json), whatever directory cdktf was started from.
const ASSETS = 'examples/app/assets';

/** One environment's stack: the same integration everywhere, with that environment's values and secret variants. */
export function telehealthStack(app: App, env: EnvironmentSettings): PexipStack {
  const stack = new PexipStack(app, env.stack, { environment: env.environment });
  // Shared state with locking when PEXIP_CDKTF_PG_CONN_STR is set (examples/pg-backend); otherwise local state,
  // which PEXIP_CDKTF_STATE_DIR moves (npm start uses a scratch directory).
  if (process.env.PEXIP_CDKTF_PG_CONN_STR) new PgBackend(stack, { connStr: process.env.PEXIP_CDKTF_PG_CONN_STR, schemaName: `pexip_${env.stack}` });
  // Beside cdktf.json, not inside cdktf.out/stacks/<stack>/ (synth deletes that when a stack leaves the app), and
  // given relative to the stack directory, where Terraform runs: no absolute path in cdk.tf.json, so cdktf.out still
  // works when the checkout moves (a CI artifact).
  else new LocalBackend(stack, { path: pathFromStackDirectory(stack, join(process.env.PEXIP_CDKTF_STATE_DIR ?? '.', `terraform.${env.stack}.tfstate`)) });
  const secret = (name: string) => Secret.fromEnv(`EPIC_${env.variant}_${name}`);
  const entitlement = process.env[`PEXIP_${env.variant}_LICENCE_ENTITLEMENT`];
  new EpicTelehealthIntegration(stack, 'epic', {
    environment: env.environment,
    profileName: env.profileName,
    description: `Epic telehealth (${env.environment})`,
    callDomain: env.callDomain,
    webAppBaseUrl: env.webAppBaseUrl,
    epic: { baseUrl: env.epicBaseUrl, oauth2BaseUrl: env.epicOauth2BaseUrl, patientClientId: env.patientClientId, providerClientId: env.providerClientId },
    secrets: {
      patientClientSecret: secret('PATIENT_CLIENT_SECRET'),
      providerClientSecret: secret('PROVIDER_CLIENT_SECRET'),
      encryptionKey: secret('ENCRYPTION_KEY'),
      version: '1',
    },
    routing: { priority: env.rulePriority },
    profileUuid: env.profileUuid,
    theme: { name: `${env.profileName} waiting room`, packageDirectory: `${ASSETS}/theme` },
    webApp: { brandingName: `${env.profileName} branding`, branding: { packageDirectory: `${ASSETS}/branding` }, pathSlug: env.webAppPath },
    ...(entitlement ? { licence: { entitlementId: entitlement, returnOnDestroy: true } } : {}),
  });
  return stack;
}
