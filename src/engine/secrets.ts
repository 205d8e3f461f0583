import { readFileSync } from 'node:fs';
import { ConfigError } from '../api/errors';
import { redactor } from '../api/redact';
import { kindByName } from '../kinds';
import { checkRules } from '../kinds/validate';
import { type DesiredObject, type DesiredSet, describeObject, packagePath, type SecretRef } from './desired';

/** Resolves secret references at apply time. Every value is registered for redaction before it is used. */
export class SecretResolver {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly baseDir: string,
  ) {}

  /**
   * Reads one reference: its value (registered for redaction), or why it cannot be had. A file's trailing newline is
   * not part of the value.
   */
  read(ref: SecretRef): { value: string } | { problem: string } {
    let value: string;
    if (ref.env !== undefined) {
      value = this.env[ref.env] ?? '';
      if (value === '') return { problem: `environment variable ${ref.env} is not set` };
    } else {
      const path = packagePath(this.baseDir, ref.file!);
      try {
        value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
      } catch (error) {
        return { problem: `cannot read secret file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
      }
      if (value === '') return { problem: `secret file ${path} is empty` };
    }
    redactor.addSecret(value);
    return { value };
  }

  /** The value of one reference; a ConfigError naming the object and field when it cannot be had. */
  resolve(ref: SecretRef, object: Pick<DesiredObject, 'kind' | 'id'>, field: string): string {
    const read = this.read(ref);
    if ('problem' in read) {
      throw new ConfigError(`${describeObject(object)}, field ${field}: ${read.problem}.`, { kind: kindByName(object.kind).title, object: object.id, field });
    }
    return read.value;
  }

  /** All secrets of an object, by field. */
  resolveAll(object: DesiredObject): Record<string, string> {
    return Object.fromEntries(Object.entries(object.secrets ?? {}).map(([field, ref]) => [field, this.resolve(ref, object, field)]));
  }

  /**
   * Resolves every secret of the set up front and checks the values against the kind rules (e.g. the Epic key
   * length), so a missing or weak secret stops the run before the first write.
   */
  preflight(set: DesiredSet, warn: (message: string) => void = () => {}): Map<string, Record<string, string>> {
    const resolved = new Map<string, Record<string, string>>();
    for (const object of set.objects) {
      if (!object.secrets) continue;
      const values = this.resolveAll(object);
      const kind = kindByName(object.kind);
      const fields = new Set(Object.keys(values));
      const problem = checkRules(kind, { ...object.spec, ...values }).find((e) => fields.has(e.field));
      if (problem) throw new ConfigError(`${describeObject(object)}, field ${problem.field}: ${problem.message}`, { kind: kind.title, object: object.id, field: problem.field });
      const warning = kind.name === 'telehealth_profile' ? clientSecretWarning(describeObject(object), values) : undefined;
      if (warning) warn(warning);
      resolved.set(object.id, values);
    }
    return resolved;
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
