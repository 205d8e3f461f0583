import { readFileSync } from 'node:fs';
import { ConfigError } from '../api/errors';
import { redactor } from '../api/redact';
import { kindByName } from '../kinds';
import { checkRules } from '../kinds/validate';
import { type DesiredObject, type DesiredSet, describeObject, packagePath, type SecretRef } from './desired';
import { clientSecretWarning } from './secret-check';

/** Resolves secret references at apply time. Every value is registered for redaction before it is used. */
export class SecretResolver {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly baseDir: string,
  ) {}

  /** The value of one reference; a ConfigError naming the object and field when it cannot be had. */
  resolve(ref: SecretRef, object: Pick<DesiredObject, 'kind' | 'id'>, field: string): string {
    const context = { kind: kindByName(object.kind).title, object: object.id, field };
    let value: string;
    if (ref.env !== undefined) {
      const raw = this.env[ref.env];
      if (raw === undefined || raw === '') throw new ConfigError(`${describeObject(object)}, field ${field}: environment variable ${ref.env} is not set.`, context);
      value = raw;
    } else {
      const path = packagePath(this.baseDir, ref.file!);
      try {
        value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
      } catch (error) {
        throw new ConfigError(`${describeObject(object)}, field ${field}: cannot read secret file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, context);
      }
      if (value === '') throw new ConfigError(`${describeObject(object)}, field ${field}: secret file ${path} is empty.`, context);
    }
    redactor.addSecret(value);
    return value;
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
