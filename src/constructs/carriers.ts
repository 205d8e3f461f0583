import { DataResource, type ITerraformDependable, type TerraformResource, TerraformStack, Token } from 'cdktf';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource';
import type { Construct } from 'constructs';
import { canonicalJson } from '../engine/desired';
import type { JsonObject, JsonValue } from '../kinds/types';

/**
 * Carriers: the Terraform resources that carry a stack's desired state and run `pexip-cdktf` through `local-exec`.
 * `terraform_data` (default) is built into Terraform, so air-gapped networks need no provider download;
 * `null_resource` is for teams standardised on the null provider. See design.md, "The carrier model".
 */
export type CarrierType = 'terraform_data' | 'null_resource';

/** A provisioner command. JSON never goes on the command line (the shell would eat its quotes): use `environment`. */
export interface ProvisionerSpec {
  readonly command: string;
  /** Values may reference the carrier's own attributes through `self(...)`. */
  readonly environment?: Readonly<Record<string, string>>;
}

export interface ActionSpec {
  /** A change to any of these replaces the carrier (and so runs its create-time provisioner again). */
  readonly triggers: Readonly<Record<string, string>>;
  /** Values the destroy-time provisioner needs; readable through `self(name)`. */
  readonly input: Readonly<Record<string, string>>;
  readonly create?: ProvisionerSpec;
  readonly destroy?: ProvisionerSpec;
  readonly dependsOn?: ITerraformDependable[];
  /** A change (update or replacement) of any of these replaces this carrier too. */
  readonly replacedWith?: TerraformResource[];
}

/**
 * A record carrier: Terraform state keeps values the synth decides (the node a stack is bound to, the convergence
 * token); `keep` says which of them a plan must leave as state has them (`input`: the values; `all`: values and
 * triggers, for a synth that could not ask Pexip).
 */
export interface RecordSpec {
  readonly input: Readonly<Record<string, string>>;
  /** A change replaces the record (default none: a value change is an update in place). */
  readonly triggers?: Readonly<Record<string, string>>;
  readonly keep?: 'input' | 'all';
}

export interface Carrier {
  readonly type: CarrierType;
  /** A declaration: the object's declared non-secret spec, for field-level plan output; no provisioner. */
  declaration(scope: Construct, id: string, payload: JsonObject): TerraformResource;
  /** An action carrier (reconciler, anchor, licence). */
  action(scope: Construct, id: string, spec: ActionSpec): TerraformResource;
  /** A Terraform expression reading one of the action input values from inside its provisioners. */
  self(name: string): string;
  /**
   * Like `self`, for a value later versions added: state written before holds no such key, and a destroy runs on
   * what state holds, so it reads as "" there instead of failing the destroy.
   */
  selfOrEmpty(name: string): string;
  /** A record carrier, its values set later (at synthesis) with `record`. */
  recordCarrier(scope: Construct, id: string): TerraformResource;
  /** Sets what a record carrier holds. */
  record(resource: TerraformResource, spec: RecordSpec): void;
  /** A Terraform expression reading a record's value as state holds it. */
  read(resource: TerraformResource, name: string): string;
}

function lifecycle(spec: { replacedWith?: TerraformResource[] }) {
  // As plain `<type>.<name>` strings: Terraform refuses the `${…}` form cdktf would write for a resource object here.
  return spec.replacedWith && spec.replacedWith.length > 0 ? { lifecycle: { replaceTriggeredBy: spec.replacedWith.map((r) => `${r.terraformResourceType}.${r.friendlyUniqueId}`) } } : {};
}

function provisioners(spec: ActionSpec) {
  return [
    ...(spec.create ? [{ type: 'local-exec' as const, command: spec.create.command, environment: spec.create.environment }] : []),
    ...(spec.destroy ? [{ type: 'local-exec' as const, when: 'destroy' as const, command: spec.destroy.command, environment: spec.destroy.environment }] : []),
  ];
}

export const terraformDataCarrier: Carrier = {
  type: 'terraform_data',
  declaration(scope, id, payload) {
    // One JSON string rather than a nested object: Terraform still shows field-level changes inside it
    // (`jsonencode({ ~ name = "a" -> "b" })`), but its plans cost far less than with deep object types.
    return new DataResource(scope, id, { input: { declaration: canonicalJson(payload) } });
  },
  action(scope, id, spec) {
    return new DataResource(scope, id, { input: { ...spec.input }, triggersReplace: { ...spec.triggers }, dependsOn: spec.dependsOn, provisioners: provisioners(spec), ...lifecycle(spec) });
  },
  self: (name) => `\${self.input.${name}}`,
  selfOrEmpty: (name) => `\${lookup(self.input, "${name}", "")}`,
  recordCarrier: (scope, id) => new DataResource(scope, id, {}),
  record(resource, spec) {
    const data = resource as DataResource;
    data.input = { ...spec.input };
    if (spec.triggers) data.triggersReplace = { ...spec.triggers };
    if (spec.keep) data.lifecycle = { ignoreChanges: spec.keep === 'all' ? ['input', 'triggers_replace'] : ['input'] };
  },
  read: (resource, name) => Token.asString(resource.interpolationForAttribute(`output.${name}`)),
};

/** null_resource triggers are a map of strings: nested values are flattened to dotted keys so plans stay field-level. */
export function flatten(value: JsonValue, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

export const nullResourceCarrier: Carrier = {
  type: 'null_resource',
  declaration(scope, id, payload) {
    ensureNullProvider(scope);
    return new NullResource(scope, id, { triggers: flatten(payload) });
  },
  action(scope, id, spec) {
    ensureNullProvider(scope);
    // null_resource has only triggers: any change replaces it, so inputs and triggers share the map.
    const triggers: Record<string, string> = { ...spec.input, ...spec.triggers };
    return new NullResource(scope, id, { triggers, dependsOn: spec.dependsOn, provisioners: provisioners(spec), ...lifecycle(spec) });
  },
  self: (name) => `\${self.triggers.${name}}`,
  selfOrEmpty: (name) => `\${lookup(self.triggers, "${name}", "")}`,
  recordCarrier(scope, id) {
    ensureNullProvider(scope);
    return new NullResource(scope, id, {});
  },
  record(resource, spec) {
    // Only triggers: a value change replaces the record, which is harmless (no provisioner); kept values are ignored.
    const data = resource as NullResource;
    data.triggers = { ...spec.input, ...spec.triggers };
    if (spec.keep) data.lifecycle = { ignoreChanges: spec.keep === 'all' ? ['triggers'] : Object.keys(spec.input).map((k) => `triggers["${k}"]`) };
  },
  read: (resource, name) => Token.asString(resource.interpolationForAttribute(`triggers.${name}`)),
};

const PROVIDERS = new WeakSet<object>();

function ensureNullProvider(scope: Construct): void {
  const stack = TerraformStack.of(scope);
  if (PROVIDERS.has(stack)) return;
  PROVIDERS.add(stack);
  new NullProvider(stack, 'null');
}

export function carrierFor(type: CarrierType): Carrier {
  return type === 'null_resource' ? nullResourceCarrier : terraformDataCarrier;
}
