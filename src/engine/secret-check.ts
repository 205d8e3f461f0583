import { readFileSync } from 'node:fs';
import { checkSecretVariant, otherVariantName } from '../epic/secret-variants';
import { kindByName } from '../kinds';
import { checkRules } from '../kinds/validate';
import { redactor } from '../api/redact';
import { type DesiredSet, packagePath, type SecretRef } from './desired';

/** The state of one secret reference of a stack. Values are never part of it. */
export interface SecretStatus {
  readonly object: string;
  readonly kind: string;
  readonly field: string;
  /** `env:NAME` or `file:PATH`. */
  readonly reference: string;
  readonly status: 'ok' | 'missing' | 'wrong-environment' | 'malformed' | 'same-as-other-environment';
  /** What is wrong, and the rule id where one applies. */
  readonly detail?: string;
}

export interface SecretReport {
  readonly stack: string;
  readonly environment: string;
  readonly secrets: readonly SecretStatus[];
  /** Things worth knowing that are not errors (e.g. provider and patient secrets differ). */
  readonly warnings: readonly string[];
}

function read(ref: SecretRef, env: NodeJS.ProcessEnv, baseDir: string): string | undefined {
  if (ref.env !== undefined) return env[ref.env] || undefined;
  try {
    return readFileSync(packagePath(baseDir, ref.file!), 'utf8').replace(/\r?\n$/, '') || undefined;
  } catch {
    return undefined;
  }
}

/** Warning when the two Epic client secrets of a profile differ: Epic issues one value for both today. */
export function clientSecretWarning(object: string, values: Readonly<Record<string, string>>): string | undefined {
  const provider = values.epic_provider_app_client_secret;
  const patient = values.epic_patient_app_client_secret;
  return provider !== undefined && patient !== undefined && provider !== patient
    ? `${object}: the provider and patient client secrets differ; Epic currently issues one value for both, so check that neither is another environment's or an old one.`
    : undefined;
}

/**
 * Resolves every secret reference of a desired set and reports missing ones, references of the wrong environment,
 * values that break a kind rule (e.g. the Epic key length), and a value that is also set under the other
 * environment's name. Never returns or prints a value.
 */
export function checkSecrets(set: DesiredSet, env: NodeJS.ProcessEnv, baseDir: string): SecretReport {
  const secrets: SecretStatus[] = [];
  const warnings: string[] = [];
  for (const object of set.objects) {
    const kind = kindByName(object.kind);
    const values: Record<string, string> = {};
    for (const [field, ref] of Object.entries(object.secrets ?? {})) {
      const base = { object: object.id, kind: kind.title, field, reference: ref.env !== undefined ? `env:${ref.env}` : `file:${ref.file}` };
      const variant = checkSecretVariant(ref, set.environment, kind.name, field);
      if (variant) {
        secrets.push({ ...base, status: 'wrong-environment', detail: variant });
        continue;
      }
      const value = read(ref, env, baseDir);
      if (value === undefined) {
        secrets.push({ ...base, status: 'missing', detail: ref.env !== undefined ? `environment variable ${ref.env} is not set` : `file ${packagePath(baseDir, ref.file!)} cannot be read or is empty` });
        continue;
      }
      redactor.addSecret(value);
      values[field] = value;
      const problem = checkRules(kind, { ...object.spec, [field]: value }).find((e) => e.field === field);
      if (problem) {
        secrets.push({ ...base, status: 'malformed', detail: problem.message });
        continue;
      }
      const other = ref.env !== undefined ? otherVariantName(ref.env) : undefined;
      if (other !== undefined && env[other] === value) {
        secrets.push({ ...base, status: 'same-as-other-environment', detail: `${ref.env} and ${other} hold the same value; one environment has the other's secret` });
        continue;
      }
      secrets.push({ ...base, status: 'ok' });
    }
    const warning = kind.name === 'telehealth_profile' ? clientSecretWarning(`${kind.title} "${object.id}"`, values) : undefined;
    if (warning) warnings.push(warning);
  }
  return { stack: set.stack, environment: set.environment, secrets, warnings };
}
