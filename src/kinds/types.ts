/**
 * The vocabulary of a Pexip resource-kind description. One description per kind (see the sibling files) drives
 * the constructs' validation, the engine's diff, the simulator's validation and the generated docs.
 */

/** A JSON value as it travels over the Pexip management API. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object, e.g. one Pexip configuration object. */
export type JsonObject = { [key: string]: JsonValue };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type FieldType =
  | 'string'
  | 'integer'
  | 'boolean'
  | 'enum'
  /** A to-one foreign key: written as a resource URI, read back as a URI or a nested object (see `readForm`). */
  | 'reference'
  /** A to-many foreign key: a list of resource URIs. */
  | 'referenceList'
  /** `[{"value": "<codec>"}]` as used by `gateway_routing_rule.disabled_codecs`. */
  | 'valueList'
  /** A file part of a multipart upload; never readable. */
  | 'file'
  | 'datetime'
  | 'dict';

/** Extra checks a string field carries; each has one implementation in `validate.ts`. */
export type StringFormat = 'https-url' | 'http-url' | 'uuid' | 'regex' | 'slug' | 'hostname' | 'host';

export interface FieldSpec {
  readonly type: FieldType;
  /** The label in the Pexip admin UI, or a short name where the UI has none. */
  readonly label: string;
  /** One sentence for docs and error hints. */
  readonly help: string;
  /** Required on create. */
  readonly required?: boolean;
  readonly maxLength?: number;
  /** Allowed wire values of an `enum` field. */
  readonly values?: readonly string[];
  /** Names constructs use for enum values, when the wire values are not what people know (prop value → wire value). */
  readonly propValues?: Readonly<Record<string, string>>;
  readonly min?: number;
  readonly max?: number;
  /** `null` is a legal value (Pexip's "use global" / "none"). */
  readonly nullable?: boolean;
  /** What Pexip stores when the field is omitted on create. */
  readonly default?: JsonValue;
  /**
   * The default is this project's stand-in (the reference marks Pexip's as unknown): the simulator uses it, but
   * constructs never send it, so an unset field stays at whatever the real Pexip chose.
   */
  readonly assumedDefault?: boolean;
  /**
   * Not secret (it is in state and cdk.tf.json, where carriers need it) but sensitive, as Pexip's provider marks a
   * licence's entitlement key: every value read or declared is printed masked (`…1234`).
   */
  readonly sensitive?: boolean;
  /** Write-only secret: never diffed against the API, never echoed, never in state or logs. */
  readonly secret?: boolean;
  /** A secret that spans lines (a PEM key): inner line feeds are part of it. Every other secret is one line. */
  readonly multiline?: boolean;
  /** Server-populated; ignored on write. */
  readonly readOnly?: boolean;
  /**
   * Pexip takes it on write, but this project never sends it (e.g. a theme's uuid, which a node may ignore or
   * rewrite): not a construct prop, refused in desired sets, not compared.
   */
  readonly unmanaged?: boolean;
  /** Unique across objects of the kind (the simulator answers "already exists"). */
  readonly unique?: boolean;
  /** Target kind of a `reference`/`referenceList` field (API resource name). */
  readonly references?: string;
  /**
   * Cleared by writing `null`, after which the node leaves the field out of what it returns (not `null`): a real node
   * does so for a location's `policy_server` and `http_proxy`. Readers take absent, null and "" alike.
   */
  readonly absentWhenNull?: boolean;
  /** How a `reference` reads back: a URI string (most) or a nested object ("full" fields). */
  readonly readForm?: 'uri' | 'nested';
  readonly format?: StringFormat;
  /** Jinja2 variables or literal fragments that must appear in a template field. */
  readonly mustContain?: readonly string[];
  /** Cannot change after create: a change means a new object (upload, re-point, delete old). */
  readonly createOnly?: boolean;
  /**
   * For enums whose wire values are not published (only UI labels are): maps any spelling a node may use
   * (`aes256cbc`, `AES256`, `AES-256-CBC`) to one canonical value, so values compare by meaning and the engine can
   * pick the node's own spelling from its schema's `valid_choices`. Undefined when the value means none of ours.
   */
  readonly canonicalChoice?: (value: string) => string | undefined;
}

/** A field error as Pexip reports it: the field (or `__all__`) and a message. Never contains a secret value. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export interface CrossFieldRule {
  /** Stable identifier, quoted in docs and tests. */
  readonly id: string;
  readonly description: string;
  /**
   * `pexip`: Pexip itself refuses such an object (the simulator enforces it too). `client`: this project's own
   * policy, enforced at synth and before any write, but not by the simulator, which must stay faithful to Pexip.
   */
  readonly enforcedBy: 'pexip' | 'client';
  /** Checks a full object (after defaults are applied). Must never put field values of secret fields in messages. */
  check(object: Readonly<JsonObject>): FieldError[];
}

/**
 * How the stack that created an object is recorded, so a later run can find it even after a rename and never
 * touches objects it does not own.
 * - `description-suffix`: ` [pexip-cdktf:<stack>/<logical id>;…]` appended to the description.
 * - `ledger`: the kind has no free-text field (themes, web proxies): the stack's ledger in Pexip records it.
 * - `terraform-state`: licences; Terraform state of the object's own carrier records it.
 */
export type OwnershipStyle = 'description-suffix' | 'ledger' | 'terraform-state';

export interface OwnershipSpec {
  readonly style: OwnershipStyle;
  /** The field carrying the marker, when there is one. */
  readonly field?: string;
  /**
   * Where earlier versions put the marker: still recognised. `whole-field`: the field held the marker (rules'
   * `tag`), reset to its default on the next update unless the stack declares it. `derived-uuid`: the theme uuid
   * was derived from stack and logical id; now recorded in the ledger, the uuid left alone.
   */
  readonly legacy?: { readonly style: 'whole-field' | 'derived-uuid'; readonly field: string };
}

export interface UploadSpec {
  /** Multipart file part name. */
  readonly fileField: string;
  /** Updates are multipart too (themes); otherwise PATCH takes JSON for the listed fields only (branding). */
  readonly updateMultipart: boolean;
  /** When `updateMultipart` is false: the fields a JSON PATCH may change. */
  readonly jsonPatchFields?: readonly string[];
  /** Loose check of the package layout: one of these entries must exist in the ZIP. */
  readonly requiredEntries: readonly string[];
}

export interface KindSpec {
  /** API resource name, e.g. `telehealth_profile`. */
  readonly name: string;
  /** Human name used in messages and docs, e.g. "Epic telehealth profile". */
  readonly title: string;
  /** The L2 construct class that declares one object of this kind, e.g. `EpicTelehealthProfile`. */
  readonly constructName: string;
  /** Where the object lives in the Pexip admin UI. */
  readonly uiPath: string;
  /** Collection path, with trailing slash. */
  readonly collectionPath: string;
  /** The field whose value is the last segment of the detail URI. */
  readonly detailKey: 'id' | 'uuid' | 'fulfillment_id';
  /** The field that identifies the object to a person (and, after the marker, to our lookup). */
  readonly naturalKey: string;
  /** Methods the list and detail endpoints allow; anything else is 405. */
  readonly methods: { readonly list: readonly HttpMethod[]; readonly detail: readonly HttpMethod[] };
  /** Verb the engine uses to update in place; `null` means the kind cannot be updated (delete and recreate). */
  readonly updateVerb: 'PATCH' | 'PUT' | null;
  readonly upload?: UploadSpec;
  readonly ownership: OwnershipSpec;
  /**
   * `fields`: objects that exist before any stack and outlive it (system locations). A stack never creates or
   * deletes one; it manages only the listed fields on named objects, and the ledger records what was there before.
   * Absent: the stack owns whole objects.
   */
  readonly management?: { readonly style: 'fields'; readonly fields: readonly string[] };
  /**
   * Position in the documented removal order (lower is removed first): location fields restored → routing rules →
   * telehealth profile → web app paths → branding → themes → policy profiles → web proxies → licence.
   */
  readonly removalRank: number;
  readonly fields: Readonly<Record<string, FieldSpec>>;
  readonly rules: readonly CrossFieldRule[];
  /** Canonical form of a natural-key value (licence keys may be typed with spaces). */
  normaliseNaturalKey?(value: string): string;
}
