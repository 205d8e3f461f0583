import { checkSecretVariant, otherVariantName } from '../epic/secret-variants';
import { kindByName } from '../kinds';
import { fieldOf } from '../kinds/validate';
import { type DesiredSet, describeObject, describeSecretRef } from './desired';
import { clientSecretWarning, SecretResolver, secretProblem } from './secrets';

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

/**
 * Resolves every secret reference of a desired set and reports missing ones, references of the wrong environment,
 * values that break a kind rule (e.g. the Epic key length), and a value that is also set under the other
 * environment's name. Never returns or prints a value.
 */
/** `appDir`: the app directory (secret files are relative to it and must be inside it). */
export function checkSecrets(set: DesiredSet, env: NodeJS.ProcessEnv, appDir: string): SecretReport {
  const resolver = new SecretResolver(env, appDir);
  const secrets: SecretStatus[] = [];
  const warnings: string[] = [];
  for (const object of set.objects) {
    const kind = kindByName(object.kind);
    const values: Record<string, string> = {};
    for (const [field, ref] of Object.entries(object.secrets ?? {})) {
      const base = { object: object.id, kind: kind.title, field, reference: describeSecretRef(ref) };
      const variant = checkSecretVariant(ref, set.environment, kind.name, field);
      if (variant) {
        secrets.push({ ...base, status: 'wrong-environment', detail: variant });
        continue;
      }
      const read = resolver.read(ref, fieldOf(kind, field));
      if ('problem' in read) {
        secrets.push({ ...base, status: read.malformed ? 'malformed' : 'missing', detail: read.problem });
        continue;
      }
      const { value } = read;
      values[field] = value;
      const problem = secretProblem(kind, object.spec, { [field]: value });
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
    const warning = kind.name === 'telehealth_profile' ? clientSecretWarning(describeObject(object), values) : undefined;
    if (warning) warnings.push(warning);
  }
  return { stack: set.stack, environment: set.environment, secrets, warnings };
}
