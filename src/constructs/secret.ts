import { describeSecretRef, type SecretRef } from '../engine/desired';

/**
 * A secret given by reference: the value is read at apply time from an environment variable or a file, so it never
 * appears in cdk.tf.json, Terraform state or plan output. Name the reference after its environment
 * (`EPIC_PROD_…` / `EPIC_NONPROD_…`): a production stack refuses a non-production reference and the reverse.
 */
export class Secret {
  /** The value is in this environment variable of the process that runs `cdktf deploy` / `terraform apply`. */
  static fromEnv(name: string): Secret {
    return new Secret({ env: name });
  }

  /**
   * The value is in this file (a trailing newline is ignored). A relative path is relative to the app directory (the
   * directory of `cdktf.json`). The file must be inside the app directory, or inside `PEXIP_CDKTF_SECRETS_DIR` when
   * that is set where the deploy runs; it is read at apply time and never copied into the synth output.
   */
  static fromFile(path: string): Secret {
    return new Secret({ file: path });
  }

  private constructor(readonly ref: SecretRef) {}

  /** How the reference shows in plans and state: `env:NAME` or `file:PATH`. */
  toString(): string {
    return describeSecretRef(this.ref);
  }
}
