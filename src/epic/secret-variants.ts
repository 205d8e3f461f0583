/**
 * Production and non-production secret variants. Epic issues separate client secrets (and the customer keeps
 * separate keys) per environment; the reference that names a secret must say which environment it belongs to,
 * so a production stack can never pick up a non-production value, or the reverse.
 */

export type Environment = 'production' | 'non-production';

const PRODUCTION = new Set(['PROD', 'PRD', 'PRODUCTION', 'LIVE']);
const NON_PRODUCTION = new Set(['NONPROD', 'NONPRD', 'NONPRODUCTION', 'TEST', 'TST', 'DEV', 'UAT', 'STAGING', 'STG', 'SANDBOX', 'POC', 'TRAINING']);

/** Secrets that are per-environment (Epic ones). Other secrets (e.g. a policy server password) are not checked. */
const ENVIRONMENT_SECRETS: Readonly<Record<string, readonly string[]>> = {
  telehealth_profile: ['epic_patient_app_client_secret', 'epic_provider_app_client_secret', 'epic_encryption_key', 'epic_backend_oauth2_app_private_key'],
};

/** Which environment a secret's name says it belongs to: by words such as PROD, NONPROD, TEST in the name. */
export function environmentOfName(name: string): Environment | 'both' | undefined {
  const words = name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toUpperCase());
  // "NON_PROD" and "non-prod" are one word for this purpose.
  const joined = words.flatMap((w, i) => (w === 'NON' && words[i + 1] && PRODUCTION.has(words[i + 1]) ? [`NON${words[i + 1]}`] : words[i - 1] === 'NON' && PRODUCTION.has(w) ? [] : [w]));
  const prod = joined.some((w) => PRODUCTION.has(w));
  const nonProd = joined.some((w) => NON_PRODUCTION.has(w));
  if (prod && nonProd) return 'both';
  return prod ? 'production' : nonProd ? 'non-production' : undefined;
}

/** A problem with a secret reference's environment variant, or undefined when it is right. Never needs the value. */
export function checkSecretVariant(ref: { env?: string; file?: string }, environment: Environment, kind: string, field: string): string | undefined {
  if (!ENVIRONMENT_SECRETS[kind]?.includes(field)) return undefined;
  const name = ref.env ?? ref.file ?? '';
  const what = ref.env ? `environment variable ${name}` : `file ${name}`;
  const said = environmentOfName(name);
  const example = environment === 'production' ? 'EPIC_PROD_PROVIDER_CLIENT_SECRET' : 'EPIC_NONPROD_PROVIDER_CLIENT_SECRET';
  if (said === undefined) return `the ${what} does not say which environment it is for; name it with PROD or NONPROD (e.g. ${example}).`;
  if (said === 'both') return `the ${what} names both production and non-production; use one variant.`;
  if (said !== environment) return `this is a ${environment} stack, but the ${what} is the ${said} variant.`;
  return undefined;
}

const SWAP: Readonly<Record<string, string>> = { PROD: 'NONPROD', NONPROD: 'PROD', PRD: 'NONPRD', NONPRD: 'PRD' };

/**
 * The name of the other environment's variant of a secret reference (`EPIC_PROD_X` ↔ `EPIC_NONPROD_X`), or undefined
 * when the name has no PROD/NONPROD word to swap. Used to catch one value set under both names.
 */
export function otherVariantName(name: string): string | undefined {
  let swapped = false;
  const other = name.replace(/(^|[^A-Za-z0-9])(NON_?PROD|NON_?PRD|PROD|PRD)(?=$|[^A-Za-z0-9])/gi, (match, before: string, word: string) => {
    const key = word.toUpperCase().replace('_', '');
    const replacement = SWAP[key];
    if (!replacement) return match;
    swapped = true;
    const cased = word === word.toLowerCase() ? replacement.toLowerCase() : replacement;
    return `${before}${cased}`;
  });
  return swapped ? other : undefined;
}
