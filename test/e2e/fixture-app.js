// A CDKTF app for the end-to-end tests: one non-production integration whose variable parts come from the JSON
// file named by PEXIP_E2E_CONFIG, so a test can change the app between deploys. Plain JS: it runs as cdktf runs apps.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { App, LocalBackend, PgBackend } = require('cdktf');
const lib = require(process.env.PEXIP_E2E_LIB);

const config = JSON.parse(readFileSync(process.env.PEXIP_E2E_CONFIG, 'utf8'));
const app = new App({ skipValidation: true });
const stack = new lib.PexipStack(app, 'nonprod', { environment: 'non-production', carrier: config.carrier });
if (config.pgConnStr) new PgBackend(stack, { connStr: config.pgConnStr });
else new LocalBackend(stack, { path: join(config.stateDir, 'terraform.nonprod.tfstate') });
new lib.EpicTelehealthIntegration(stack, 'epic', {
  environment: 'non-production',
  profileName: 'Healthcare Org (test)',
  callDomain: 'telehealth-test.example.org',
  webAppBaseUrl: 'https://meet-test.example.org/',
  epic: { baseUrl: 'https://epic-test.example.org/', oauth2BaseUrl: 'https://epic-test.example.org/oauth', patientClientId: 'np-patient', providerClientId: 'np-provider' },
  secrets: {
    patientClientSecret: lib.Secret.fromEnv('EPIC_NONPROD_PATIENT_CLIENT_SECRET'),
    providerClientSecret: lib.Secret.fromEnv('EPIC_NONPROD_PROVIDER_CLIENT_SECRET'),
    encryptionKey: lib.Secret.fromEnv('EPIC_NONPROD_ENCRYPTION_KEY'),
    version: '1',
  },
  templates: { serviceName: config.serviceName },
  routing: { priority: 30 },
  ...(config.theme ? { theme: { name: 'Telehealth waiting room (test)', packageDirectory: config.themeDir } } : {}),
  webApp: { brandingName: 'Telehealth branding (test)', branding: { packageDirectory: config.brandingDir }, pathSlug: 'telehealth-test' },
  policy: { name: 'Telehealth policy (test)', enableInternalServicePolicy: true, internalServicePolicyTemplate: '{ "action": "continue", "result": {{service_config|pex_to_json}} }' },
  devicePairingRule: { name: 'Epic device pairing (test)', priority: 31, matchString: 'pair\\..*@telehealth-test\\.example\\.org', calledDeviceType: 'registration' },
  dialOutRule: { name: 'Epic teleconsult dial-out (test)', priority: 32, matchString: '.*@partner\\.example\\.org', outgoingProtocol: 'sip', ...config.dialOutRule },
  licence: { entitlementId: 'DEMO-TELEHEALTH-0003', returnOnDestroy: true },
  ...(config.proxyPort
    ? { webProxy: { name: 'Epic egress proxy (test)', address: 'proxy.example.org', port: config.proxyPort, ...(config.proxyPasswordEnv ? { username: 'egress', password: lib.Secret.fromEnv(config.proxyPasswordEnv) } : {}) } }
    : {}),
  ...(config.locations ? { locations: config.locations, locationsTakeOver: config.locationsTakeOver } : {}),
});
app.synth();
