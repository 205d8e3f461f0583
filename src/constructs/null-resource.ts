import type { TerraformResourceConfig } from 'cdktf';
import type { Construct } from 'constructs';
import { toolkit } from './toolkit';

/**
 * The hashicorp/null provider's `null_resource` and provider block, built on the app's toolkit. `@cdktf/provider-null`
 * cannot serve here: its classes extend `cdktf`'s own (so not a cdktn app's), and as a dependency it would install
 * cdktf into every cdktn app (its peer). It synthesizes the same JSON as `@cdktf/provider-null` 11 (pinned by a test).
 */
const { TerraformProvider, TerraformResource, hashMapper, stringToTerraform } = toolkit().lib;

const GENERATOR = { providerName: 'null', providerVersion: '3.2.4', providerVersionConstraint: '~> 3.0' };

export class NullProvider extends TerraformProvider {
  constructor(scope: Construct, id: string) {
    super(scope, id, { terraformResourceType: 'null', terraformGeneratorMetadata: GENERATOR, terraformProviderSource: 'null' });
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { alias: undefined };
  }
}

export interface NullResourceConfig extends Pick<TerraformResourceConfig, 'dependsOn' | 'provisioners' | 'lifecycle'> {
  /** A change to any value replaces the resource. */
  readonly triggers?: Readonly<Record<string, string>>;
}

export class NullResource extends TerraformResource {
  /** A change to any value replaces the resource; may be set until synthesis. */
  triggers?: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, config: NullResourceConfig) {
    const { triggers, dependsOn, provisioners, lifecycle } = config;
    super(scope, id, { dependsOn, provisioners, lifecycle, terraformResourceType: 'null_resource', terraformGeneratorMetadata: GENERATOR });
    this.triggers = triggers;
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { triggers: hashMapper(stringToTerraform)(this.triggers) as unknown };
  }
}
