import type { Construct } from 'constructs';
import type { Environment } from '../epic/secret-variants';
import type { CallRoutingRuleFields } from './generated/fields';
import {
  CallRoutingRule,
  type CallRoutingRuleProps,
  EpicTelehealthProfile,
  type EpicTelehealthProfileProps,
  type PackageSource,
  PolicyProfile,
  type PolicyProfileProps,
  TelehealthLicence,
  type TelehealthLicenceProps,
  Theme,
  WebAppBranding,
  type WebAppBrandingProps,
  WebAppPath,
  type WebAppPathProps,
  WebProxy,
  type WebProxyProps,
} from './l2';
import { LocationAssignment, type LocationAssignmentProps } from './location-assignment';
import { PexipStack } from './pexip-stack';
import { type PropMapping, type PropSource, propErrorOf, reportChildProps } from './prop-errors';
import type { ITheme } from './references';
import type { Secret } from './secret';
import { toolkit } from './toolkit';
const { Construct: ConstructBase } = toolkit().constructs;
const { TerraformOutput } = toolkit().lib;

/** Where Epic is, and what Epic issued for this environment. */
export interface EpicEndpoints {
  /** Base HTTPS URL of the Epic server ("Base URL of the Epic server"). */
  readonly baseUrl: string;
  /** Base HTTPS URL of Epic's OAuth2 APIs ("Epic OAUTH2 base URL"). */
  readonly oauth2BaseUrl: string;
  /** OAuth2 client ID of the "Pexip Telehealth Patient" app, this environment's. */
  readonly patientClientId: string;
  /** OAuth2 client ID of the "Pexip Telehealth Provider" app, this environment's. */
  readonly providerClientId: string;
  /** The "Pexip Backend" OAuth2 app (backend-services flow), if Epic issued one. */
  readonly backend?: {
    /** Its client ID. */
    readonly clientId: string;
    /** Epic's OAuth2 token URL. */
    readonly tokenUrl: string;
    /** Its private key. */
    readonly privateKey: Secret;
  };
}

/** The secrets of the profile; each reference must carry this environment's variant (`…_PROD_…` / `…_NONPROD_…`). */
export interface EpicSecrets {
  /** Patient application client secret from Epic. */
  readonly patientClientSecret: Secret;
  /** Provider application client secret from Epic (today the same value as the patient one). */
  readonly providerClientSecret: Secret;
  /** The Epic encryption key (`pexip-cdktf keygen`); the same value goes into Epic's FDI records. */
  readonly encryptionKey: Secret;
  /** Bump to send the secrets again after rotating them. Default: sent only when the profile is created. */
  readonly version?: string;
}

/** Jinja2 templates of the profile; unset ones stay at Pexip's defaults (unmanaged). */
export interface TelehealthTemplates {
  /** Conference name; must contain `{{unique_encounter_id}}`; identical for every participant. */
  readonly serviceName?: string;
  /** Patient alias; must contain `{{base_telehealth_alias}}`. */
  readonly patientAlias?: string;
  /** Provider alias; must contain `{{base_telehealth_alias}}`. */
  readonly providerAlias?: string;
  /** Patient display name. */
  readonly patientDisplayName?: string;
  /** Provider display name. */
  readonly providerDisplayName?: string;
  /** Patient web join link; must contain `{{telehealth_alias}}`. */
  readonly patientJoinLink?: string;
  /** Provider web join link; must contain `{{telehealth_alias}}` and the `pin` parameter. */
  readonly providerJoinLink?: string;
  /** Error page shown when a launch fails. */
  readonly launchError?: string;
}

/** A theme for the telehealth rule: one this stack uploads, or an existing one (`Theme.fromName(...)`). */
export type IntegrationTheme = ({ /** Theme name. */ readonly name: string } & PackageSource) | ITheme;

/** Web app customisation: a branding package and the web app path that serves it. */
export interface IntegrationWebApp {
  /** Branding package name (at most 100 characters). */
  readonly brandingName: string;
  /** webapp3 (default), webapp2 or webapp1, as the node's schema allows (checked before the first write). */
  readonly webappType?: 'webapp1' | 'webapp2' | 'webapp3';
  /** The branding package. */
  readonly branding: PackageSource;
  /** Path the branded web app is served under, e.g. `telehealth`. */
  readonly pathSlug?: string;
  /** Serve the path. Default true. */
  readonly pathEnabled?: boolean;
}

/** An additional routing rule; the stack owns it like the telehealth rule. */
export type AdditionalRule = CallRoutingRuleFields;

export interface EpicTelehealthIntegrationProps {
  /** Which Epic environment this integration is for; must match the PexipStack's. */
  readonly environment: Environment;
  /** The profile's Name: the provider's display name and part of every appointment's conference name. Unique in Pexip. */
  readonly profileName: string;
  /** Free text for the profile. */
  readonly description?: string;
  /**
   * Profile uuid (in Epic's launch and redirect URLs). Default: derived from stack and path, stable, but the same in
   * every app with those names: give one where apps may share a node (`pexip-cdktf init` writes one per environment).
   */
  readonly profileUuid?: string;
  /** Allow a change of the live profile's uuid. Default false. */
  readonly allowUuidChange?: boolean;
  /** Domain of the telehealth call aliases, e.g. `telehealth.example.org`. */
  readonly callDomain: string;
  /**
   * Public base URL patients and providers reach the web app at: a Conferencing Node, a Proxying Edge Node, or the
   * reverse proxy / load balancer in front of them. Also the base of the OAuth2 redirect URLs.
   */
  readonly webAppBaseUrl: string;
  /** Epic's addresses and client IDs for this environment. */
  readonly epic: EpicEndpoints;
  /** The profile's secrets, by reference. */
  readonly secrets: EpicSecrets;
  /** AES-256-CBC (default; Epic August 2019+) or AES-128-CBC (older Epic). */
  readonly encryptionAlgorithm?: 'AES-256-CBC' | 'AES-128-CBC';
  /** base64key (default) or password (AES-128-CBC only). */
  readonly encryptionKeyType?: 'base64key' | 'password';
  /** The profile's templates. */
  readonly templates?: TelehealthTemplates;
  /** The telehealth call routing rule. */
  readonly routing: {
    /** Rule priority 1–200 (lower is evaluated first). */
    readonly priority: number;
    /** Rule name. Default: `Epic telehealth: <profileName>`. */
    readonly name?: string;
    /** Destination alias regex. Default: every alias in `callDomain`. */
    readonly matchString?: string;
  };
  /** A theme for the telehealth calls (splash screens). */
  readonly theme?: IntegrationTheme;
  /** Web app branding and path. */
  readonly webApp?: IntegrationWebApp;
  /** A policy profile made for the integration (its name is required). */
  readonly policy?: PolicyProfileProps;
  /** A call routing rule for device pairing. */
  readonly devicePairingRule?: AdditionalRule;
  /** A call routing rule for dial-out (teleconsult) from appointments; matches outgoing calls by default. */
  readonly dialOutRule?: AdditionalRule;
  /** The telehealth integration licence. */
  readonly licence?: TelehealthLicenceProps;
  /**
   * A web proxy for the nodes' outbound access to Epic (every transcoding and proxying node must reach the Epic API;
   * in hospital networks usually through a proxy). Takes effect in `locations`.
   */
  readonly webProxy?: WebProxyProps;
  /**
   * Existing system locations to assign the policy profile and web proxy to (Platform > Locations): where they take
   * effect. Fields someone else set are a conflict unless `locationsTakeOver`; removal restores what was there.
   */
  readonly locations?: readonly string[];
  /** Replace a policy profile or web proxy someone else assigned to `locations` (removal restores it). Default false. */
  readonly locationsTakeOver?: boolean;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A mapping of some of a child's props, checked against its props type: a renamed prop fails to compile. */
type MappingOf<Props> = { readonly [K in (keyof Props & string) | '*']?: string | PropSource };

/** How the profile's props map to the integration's: each is one of ours, renamed or nested. */
const PROFILE_PROPS: MappingOf<EpicTelehealthProfileProps> = {
  name: 'profileName',
  description: 'description',
  uuid: 'profileUuid',
  allowUuidChange: 'allowUuidChange',
  telehealthCallDomain: 'callDomain',
  telehealthIntegrationBaseUrl: 'epic.baseUrl',
  telehealthIntegrationOauth2BaseApiUrl: 'epic.oauth2BaseUrl',
  infinityWebappServerBaseUrl: 'webAppBaseUrl',
  epicPatientAppClientId: 'epic.patientClientId',
  epicProviderAppClientId: 'epic.providerClientId',
  epicBackendOauth2AppClientId: 'epic.backend.clientId',
  epicBackendOauth2AppTokenEndpointUrl: 'epic.backend.tokenUrl',
  backendPrivateKey: 'epic.backend.privateKey',
  patientClientSecret: 'secrets.patientClientSecret',
  providerClientSecret: 'secrets.providerClientSecret',
  encryptionKey: 'secrets.encryptionKey',
  secretsVersion: 'secrets.version',
  epicEncryptionAlgorithm: 'encryptionAlgorithm',
  epicEncryptionKeyType: 'encryptionKeyType',
  serviceNameTemplate: 'templates.serviceName',
  patientAliasTemplate: 'templates.patientAlias',
  providerAliasTemplate: 'templates.providerAlias',
  patientDisplayNameTemplate: 'templates.patientDisplayName',
  providerDisplayNameTemplate: 'templates.providerDisplayName',
  patientWebJoinLinkTemplate: 'templates.patientJoinLink',
  providerWebJoinLinkTemplate: 'templates.providerJoinLink',
  launchErrorWebTemplate: 'templates.launchError',
};

/** The branding's and path's props: parts of `webApp`. */
const BRANDING_PROPS: MappingOf<WebAppBrandingProps> = { name: 'webApp.brandingName', webappType: 'webApp.webappType', '*': 'webApp.branding.*' };
const PATH_PROPS: MappingOf<WebAppPathProps> = { slug: 'webApp.pathSlug', webappType: 'webApp.webappType', isEnabled: 'webApp.pathEnabled' };
const LOCATION_PROPS: MappingOf<LocationAssignmentProps> = { locations: 'locations', policyProfile: 'policy', webProxy: 'webProxy', takeOver: 'locationsTakeOver' };
/** Children made from one prop object of ours, passed through whole. */
const whole = (prop: string): PropMapping => ({ '*': `${prop}.*` });

/**
 * A complete Epic telehealth integration for one environment: the Epic telehealth profile, the telehealth call
 * routing rule bound to it, and optionally a theme, web app branding and path, a policy profile, device-pairing and
 * dial-out rules, and the licence. Outputs the profile uuid, the OAuth2 redirect URLs and the web app base URL,
 * which go into Epic's records.
 */
export class EpicTelehealthIntegration extends ConstructBase {
  readonly profile: EpicTelehealthProfile;
  readonly rule: CallRoutingRule;
  readonly theme?: ITheme;
  readonly licence?: TelehealthLicence;

  constructor(scope: Construct, id: string, props: EpicTelehealthIntegrationProps) {
    super(scope, id);
    const stack = PexipStack.of(this);
    const fail = (prop: string, problem: string): never => {
      throw propErrorOf(this, prop, problem);
    };
    // Errors of the constructs made here name this construct and its props, which is what the user wrote.
    const child = (childId: string, mapping: PropMapping) => reportChildProps(this, childId, mapping);
    if (props.environment !== stack.environment) fail('environment', `this integration is ${props.environment}, but stack "${stack.node.id}" is ${stack.environment}.`);
    if (props.licence) this.licence = new TelehealthLicence(this, child('licence', whole('licence')), props.licence);
    const t = props.templates ?? {};
    this.profile = new EpicTelehealthProfile(this, child('profile', PROFILE_PROPS), {
      name: props.profileName,
      description: props.description,
      uuid: props.profileUuid,
      allowUuidChange: props.allowUuidChange,
      telehealthCallDomain: props.callDomain,
      telehealthIntegrationBaseUrl: props.epic.baseUrl,
      telehealthIntegrationOauth2BaseApiUrl: props.epic.oauth2BaseUrl,
      infinityWebappServerBaseUrl: props.webAppBaseUrl,
      epicPatientAppClientId: props.epic.patientClientId,
      epicProviderAppClientId: props.epic.providerClientId,
      epicBackendOauth2AppClientId: props.epic.backend?.clientId,
      epicBackendOauth2AppTokenEndpointUrl: props.epic.backend?.tokenUrl,
      backendPrivateKey: props.epic.backend?.privateKey,
      patientClientSecret: props.secrets.patientClientSecret,
      providerClientSecret: props.secrets.providerClientSecret,
      encryptionKey: props.secrets.encryptionKey,
      secretsVersion: props.secrets.version,
      epicEncryptionAlgorithm: props.encryptionAlgorithm,
      epicEncryptionKeyType: props.encryptionKeyType,
      serviceNameTemplate: t.serviceName,
      patientAliasTemplate: t.patientAlias,
      providerAliasTemplate: t.providerAlias,
      patientDisplayNameTemplate: t.patientDisplayName,
      providerDisplayNameTemplate: t.providerDisplayName,
      patientWebJoinLinkTemplate: t.patientJoinLink,
      providerWebJoinLinkTemplate: t.providerJoinLink,
      launchErrorWebTemplate: t.launchError,
    });
    if (props.theme) {
      this.theme = 'referenceValue' in props.theme ? props.theme : new Theme(this, child('theme', whole('theme')), props.theme);
    }
    const ruleProps: MappingOf<CallRoutingRuleProps> = {
      name: props.routing.name !== undefined ? 'routing.name' : { prop: 'profileName', derived: "the telehealth rule's name made from it" },
      priority: 'routing.priority',
      matchString: props.routing.matchString !== undefined ? 'routing.matchString' : { prop: 'callDomain', derived: "the telehealth rule's alias match made from it" },
      ivrTheme: 'theme',
    };
    this.rule = new CallRoutingRule(this, child('rule', ruleProps), {
      name: props.routing.name ?? `Epic telehealth: ${props.profileName}`,
      priority: props.routing.priority,
      matchString: props.routing.matchString ?? `.*@${escapeRegex(props.callDomain)}`,
      calledDeviceType: 'telehealth_profile',
      telehealthProfile: this.profile,
      ivrTheme: this.theme ?? null,
      matchIncomingCalls: true,
      matchOutgoingCalls: false,
      matchIncomingWebrtc: true,
      matchIncomingSip: false,
      matchIncomingH323: false,
      matchIncomingMssip: false,
      matchIncomingTeams: false,
      matchIncomingOnlyIfRegistered: false,
    });
    if (props.webApp) {
      const branding = new WebAppBranding(this, child('branding', BRANDING_PROPS), { name: props.webApp.brandingName, webappType: props.webApp.webappType ?? 'webapp3', ...props.webApp.branding });
      if (props.webApp.pathSlug) {
        new WebAppPath(this, child('path', PATH_PROPS), { slug: props.webApp.pathSlug, webappType: props.webApp.webappType ?? 'webapp3', isEnabled: props.webApp.pathEnabled ?? true, branding });
      }
    }
    const policy = props.policy ? new PolicyProfile(this, child('policy', whole('policy')), props.policy) : undefined;
    const proxy = props.webProxy ? new WebProxy(this, child('web-proxy', whole('webProxy')), props.webProxy) : undefined;
    if (props.locations !== undefined) {
      if (!policy && !proxy) fail('locations', 'there is nothing to assign; give policy, webProxy, or both.');
      new LocationAssignment(this, child('locations', LOCATION_PROPS), { locations: props.locations, policyProfile: policy, webProxy: proxy, takeOver: props.locationsTakeOver });
    } else if (props.locationsTakeOver !== undefined) {
      fail('locationsTakeOver', 'applies only with locations.');
    }
    if (props.devicePairingRule) new CallRoutingRule(this, child('device-pairing-rule', whole('devicePairingRule')), props.devicePairingRule satisfies CallRoutingRuleProps);
    if (props.dialOutRule) new CallRoutingRule(this, child('dial-out-rule', whole('dialOutRule')), { matchOutgoingCalls: true, matchIncomingCalls: false, ...props.dialOutRule });

    // Static ids keep output names readable (`<integration id>_profile_uuid`) for scripts reading `cdktf output`.
    const output = (name: string, value: string, description: string) => new TerraformOutput(this, `${id}_${name}`, { value, description, staticId: true });
    output('profile_uuid', this.profile.uuid, 'Epic telehealth profile uuid: part of Epic\'s launch URL');
    output('patient_redirect_url', this.profile.patientRedirectUrl, 'Patient app OAuth2 redirect URL to register with Epic');
    output('provider_redirect_url', this.profile.providerRedirectUrl, 'Provider app OAuth2 redirect URL to register with Epic');
    output('webapp_base_url', props.webAppBaseUrl, 'Web app (or reverse proxy) base URL in the profile');
  }
}
