import { isAbsolute } from 'node:path';
import type { Construct } from 'constructs';
import { loadPackage } from './package';
import type {
  CallRoutingRuleFields,
  EpicTelehealthProfileFields,
  PolicyProfileFields,
  TelehealthLicenceFields,
  ThemeFields,
  WebAppBrandingFields,
  WebAppPathFields,
  WebProxyFields,
} from './generated/fields';
import { lookupReference, PexipObject, type PexipObjectOptions } from './pexip-object';
import { PexipStack } from './pexip-stack';
import { propErrorAt, type PropSource } from './prop-errors';
import type { IEpicTelehealthProfile, IPolicyProfile, ITheme, IWebAppBranding, IWebProxy } from './references';
import type { Secret } from './secret';
import { uuidV5 } from '../util/uuid';
import { EPIC_ALGORITHM_WIRE } from '../kinds';
import { licenceCarrier } from './licence-carrier';

/** A package given as a ZIP file or as a directory packaged at synth time (exactly one). */
export interface PackageSource {
  /** Path of a ZIP package; a relative path is relative to the app directory (the one holding `cdktf.json`). */
  readonly packageFile?: string;
  /**
   * Directory whose files become the package (deterministic ZIP: unchanged content is never uploaded again); a
   * relative path is relative to the app directory (the one holding `cdktf.json`).
   */
  readonly packageDirectory?: string;
}

/** The prop a package was given in. */
function packageProp(source: PackageSource): 'packageFile' | 'packageDirectory' {
  return source.packageFile !== undefined ? 'packageFile' : 'packageDirectory';
}

/** Reads the package before the construct exists (errors go to scope + id, where it will be). */
function packageOf(scope: Construct, id: string, source: PackageSource) {
  if ((source.packageFile === undefined) === (source.packageDirectory === undefined)) {
    throw propErrorAt(scope, id, 'packageFile', 'give exactly one of packageFile or packageDirectory.');
  }
  const base = PexipStack.of(scope).appDirectory;
  try {
    return loadPackage(source, base);
  } catch (error) {
    const given = source.packageFile ?? source.packageDirectory!;
    // Name the directory a relative path was taken from: it is the app's, not the shell's current directory.
    const where = isAbsolute(given) ? '' : ` in ${base}`;
    throw propErrorAt(scope, id, packageProp(source), `cannot read ${given}${where} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
}

/** The package's file field (and the desired object's `package`) come from the prop the package was given in. */
function packageSources(fileField: string, source: PackageSource): Record<string, PropSource> {
  return { [fileField]: { prop: packageProp(source) }, package: { prop: packageProp(source) } };
}

// ---- Epic telehealth profile -------------------------------------------------------------------------------------

export interface EpicTelehealthProfileProps
  extends Omit<EpicTelehealthProfileFields, 'uuid' | 'patientOauth2RedirectUrl' | 'providerOauth2RedirectUrl' | 'epicEncryptionAlgorithm' | 'epicEncryptionKeyType'>,
    PexipObjectOptions {
  /**
   * Unique identifier of the profile, part of Epic's launch URL and the OAuth2 redirect URLs. Default: a uuid derived
   * from stack and construct path, stable across deploys, but the same in every app with those names: give one where
   * apps may share a node (`pexip-cdktf init` writes one per environment; a clash is refused before any write). A
   * change to a deployed profile's uuid is refused unless
   * `allowUuidChange` is set.
   */
  readonly uuid?: string;
  /** Allow changing the uuid of the live profile (Epic's records must then be updated too). Default false. */
  readonly allowUuidChange?: boolean;
  /** Default: `<infinityWebappServerBaseUrl>/api/telehealth/v1/patient/oauth2authorized/<uuid>`. Pexip field `patient_oauth2_redirect_url`. */
  readonly patientOauth2RedirectUrl?: string;
  /** Default: `<infinityWebappServerBaseUrl>/api/telehealth/v1/provider/oauth2authorized/<uuid>/`. Pexip field `provider_oauth2_redirect_url`. */
  readonly providerOauth2RedirectUrl?: string;
  /** AES-256-CBC (Epic August 2019 and later; default) or AES-128-CBC (older Epic). Pexip field `epic_encryption_algorithm`. */
  readonly epicEncryptionAlgorithm?: 'AES-256-CBC' | 'AES-128-CBC';
  /** base64key (default; a random key from `pexip-cdktf keygen`) or password (AES-128-CBC only). Pexip field `epic_encryption_key_type`. */
  readonly epicEncryptionKeyType?: 'base64key' | 'password';
  /** Patient application client secret from Epic (this environment's variant). Pexip field `epic_patient_app_client_secret`. */
  readonly patientClientSecret: Secret;
  /** Provider application client secret from Epic (this environment's variant). Pexip field `epic_provider_app_client_secret`. */
  readonly providerClientSecret: Secret;
  /** The Epic encryption key (same value as in Epic's FDI records). Pexip field `epic_encryption_key`. */
  readonly encryptionKey: Secret;
  /** Private key of the "Pexip Backend" OAuth2 app, if used. Pexip field `epic_backend_oauth2_app_private_key`. */
  readonly backendPrivateKey?: Secret;
  /** Bump to send the secrets again (rotation). Secrets are otherwise sent only when the profile is created. */
  readonly secretsVersion?: string;
}

/** Join a base URL and a path with exactly one slash. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** Epic telehealth profile (Call control > Epic Telehealth Profile). */
export class EpicTelehealthProfile extends PexipObject implements IEpicTelehealthProfile {
  /** An existing profile this stack does not own, found by name at deploy time. */
  static fromName(name: string): IEpicTelehealthProfile {
    return lookupReference('telehealth_profile', { name });
  }

  declare readonly kind: 'telehealth_profile';
  /** The profile uuid (given or derived). */
  readonly uuid: string;
  readonly patientRedirectUrl: string;
  readonly providerRedirectUrl: string;

  constructor(scope: Construct, id: string, props: EpicTelehealthProfileProps) {
    const stack = PexipStack.of(scope);
    // Derived from stack id and construct path: stable across deploys, different per environment.
    const uuid = props.uuid ?? uuidV5(`${stack.node.id}${`${scope.node.path}/${id}`.slice(stack.node.path.length)}`);
    const patient = props.patientOauth2RedirectUrl ?? joinUrl(props.infinityWebappServerBaseUrl, `api/telehealth/v1/patient/oauth2authorized/${uuid}`);
    const provider = props.providerOauth2RedirectUrl ?? joinUrl(props.infinityWebappServerBaseUrl, `api/telehealth/v1/provider/oauth2authorized/${uuid}/`);
    super(scope, id, 'telehealth_profile', {
      // The uuid is always declared, derived or not: Epic's URLs depend on it, so a reviewer must see any change.
      props: { ...props, uuid },
      derived: {
        epic_encryption_algorithm: { value: EPIC_ALGORITHM_WIRE['AES-256-CBC'] },
        epic_encryption_key_type: { value: 'base64key' },
        // Made from the base URL (and the uuid, which is checked on its own): a problem there is the base URL's.
        patient_oauth2_redirect_url: { value: patient, from: { prop: 'infinityWebappServerBaseUrl', derived: 'the patient OAuth2 redirect URL made from it' } },
        provider_oauth2_redirect_url: { value: provider, from: { prop: 'infinityWebappServerBaseUrl', derived: 'the provider OAuth2 redirect URL made from it' } },
      },
      secrets: {
        epic_patient_app_client_secret: { prop: 'patientClientSecret', secret: props.patientClientSecret },
        epic_provider_app_client_secret: { prop: 'providerClientSecret', secret: props.providerClientSecret },
        epic_encryption_key: { prop: 'encryptionKey', secret: props.encryptionKey },
        epic_backend_oauth2_app_private_key: { prop: 'backendPrivateKey', secret: props.backendPrivateKey },
      },
      secretsVersion: props.secretsVersion,
      adopt: props.adopt,
      allowUuidChange: props.allowUuidChange,
    });
    this.uuid = uuid;
    this.patientRedirectUrl = patient;
    this.providerRedirectUrl = provider;
  }
}

// ---- Call routing rule ------------------------------------------------------------------------------------------

export interface CallRoutingRuleProps extends CallRoutingRuleFields, PexipObjectOptions {}

/** Call routing rule (Services > Call routing): the telehealth rule, device pairing, dial-out (teleconsult). */
export class CallRoutingRule extends PexipObject {
  constructor(scope: Construct, id: string, props: CallRoutingRuleProps) {
    super(scope, id, 'gateway_routing_rule', { props, adopt: props.adopt });
  }
}

// ---- Theme ----------------------------------------------------------------------------------------------------------

export interface ThemeProps extends ThemeFields, PackageSource, PexipObjectOptions {}

/** Theme (Services > Themes): splash screens and audio prompts, uploaded as a ZIP. */
export class Theme extends PexipObject implements ITheme {
  /** An existing theme this stack does not own (e.g. a built-in one), found by name at deploy time. */
  static fromName(name: string): ITheme {
    return lookupReference('ivr_theme', { name });
  }

  declare readonly kind: 'ivr_theme';

  constructor(scope: Construct, id: string, props: ThemeProps) {
    super(scope, id, 'ivr_theme', { props, packageContent: packageOf(scope, id, props), sources: packageSources('package', props), adopt: props.adopt });
  }
}

// ---- Web app branding and path ------------------------------------------------------------------------------------

export interface WebAppBrandingProps extends WebAppBrandingFields, PackageSource, PexipObjectOptions {}

/** Web app branding package (Services > Web App customization). A new package replaces the object (Pexip cannot patch it). */
export class WebAppBranding extends PexipObject implements IWebAppBranding {
  /** An existing branding package this stack does not own, found by name at deploy time. */
  static fromName(name: string): IWebAppBranding {
    return lookupReference('webapp_branding', { name });
  }

  declare readonly kind: 'webapp_branding';

  constructor(scope: Construct, id: string, props: WebAppBrandingProps) {
    super(scope, id, 'webapp_branding', { props, packageContent: packageOf(scope, id, props), sources: packageSources('branding_file', props), adopt: props.adopt });
  }
}

export interface WebAppPathProps extends WebAppPathFields, PexipObjectOptions {}

/** Web app path (Services > Web App customization > Web app paths). */
export class WebAppPath extends PexipObject {
  constructor(scope: Construct, id: string, props: WebAppPathProps) {
    super(scope, id, 'webapp_alias', { props, adopt: props.adopt });
  }
}

// ---- Policy profile -------------------------------------------------------------------------------------------------

export interface PolicyProfileProps extends PolicyProfileFields, PexipObjectOptions {
  /** Password for the external policy server. Pexip field `password`. */
  readonly password?: Secret;
  /** Bump to send the password again (rotation). */
  readonly secretsVersion?: string;
}

/**
 * Policy profile (Call control > Policy profiles): external policy server and local policy scripts. It takes effect
 * only in the system locations it is assigned to (`LocationAssignment`).
 */
export class PolicyProfile extends PexipObject implements IPolicyProfile {
  /** An existing policy profile this stack does not own, found by name at deploy time. */
  static fromName(name: string): IPolicyProfile {
    return lookupReference('policy_server', { name });
  }

  declare readonly kind: 'policy_server';

  constructor(scope: Construct, id: string, props: PolicyProfileProps) {
    super(scope, id, 'policy_server', { props, secrets: { password: { prop: 'password', secret: props.password } }, secretsVersion: props.secretsVersion, adopt: props.adopt });
  }
}

// ---- Web proxy ------------------------------------------------------------------------------------------------------

export interface WebProxyProps extends WebProxyFields, PexipObjectOptions {
  /** Password for the proxy, if it needs one (never read back from Pexip). Pexip field `password`. */
  readonly password?: Secret;
  /** Bump to send the password again (rotation). */
  readonly secretsVersion?: string;
}

/**
 * Web proxy (System > Web proxies): the way out for Conferencing Nodes, e.g. to the Epic API, which every transcoding
 * and proxying node must reach. Takes effect in the system locations it is assigned to (`LocationAssignment`).
 */
export class WebProxy extends PexipObject implements IWebProxy {
  /** An existing web proxy this stack does not own, found by name at deploy time. */
  static fromName(name: string): IWebProxy {
    return lookupReference('http_proxy', { name });
  }

  declare readonly kind: 'http_proxy';

  constructor(scope: Construct, id: string, props: WebProxyProps) {
    super(scope, id, 'http_proxy', { props, secrets: { password: { prop: 'password', secret: props.password } }, secretsVersion: props.secretsVersion, adopt: props.adopt });
  }
}

// ---- Telehealth licence -----------------------------------------------------------------------------------------------

export interface TelehealthLicenceProps extends TelehealthLicenceFields {
  /**
   * Return the licence on `cdktf destroy`. Default false: the licence stays active. Only a licence this stack
   * activated (or adopted) can be returned: if it is already active when first deployed, deploy stops unless `adopt`.
   */
  readonly returnOnDestroy?: boolean;
  /** Let this stack own a licence someone else activated (so `returnOnDestroy` may return it). Default false. */
  readonly adopt?: boolean;
}

/**
 * The telehealth integration licence (Platform > Licenses). Its own carrier activates it before the stack's objects
 * are created and, if `returnOnDestroy`, returns it after everything else was removed; Terraform state records that
 * this stack activated it.
 */
export class TelehealthLicence extends PexipObject {
  constructor(scope: Construct, id: string, props: TelehealthLicenceProps) {
    super(scope, id, 'licence', { props, returnOnDestroy: props.returnOnDestroy ?? false, adopt: props.adopt });
  }

  readonly isLicence = true;

  protected override declare() {
    const desired = this.toDesired();
    return licenceCarrier(this, this.stack, String(desired.spec.entitlement_id), desired.returnOnDestroy ?? false, desired.adopt ?? false);
  }
}
