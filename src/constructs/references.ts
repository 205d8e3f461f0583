import type { PexipReferenceable } from './fields';

/** Reference types of the kinds other objects point at: a construct of this stack, or an existing object looked up. */
export interface IEpicTelehealthProfile extends PexipReferenceable {
  readonly kind: 'telehealth_profile';
}
export interface ITheme extends PexipReferenceable {
  readonly kind: 'ivr_theme';
}
export interface IWebAppBranding extends PexipReferenceable {
  readonly kind: 'webapp_branding';
}
export interface IPolicyProfile extends PexipReferenceable {
  readonly kind: 'policy_server';
}
export interface IWebProxy extends PexipReferenceable {
  readonly kind: 'http_proxy';
}
