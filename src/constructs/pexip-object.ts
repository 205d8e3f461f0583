import type { Construct } from 'constructs';
import { ConfigError } from '../api/errors';
import { redactor } from '../api/redact';
import { type DesiredObject, describeSecretRef, isLookup, isRef } from '../engine/desired';
import { checkSecretVariant } from '../epic/secret-variants';
import { kindByName, type KindName } from '../kinds';
import { LOGICAL_ID } from '../kinds/ownership';
import type { JsonObject, JsonValue, KindSpec } from '../kinds/types';
import { checkRules, validateForCreate } from '../kinds/validate';
import type { ITerraformDependable } from 'cdktf';
import { propOf, specFromProps, type PexipReferenceable } from './fields';
import type { PackageContent } from './package';
import { PexipStack, type StackMember } from './pexip-stack';
import { propErrorOf, type PropSource } from './prop-errors';
import type { Secret } from './secret';
import { toolkit } from './toolkit';
const { Construct: ConstructBase } = toolkit().constructs;

/** Options every owned Pexip object takes. */
export interface PexipObjectOptions {
  /**
   * Take over an existing object with the same name that no stack owns (it gets this stack's ownership marker).
   * Default false: such an object makes deploy stop with a conflict, so nothing made by hand is overwritten.
   */
  readonly adopt?: boolean;
}

/** A wire field the construct fills in when the props leave it out. */
export interface DerivedField {
  readonly value: JsonValue;
  /** The prop it is made from, for messages. Default: the field's own prop (the value is that prop's default). */
  readonly from?: PropSource;
}

/** A secret field: the prop that holds it, and the reference given there. */
export interface SecretProp {
  readonly prop: string;
  readonly secret: Secret | undefined;
}

export interface PexipObjectInit {
  readonly props: object;
  /**
   * Wire fields the construct derives when the props leave them out (e.g. redirect URLs): they go into the desired
   * set, not into the declaration, which shows what the user declared.
   */
  readonly derived?: Readonly<Record<string, DerivedField>>;
  /** Secret fields by wire name. */
  readonly secrets?: Readonly<Record<string, SecretProp>>;
  /** The props behind wire fields that have no prop of their own name (e.g. a package's file field), for messages. */
  readonly sources?: Readonly<Record<string, PropSource>>;
  readonly secretsVersion?: string;
  readonly packageContent?: PackageContent;
  readonly adopt?: boolean;
  readonly allowUuidChange?: boolean;
  readonly returnOnDestroy?: boolean;
}

/** The logical id of a construct: its path inside the stack, dots for slashes (`integration.profile`). */
export function logicalIdOf(construct: Construct, stack: PexipStack): string {
  const id = construct.node.path.slice(stack.node.path.length + 1).split('/').join('.');
  if (!LOGICAL_ID.test(id)) throw new Error(`${construct.node.path}: the construct path inside the stack ("${id}") must match ${LOGICAL_ID.source}; it is recorded on the Pexip object.`);
  return id;
}

/**
 * Base of the L2 constructs: one Pexip object owned by this stack. Validates props in the constructor (the error
 * names the construct path and the prop), declares the object with a carrier, and registers it with its stack.
 */
export abstract class PexipObject extends ConstructBase implements PexipReferenceable, StackMember {
  readonly kind: KindName;
  readonly logicalId: string;
  readonly referenceValue: JsonValue;
  readonly packageContent?: PackageContent;
  readonly carrierResource: ITerraformDependable;
  protected readonly stack: PexipStack;
  private readonly desired: DesiredObject;
  /** What the props declared (no filled-in defaults): the declaration's input. */
  private readonly declaredSpec: JsonObject;
  /** The props behind wire fields whose prop is not the camelCase of their name (secrets, derived values, packages). */
  private readonly sources: Readonly<Record<string, PropSource>>;

  protected constructor(scope: Construct, id: string, kindName: KindName, init: PexipObjectInit) {
    super(scope, id);
    const kind = kindByName(kindName);
    this.kind = kindName;
    this.stack = PexipStack.of(this);
    this.logicalId = logicalIdOf(this, this.stack);
    this.referenceValue = { $ref: this.logicalId };
    this.packageContent = init.packageContent;
    const given = init.props as Readonly<Record<string, unknown>>;
    const derived = Object.entries(init.derived ?? {}).filter(([field]) => given[propOf(kind, field)] === undefined);
    this.sources = {
      ...init.sources,
      ...Object.fromEntries(derived.filter(([, d]) => d.from !== undefined).map(([field, d]) => [field, d.from!])),
      ...Object.fromEntries(Object.entries(init.secrets ?? {}).map(([field, s]) => [field, { prop: s.prop }])),
    };
    const { full, declared } = specFromProps(kind, given, (prop, message) => this.fail(prop, message));
    const spec = { ...Object.fromEntries(derived.map(([field, d]) => [field, d.value])), ...full };
    this.declaredSpec = declared;
    const secrets = Object.fromEntries(
      Object.entries(init.secrets ?? {})
        .filter((e): e is [string, { prop: string; secret: Secret }] => e[1].secret !== undefined)
        .map(([field, s]) => [field, s.secret.ref]),
    );
    this.desired = {
      kind: kindName,
      id: this.logicalId,
      spec,
      ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
      ...(init.secretsVersion !== undefined ? { secretsVersion: init.secretsVersion } : {}),
      ...(init.packageContent ? { package: { path: init.packageContent.path, sha256: init.packageContent.sha256 } } : {}),
      ...(init.adopt ? { adopt: true } : {}),
      ...(init.allowUuidChange ? { allowUuidChange: true } : {}),
      ...(init.returnOnDestroy !== undefined ? { returnOnDestroy: init.returnOnDestroy } : {}),
    };
    this.validate(kind);
    this.carrierResource = this.declare();
    this.stack.register(this);
  }

  toDesired(): DesiredObject {
    return this.desired;
  }

  /** The prop behind a wire field (or desired-object option such as `secretsVersion`), for messages. */
  sourceOf(field: string): PropSource {
    return Object.prototype.hasOwnProperty.call(this.sources, field) ? this.sources[field] : { prop: propOf(kindByName(this.kind), field) };
  }

  /** Throws the synth error for a prop, reported where the user wrote it (see `prop-errors.ts`). */
  protected fail(source: PropSource | string, message: string): never {
    throw propErrorOf(this, source, message);
  }

  /** The declaration carrier; the licence overrides this with its action carrier. */
  protected declare(): ITerraformDependable {
    const secrets = Object.fromEntries(Object.entries(this.desired.secrets ?? {}).map(([field, ref]) => [field, describeSecretRef(ref)]));
    // The resource address already names the object (construct path); the payload is what a reviewer compares.
    return this.stack.carrier.declaration(this, 'declaration', {
      spec: this.declaredSpec,
      ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
      ...(this.desired.secretsVersion !== undefined ? { secrets_version: this.desired.secretsVersion } : {}),
      // 16 hex digits show a package change; the desired set keeps the full SHA-256 that the reconciler checks.
      ...(this.desired.package ? { package_sha256: this.desired.package.sha256.slice(0, 16) } : {}),
    });
  }

  private validate(kind: KindSpec): void {
    const unresolved = new Set<string>([...Object.keys(this.desired.secrets ?? {}), ...(kind.upload ? [kind.upload.fileField] : [])]);
    for (const [field, value] of Object.entries(this.desired.spec)) if (isRef(value) || isLookup(value)) unresolved.add(field);
    const errors = validateForCreate(kind, this.desired.spec, unresolved);
    if (errors.length > 0) this.fail(this.sourceOf(errors[0].field), errors[0].message);
    for (const [field, ref] of Object.entries(this.desired.secrets ?? {})) {
      const problem = checkSecretVariant(ref, this.stack.environment, kind.name, field);
      if (problem) this.fail(this.sourceOf(field), problem);
    }
    // A secret that is already in the synth environment is checked now (e.g. the Epic key), never printed.
    const known: JsonObject = {};
    for (const [field, ref] of Object.entries(this.desired.secrets ?? {})) {
      const value = ref.env !== undefined ? process.env[ref.env] : undefined;
      if (value) {
        redactor.addSecret(value);
        known[field] = value;
      }
    }
    if (Object.keys(known).length > 0) {
      const problem = checkRules(kind, { ...this.desired.spec, ...known }).find((e) => e.field in known);
      if (problem) this.fail(this.sourceOf(problem.field), redactor.redact(problem.message));
    }
  }
}

/** A reference to an existing object this stack does not own, found by its natural key at deploy time. */
export function lookupReference<K extends KindName>(kind: K, key: Readonly<Record<string, string>>): PexipReferenceable & { kind: K } {
  const spec = kindByName(kind);
  for (const field of Object.keys(key)) {
    if (field !== spec.naturalKey && field !== 'uuid') throw new ConfigError(`${spec.constructName} can be looked up by ${spec.naturalKey} or uuid, not ${field}.`);
  }
  return { kind, referenceValue: { $lookup: { ...key } } };
}
