import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { readBoundedText } from '../util/read-file';
import { ConfigError } from '../api/errors';
import { redactor } from '../api/redact';
import { kindByName } from '../kinds';
import type { FieldError, FieldSpec, JsonObject, KindSpec } from '../kinds/types';
import { checkFieldValue, checkRules, fieldOf } from '../kinds/validate';
import { type DesiredObject, type DesiredSet, describeObject, packagePath, type SecretRef } from './desired';

/** Largest secret file accepted: the longest Epic secret (a PEM private key) is 12288 characters. */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

/**
 * The one rule for line breaks in secrets. A secret file may end with one line feed, which is not part of the value:
 * editors and `echo` write it. Anything else is a copy slip that Pexip would store and Epic would then refuse: a
 * carriage return anywhere (a file saved on Windows, even through `$(cat file)`), a line break at the end of an
 * environment variable or a second one at the end of a file (a blank last line), and a line break inside a one-line
 * secret. Only multi-line secrets (the PEM private key) have inner line feeds.
 */
function lineBreakProblem(value: string, source: string, multiline: boolean): string | undefined {
  if (value.includes('\r')) return `${source} contains a carriage return (a Windows line ending); remove it`;
  if (value.endsWith('\n')) return `${source} ends with a blank line or an extra line break; a secret file may end with one line break, an environment variable with none`;
  if (!multiline && value.includes('\n')) return `${source} contains a line break; this secret is one line`;
  return undefined;
}

/** `path` is `root` or inside it. */
function within(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Resolves secret references at apply time. Every value is registered for redaction before it is used. Secret files
 * must be regular files inside the app directory, or inside `PEXIP_CDKTF_SECRETS_DIR` when set: a reference such as
 * `NONPROD/../../../proc/self/environ` would otherwise send the process environment (with PEXIP_PASSWORD) to Pexip.
 */
export class SecretResolver {
  private readonly roots: readonly string[];

  /**
   * @param baseDir relative file references are relative to it (the desired set's directory).
   * @param appDir the app directory: secret files must be inside it (default: `baseDir`).
   */
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly baseDir: string,
    appDir: string = baseDir,
  ) {
    this.roots = [appDir, ...(env.PEXIP_CDKTF_SECRETS_DIR ? [resolve(env.PEXIP_CDKTF_SECRETS_DIR)] : [])].map((root) => {
      try {
        return realpathSync(root);
      } catch {
        return resolve(root);
      }
    });
  }

  /**
   * Reads one reference: its value (registered for redaction), or why it cannot be had (`malformed` when it can be
   * read but breaks the line-break rule above). `field`: the secret's field, which says whether it may span lines.
   */
  read(ref: SecretRef, field?: FieldSpec): { value: string } | { problem: string; malformed?: true } {
    let value: string;
    let source: string;
    if (ref.env !== undefined) {
      source = `environment variable ${ref.env}`;
      value = this.env[ref.env] ?? '';
      if (value === '') return { problem: `environment variable ${ref.env} is not set` };
    } else {
      const path = packagePath(this.baseDir, ref.file!);
      source = `secret file ${ref.file}`;
      let real: string;
      try {
        real = realpathSync(path);
      } catch (error) {
        return { problem: `cannot read secret file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
      }
      if (!this.roots.some((root) => within(real, root))) {
        return { problem: `secret file ${path} is outside the app directory ${this.roots[0]}; keep secret files under the app, or name their directory in PEXIP_CDKTF_SECRETS_DIR` };
      }
      try {
        value = readBoundedText(real, { source: `secret file ${ref.file}`, maxBytes: MAX_SECRET_FILE_BYTES, sizeHint: 'an Epic secret is at most a 12 KiB private key' }).replace(/\n$/, '');
      } catch (error) {
        return { problem: (error as Error).message.replace(/\.$/, '') };
      }
      if (value === '') return { problem: `secret file ${path} is empty` };
    }
    // Registered before the check: nothing may print it, even when it is refused.
    redactor.addSecret(value);
    const malformed = lineBreakProblem(value, source, field?.multiline === true);
    if (malformed) return { problem: malformed, malformed: true };
    return { value };
  }

  /** The value of one reference; a ConfigError naming the object and field when it cannot be had. */
  resolve(ref: SecretRef, object: Pick<DesiredObject, 'kind' | 'id'>, field: string): string {
    const read = this.read(ref, fieldOf(kindByName(object.kind), field));
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
      const problem = secretProblem(kind, object.spec, values);
      if (problem) throw new ConfigError(`${describeObject(object)}, field ${problem.field}: ${problem.message}`, { kind: kind.title, object: object.id, field: problem.field });
      const warning = kind.name === 'telehealth_profile' ? clientSecretWarning(describeObject(object), values) : undefined;
      if (warning) warn(warning);
      resolved.set(object.id, values);
    }
    return resolved;
  }
}

/**
 * The first problem with secret values, checked like any field (length, format) and by the kind's rules (e.g. the Epic
 * key length for the algorithm), before anything is sent: Pexip would refuse them after other objects were written.
 */
export function secretProblem(kind: KindSpec, spec: Readonly<JsonObject>, values: Readonly<Record<string, string>>): FieldError | undefined {
  for (const [field, value] of Object.entries(values)) {
    const own = fieldOf(kind, field);
    const found = own ? checkFieldValue(field, own, value)[0] : undefined;
    if (found) return found;
  }
  const fields = new Set(Object.keys(values));
  return checkRules(kind, { ...spec, ...values }).find((e) => fields.has(e.field));
}

/** Warning when the two Epic client secrets of a profile differ: Epic issues one value for both today. */
export function clientSecretWarning(object: string, values: Readonly<Record<string, string>>): string | undefined {
  const provider = values.epic_provider_app_client_secret;
  const patient = values.epic_patient_app_client_secret;
  return provider !== undefined && patient !== undefined && provider !== patient
    ? `${object}: the provider and patient client secrets differ; Epic currently issues one value for both, so check that neither is another environment's or an old one.`
    : undefined;
}
