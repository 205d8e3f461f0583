/** Public API: constructs for apps, plus the engine and client for programs that drive Pexip directly. */
export { PexipStack, type PexipStackProps, DESIRED_SET_FILE } from './constructs/pexip-stack';
export {
  EpicTelehealthProfile,
  type EpicTelehealthProfileProps,
  CallRoutingRule,
  type CallRoutingRuleProps,
  Theme,
  type ThemeProps,
  WebAppBranding,
  type WebAppBrandingProps,
  WebAppPath,
  type WebAppPathProps,
  PolicyProfile,
  type PolicyProfileProps,
  TelehealthLicence,
  type TelehealthLicenceProps,
  WebProxy,
  type WebProxyProps,
  type PackageSource,
} from './constructs/l2';
export { LocationAssignment, type LocationAssignmentProps } from './constructs/location-assignment';
export * from './constructs/epic-telehealth-integration';
export type * from './constructs/generated/fields';
export type { IEpicTelehealthProfile, IPolicyProfile, ITheme, IWebAppBranding, IWebProxy } from './constructs/references';
export type { PexipObjectOptions } from './constructs/pexip-object';
export { Secret } from './constructs/secret';
export { PropError, type PropMapping, type PropSource, reportChildProps } from './constructs/prop-errors';
export { appDirectory, pathFromStackDirectory, stackDirectory } from './constructs/app-dir';
export { defaultCliCommand } from './constructs/cli-command';
export type { CarrierType } from './constructs/carriers';
export type { Environment } from './epic/secret-variants';
export { generateEpicKey, checkEpicKey } from './epic/encryption-key';
export { PexipClient } from './api/client';
export * from './api/errors';
export { PexipSimulator, type SimulatorOptions } from './simulator/server';
