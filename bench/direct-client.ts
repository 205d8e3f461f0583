import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PexipClient } from '../src/api/client';
import { EPIC_ALGORITHM_WIRE, kindByName } from '../src/kinds';
import { writeZip } from '../src/util/zip';
import { mixFor, uuidFor } from './mix';

/**
 * The floor's API work: the same N objects created by a plain client script, with nothing else (no observe, no
 * diff, no ownership markers): the least any tool must do against the API.
 */
async function main(): Promise<void> {
  const mix = mixFor(Number(process.env.BENCH_N ?? '10'));
  const client = PexipClient.fromEnv();
  const assets = resolve(__dirname, '..', '..', 'bench', 'assets');
  const themeZip = writeZip(['themeconfig.json', 'background.png'].map((name) => ({ name, content: readFileSync(join(assets, 'theme', name)) })));
  const brandingZip = writeZip([{ name: 'webapp3/branding/manifest.json', content: readFileSync(join(assets, 'branding', 'webapp3', 'branding', 'manifest.json')) }]);
  const themeUris: string[] = [];
  for (let i = 0; i < mix.themes; i++) themeUris.push((await client.create(kindByName('ivr_theme'), { name: `Direct theme ${i}` }, { file: { fileName: 'theme.zip', content: themeZip } })).uri);
  for (let i = 0; i < mix.brandings; i++) await client.create(kindByName('webapp_branding'), { name: `Direct branding ${i}`, webapp_type: 'webapp3' }, { file: { fileName: 'b.zip', content: brandingZip } });
  for (let i = 0; i < mix.policies; i++) await client.create(kindByName('policy_server'), { name: `Direct policy ${i}` });
  for (let i = 0; i < mix.profiles; i++) {
    const uuid = uuidFor(1000 + i);
    const profile = await client.create(kindByName('telehealth_profile'), {
      name: `Direct profile ${i}`,
      uuid,
      telehealth_call_domain: `d${i}.example.org`,
      telehealth_integration_base_url: 'https://epic.example.org/',
      telehealth_integration_oauth2_base_api_url: 'https://epic.example.org/oauth',
      infinity_webapp_server_base_url: 'https://meet.example.org/',
      epic_patient_app_client_id: `patient-${i}`,
      epic_provider_app_client_id: `provider-${i}`,
      epic_patient_app_client_secret: String(process.env.EPIC_NONPROD_PATIENT_CLIENT_SECRET),
      epic_provider_app_client_secret: String(process.env.EPIC_NONPROD_PROVIDER_CLIENT_SECRET),
      epic_encryption_algorithm: EPIC_ALGORITHM_WIRE['AES-256-CBC'],
      epic_encryption_key: String(process.env.EPIC_NONPROD_ENCRYPTION_KEY),
      epic_encryption_key_type: 'base64key',
      patient_oauth2_redirect_url: `https://meet.example.org/api/telehealth/v1/patient/oauth2authorized/${uuid}`,
      provider_oauth2_redirect_url: `https://meet.example.org/api/telehealth/v1/provider/oauth2authorized/${uuid}/`,
    });
    await client.create(kindByName('gateway_routing_rule'), {
      name: `Direct rule ${i}`,
      priority: 10 + (i % 190),
      match_string: `.*@d${i}\\.example\\.org`,
      called_device_type: 'telehealth_profile',
      telehealth_profile: profile.uri,
      ivr_theme: themeUris.length > 0 ? themeUris[i % themeUris.length] : null,
    });
  }
  client.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
