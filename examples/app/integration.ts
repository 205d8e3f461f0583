import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type App, LocalBackend, PgBackend } from 'cdktf';
import { EpicTelehealthIntegration, PexipStack, Secret } from '../../src';
import type { EnvironmentSettings } from './environments';

/** The project directory (nearest package.json): the app runs compiled from dist/, its assets stay in the source tree. */
function projectDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
const PROJECT = projectDir(__dirname);
const ASSETS = join(PROJECT, 'examples', 'app', 'assets');

/** One environment's stack: the same integration everywhere, with that environment's values and secret variants. */
export function telehealthStack(app: App, env: EnvironmentSettings): PexipStack {
  const stack = new PexipStack(app, env.stack, { environment: env.environment });
  // Shared state with locking when PEXIP_CDKTF_PG_CONN_STR is set (examples/pg-backend); otherwise local state,
  // which PEXIP_CDKTF_STATE_DIR moves (npm start uses a scratch directory).
  if (process.env.PEXIP_CDKTF_PG_CONN_STR) new PgBackend(stack, { connStr: process.env.PEXIP_CDKTF_PG_CONN_STR, schemaName: `pexip_${env.stack}` });
  // Absolute on purpose: a relative path would put state inside cdktf.out/stacks/<stack>/, which synth deletes when a
  // stack leaves the app.
  else new LocalBackend(stack, { path: resolve(process.env.PEXIP_CDKTF_STATE_DIR ?? PROJECT, `terraform.${env.stack}.tfstate`) });
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
    theme: { name: `${env.profileName} waiting room`, packageDirectory: join(ASSETS, 'theme') },
    webApp: { brandingName: `${env.profileName} branding`, branding: { packageDirectory: join(ASSETS, 'branding') }, pathSlug: env.webAppPath },
    ...(entitlement ? { licence: { entitlementId: entitlement, returnOnDestroy: true } } : {}),
  });
  return stack;
}
