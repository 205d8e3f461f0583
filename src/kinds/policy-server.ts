import { noCredentialsInUrls } from './url-rules';
import type { FieldSpec, KindSpec } from './types';

const flag = (label: string, help: string): FieldSpec => ({ type: 'boolean', label, help, default: false });
const script = (label: string): FieldSpec => ({ type: 'string', label, help: 'Jinja2 local policy script.', maxLength: 49152, default: '' });
const EXTERNAL_LOOKUPS = [
  'enable_service_lookup',
  'enable_participant_lookup',
  'enable_registration_lookup',
  'enable_directory_lookup',
  'enable_avatar_lookup',
  'enable_media_location_lookup',
] as const;
const LOCAL_SCRIPTS = [
  ['enable_internal_service_policy', 'internal_service_policy_template'],
  ['enable_internal_participant_policy', 'internal_participant_policy_template'],
  ['enable_internal_media_location_policy', 'internal_media_location_policy_template'],
] as const;

/** Policy profile (Call control > Policy profiles): external policy server and local policy scripts. */
export const policyServer: KindSpec = {
  name: 'policy_server',
  title: 'policy profile',
  constructName: 'PolicyProfile',
  uiPath: 'Call control > Policy profiles',
  collectionPath: '/api/admin/configuration/v1/policy_server/',
  detailKey: 'id',
  naturalKey: 'name',
  methods: { list: ['GET', 'POST', 'PATCH', 'DELETE'], detail: ['GET', 'PUT', 'PATCH', 'DELETE'] },
  updateVerb: 'PATCH',
  ownership: { style: 'description-suffix', field: 'description' },
  removalRank: 6,
  fields: {
    id: { type: 'integer', label: 'ID', help: 'Primary key.', readOnly: true },
    resource_uri: { type: 'string', label: 'Resource URI', help: 'Canonical URI of the object.', readOnly: true },
    name: { type: 'string', label: 'Name', help: 'Profile name.', maxLength: 250, required: true, unique: true },
    description: { type: 'string', label: 'Description', help: 'Free text.', maxLength: 250, default: '' },
    url: { type: 'string', label: 'Policy server URL', help: 'External policy server URL.', maxLength: 255, format: 'http-url', default: '' },
    username: { type: 'string', label: 'Username', help: 'User name for the external policy server.', maxLength: 100, default: '' },
    password: { type: 'string', label: 'Password', help: 'Password for the external policy server; write-only.', maxLength: 100, secret: true },
    enable_service_lookup: flag('Apply external service policy', 'Ask the external server for service configuration.'),
    enable_participant_lookup: flag('Apply external participant policy', 'Ask the external server for participant configuration.'),
    enable_registration_lookup: flag('Apply external registration policy', 'Ask whether a device may register.'),
    enable_directory_lookup: flag('Apply external directory policy', 'Directory data from the external server.'),
    enable_avatar_lookup: flag('Apply external avatar policy', 'Avatar images from the external server.'),
    enable_media_location_lookup: flag('Apply external media location policy', 'Media location from the external server.'),
    enable_internal_service_policy: flag('Apply local service policy', 'Run the local service configuration script.'),
    enable_internal_participant_policy: flag('Apply local participant policy', 'Run the local participant script.'),
    enable_internal_media_location_policy: flag('Apply local media location policy', 'Run the local media location script.'),
    internal_service_policy_template: script('Service configuration script'),
    internal_participant_policy_template: script('Participant script'),
    internal_media_location_policy_template: script('Media location script'),
    prefer_local_avatar_configuration: flag('Prefer local avatar configuration', 'Use a user\'s configured avatar URL before external policy.'),
  },
  rules: [
    noCredentialsInUrls(['url']),
    {
      id: 'external-lookup-needs-url',
      description: 'An enabled external lookup needs the policy server URL.',
      enforcedBy: 'client',
      check: (o) =>
        EXTERNAL_LOOKUPS.some((f) => o[f] === true) && (typeof o.url !== 'string' || o.url === '')
          ? [{ field: 'url', message: 'An external policy lookup is enabled, so the policy server URL is required.' }]
          : [],
    },
    {
      id: 'local-policy-needs-script',
      description: 'An enabled local policy needs its script.',
      enforcedBy: 'client',
      check: (o) =>
        LOCAL_SCRIPTS.filter(([enabled, template]) => o[enabled] === true && (typeof o[template] !== 'string' || (o[template] as string).trim() === ''))
          .map(([, template]) => ({ field: template, message: 'This local policy is enabled, so its script is required.' })),
    },
  ],
};
