import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PexipClient } from '../src/api/client';
import { EPIC_ALGORITHM_WIRE, KINDS, kindByName, type KindName, REMOVAL_ORDER } from '../src/kinds';
import type { JsonObject } from '../src/kinds/types';
import type { UploadFile } from '../src/api/client';
import { writeZip } from '../src/util/zip';
import { mixFor, uuidFor } from './mix';

/**
 * The floor's API work: what any tool must at least ask of Pexip for the benchmark's N objects, with nothing else
 * (no observe, no schema reads, no diff, no markers, no ledger), `PEXIP_PARALLELISM` requests at a time like ours.
 *
 *   direct-client.js create   every object once; an object only waits for the objects it refers to (rules after
 *                             profiles and themes), the rest go together. Keys to BENCH_KEYS_FILE when set.
 *   direct-client.js patch    one field of one profile (the one-field change).
 *   direct-client.js lists    each kind listed once, one after another (the drift target's "slowest list").
 *   direct-client.js delete   every object of BENCH_KEYS_FILE, in the documented removal order (a product rule:
 *                             rules, profiles, branding, themes, policies), the objects of one kind together.
 */

interface CreatedKey {
  readonly kind: KindName;
  readonly key: string;
}

/** At most `limit` tasks at once: a plain script's pool, independent of the engine's. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

interface Job {
  readonly kind: KindName;
  readonly body: () => JsonObject;
  readonly file?: UploadFile;
}

async function create(client: PexipClient, keysFile: string | undefined): Promise<void> {
  const mix = mixFor(Number(process.env.BENCH_N ?? '10'));
  const assets = resolve(__dirname, '..', '..', 'bench', 'assets');
  const themeZip = writeZip(['themeconfig.json', 'background.png'].map((name) => ({ name, content: readFileSync(join(assets, 'theme', name)) })));
  const brandingZip = writeZip([{ name: 'webapp3/branding/manifest.json', content: readFileSync(join(assets, 'branding', 'webapp3', 'branding', 'manifest.json')) }]);
  const created: CreatedKey[] = [];
  const themeUris: string[] = [];
  const profileUris: string[] = [];
  const run = async (job: Job): Promise<string> => {
    const answer = await client.create(kindByName(job.kind), job.body(), job.file ? { file: job.file } : {});
    created.push({ kind: job.kind, key: answer.key });
    return answer.uri;
  };
  // First everything that refers to nothing of ours, together; then the rules, which refer to profiles and themes.
  const independent: (Job & { readonly done?: (uri: string) => void })[] = [
    ...Array.from({ length: mix.themes }, (_, i) => ({ kind: 'ivr_theme' as const, body: () => ({ name: `Direct theme ${i}` }), file: { fileName: 'theme.zip', content: themeZip }, done: (uri: string) => (themeUris[i] = uri) })),
    ...Array.from({ length: mix.brandings }, (_, i) => ({ kind: 'webapp_branding' as const, body: () => ({ name: `Direct branding ${i}`, webapp_type: 'webapp3' }), file: { fileName: 'b.zip', content: brandingZip } })),
    ...Array.from({ length: mix.policies }, (_, i) => ({ kind: 'policy_server' as const, body: () => ({ name: `Direct policy ${i}` }) })),
    ...Array.from({ length: mix.profiles }, (_, i) => ({ kind: 'telehealth_profile' as const, body: () => profileBody(i), done: (uri: string) => (profileUris[i] = uri) })),
  ];
  await pool(independent, client.parallelism, async (job) => {
    const uri = await run(job);
    job.done?.(uri);
  });
  const rules: Job[] = Array.from({ length: mix.profiles }, (_, i) => ({
    kind: 'gateway_routing_rule' as const,
    body: () => ({
      name: `Direct rule ${i}`,
      priority: 10 + (i % 190),
      match_string: `.*@d${i}\\.example\\.org`,
      called_device_type: 'telehealth_profile',
      telehealth_profile: profileUris[i],
      ivr_theme: themeUris.length > 0 ? themeUris[i % themeUris.length] : null,
    }),
  }));
  await pool(rules, client.parallelism, async (job) => void (await run(job)));
  if (keysFile) writeFileSync(keysFile, JSON.stringify(created));
}

function profileBody(i: number): JsonObject {
  const uuid = uuidFor(1000 + i);
  return {
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
  };
}

function readKeys(keysFile: string | undefined): CreatedKey[] {
  if (!keysFile) throw new Error('BENCH_KEYS_FILE is not set');
  return JSON.parse(readFileSync(keysFile, 'utf8')) as CreatedKey[];
}

async function main(): Promise<void> {
  const mode = process.argv[2] ?? 'create';
  const keysFile = process.env.BENCH_KEYS_FILE;
  const client = PexipClient.fromEnv();
  try {
    if (mode === 'create') await create(client, keysFile);
    else if (mode === 'patch') {
      const profile = readKeys(keysFile).find((k) => k.kind === 'telehealth_profile');
      if (!profile) throw new Error('no profile was created');
      await client.update(kindByName('telehealth_profile'), profile.key, { description: 'changed' });
    } else if (mode === 'lists') {
      for (const kind of KINDS) await client.list(kind);
    } else if (mode === 'delete') {
      const keys = readKeys(keysFile);
      for (const kind of REMOVAL_ORDER) {
        await pool(
          keys.filter((k) => k.kind === kind.name),
          client.parallelism,
          async (k) => void (await client.delete(kind, k.key)),
        );
      }
    } else throw new Error(`unknown mode "${mode}"`);
  } finally {
    client.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
