import { DOCUMENTED_SERVICE_NAME_TEMPLATE } from '../epic/appointment-name';
import { checkEpicKey, type EpicAlgorithm, type EpicKeyType } from '../epic/encryption-key';
import type { FieldError, JsonObject, KindSpec } from './types';
import { noCredentialsInUrls } from './url-rules';

/**
 * Our default wire values of `epic_encryption_algorithm`. The admin UI shows AES-128-CBC and AES-256-CBC; the
 * values Pexip stores are not published (reference §2.2, [?]), so before writing, reconcile reads the node's
 * `valid_choices` and sends the node's own spelling of the same algorithm (`canonicalAlgorithm`), and of the key
 * type (`canonicalKeyType`).
 */
export const EPIC_ALGORITHM_WIRE: Readonly<Record<EpicAlgorithm, string>> = {
  'AES-128-CBC': 'aes128cbc',
  'AES-256-CBC': 'aes256cbc',
};

/**
 * The algorithm a wire value means, whatever a node's spelling (`aes256cbc`, `AES256`, `AES-256-CBC`): the key size
 * is the only part that tells the two apart. Undefined for values that name neither.
 */
export function canonicalAlgorithm(wire: string): EpicAlgorithm | undefined {
  const compact = wire.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (!compact.startsWith('AES')) return undefined;
  const has256 = compact.includes('256');
  const has128 = compact.includes('128');
  return has256 === has128 ? undefined : has256 ? 'AES-256-CBC' : 'AES-128-CBC';
}

/**
 * The key type a wire value means, whatever a node's spelling (`base64key`, `base64_key`, `Base64 key`, `PASSWORD`):
 * like the algorithm, the wire values are not published, and Pexip's own provider only passes them through.
 */
export function canonicalKeyType(wire: string): EpicKeyType | undefined {
  const compact = wire.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (compact === 'base64key' || compact === 'base64' || compact === 'key') return 'base64key';
  if (compact === 'password' || compact === 'passphrase') return 'password';
  return undefined;
}

function keyTypeOf(wire: unknown): EpicKeyType | undefined {
  return typeof wire === 'string' ? canonicalKeyType(wire) : undefined;
}

function algorithmOf(wire: unknown): EpicAlgorithm | undefined {
  return typeof wire === 'string' ? canonicalAlgorithm(wire) : undefined;
}

const TEMPLATE_MAX = 1024;
const template = (label: string, help: string, mustContain: string[], fallback: string) =>
  ({ type: 'string', label, help, maxLength: TEMPLATE_MAX, mustContain, default: fallback, assumedDefault: true }) as const;
const secret = (label: string, help: string, maxLength: number, multiline = false) =>
  ({ type: 'string', label, help, maxLength, secret: true, ...(multiline ? { multiline } : {}) }) as const;
const httpsUrl = (label: string, help: string, required: boolean) =>
  ({ type: 'string', label, help, maxLength: 255, format: 'https-url', required }) as const;

function epicKeyProblems(object: Readonly<JsonObject>, byPexip: boolean): FieldError[] {
  const algorithm = algorithmOf(object.epic_encryption_algorithm);
  const key = object.epic_encryption_key;
  const keyType = keyTypeOf(object.epic_encryption_key_type);
  if (algorithm === undefined || keyType === undefined || typeof key !== 'string' || key === '') return [];
  return checkEpicKey(key, algorithm, keyType)
    .filter((problem) => problem.byPexip === byPexip)
    .map((problem) => ({ field: 'epic_encryption_key', message: `${problem.message} [${problem.rule}]` }));
}

/** Epic telehealth profile: how Pexip talks to one Epic environment (Call control > Epic Telehealth Profile). */
export const telehealthProfile: KindSpec = {
  name: 'telehealth_profile',
  title: 'Epic telehealth profile',
  constructName: 'EpicTelehealthProfile',
  uiPath: 'Call control > Epic Telehealth Profile',
  collectionPath: '/api/admin/configuration/v1/telehealth_profile/',
  detailKey: 'id',
  naturalKey: 'name',
  methods: { list: ['GET', 'POST', 'PATCH', 'DELETE'], detail: ['GET', 'PUT', 'PATCH', 'DELETE'] },
  updateVerb: 'PATCH',
  ownership: { style: 'description-suffix', field: 'description' },
  removalRank: 2,
  fields: {
    id: { type: 'integer', label: 'ID', help: 'Primary key.', readOnly: true },
    resource_uri: { type: 'string', label: 'Resource URI', help: 'Canonical URI of the object.', readOnly: true },
    name: { type: 'string', label: 'Name', help: 'Profile name; also the provider\'s display name and part of each appointment\'s conference name.', maxLength: 250, required: true, unique: true },
    description: { type: 'string', label: 'Description', help: 'Free text.', maxLength: 250, default: '' },
    uuid: { type: 'string', label: 'UUID', help: 'Unique identifier of this profile; part of Epic\'s launch URL and the OAuth2 redirect URLs.', format: 'uuid', required: true, unique: true },
    telehealth_call_domain: { type: 'string', label: 'Telehealth call domain', help: 'Domain of the aliases of this profile\'s telehealth calls; the telehealth call routing rule must match it.', maxLength: 255, format: 'hostname', required: true },
    telehealth_integration_base_url: httpsUrl('Base URL of the Epic server', 'Base HTTPS URL of the Epic server.', true),
    telehealth_integration_oauth2_base_api_url: httpsUrl('Epic OAUTH2 base URL', 'Base HTTPS URL of Epic\'s OAuth2 APIs.', true),
    infinity_webapp_server_base_url: httpsUrl('Infinity web app server base URL', 'Public base URL of the Pexip web app: a Conferencing Node, Proxying Edge Node, reverse proxy or load balancer.', true),
    epic_patient_app_client_id: { type: 'string', label: 'Patient application client ID', help: 'OAuth2 client ID Epic assigned to the "Pexip Telehealth Patient" app.', maxLength: 255, required: true },
    epic_patient_app_client_secret: secret('Patient application client secret', 'Secret of the patient app (production or non-production variant).', 100),
    epic_provider_app_client_id: { type: 'string', label: 'Provider application client ID', help: 'OAuth2 client ID Epic assigned to the "Pexip Telehealth Provider" app.', maxLength: 255, required: true },
    epic_provider_app_client_secret: secret('Provider application client secret', 'Secret of the provider app (production or non-production variant).', 100),
    epic_backend_oauth2_app_client_id: { type: 'string', label: 'Backend OAuth2 client ID', help: 'Client ID of the "Pexip Backend" OAuth2 app (backend-services flow).', maxLength: 255, default: '' },
    epic_backend_oauth2_app_private_key: secret('Backend OAuth2 private key', 'PEM private key the backend app uses to authenticate to Epic.', 12288, true),
    epic_backend_oauth2_app_token_endpoint_url: { type: 'string', label: 'Backend OAuth2 token URL', help: 'Epic OAuth2 token URL for the backend app.', maxLength: 255, format: 'https-url', default: '' },
    epic_encryption_algorithm: { type: 'enum', label: 'Epic encryption algorithm', help: 'Algorithm Epic uses to encrypt launch parameters; AES-256-CBC for Epic August 2019 and later.', values: Object.values(EPIC_ALGORITHM_WIRE), propValues: EPIC_ALGORITHM_WIRE, canonicalChoice: canonicalAlgorithm, required: true },
    epic_encryption_key: secret('Epic encryption key', 'Key that decrypts the launch parameters Epic passes to Pexip.', 100),
    epic_encryption_key_type: { type: 'enum', label: 'Epic encryption key type', help: 'base64key: a base64-encoded random key; password: a password from which the key is derived.', values: ['base64key', 'password'], canonicalChoice: canonicalKeyType, required: true },
    patient_oauth2_redirect_url: httpsUrl('Patient OAuth2 redirect URL', 'https://<web app>/api/telehealth/v1/patient/oauth2authorized/<uuid>', true),
    provider_oauth2_redirect_url: httpsUrl('Provider OAuth2 redirect URL', 'https://<web app>/api/telehealth/v1/provider/oauth2authorized/<uuid>/', true),
    // Template defaults are this project's stand-ins for Pexip's shipped defaults, which are not published [?].
    service_name_template: template('Service name template', 'Jinja2 template of the appointment\'s conference name; identical for every participant.', ['{{unique_encounter_id}}'], DOCUMENTED_SERVICE_NAME_TEMPLATE),
    patient_alias_template: template('Patient alias template', 'Alias patients join with.', ['{{base_telehealth_alias}}'], 'patient.{{base_telehealth_alias}}'),
    provider_alias_template: template('Provider alias template', 'Alias providers join with.', ['{{base_telehealth_alias}}'], 'provider.{{base_telehealth_alias}}'),
    patient_display_name_template: template('Patient display name template', 'Patient display name.', [], '{{launch_information.fname}} {{launch_information.lname}}'),
    provider_display_name_template: template('Provider display name template', 'Provider display name.', [], '{{profile_name}}'),
    patient_web_join_link_template: template('Patient web join link template', 'HTTPS web join link for patients.', ['{{telehealth_alias}}'], 'https://{{webapp_host}}/webapp/m/{{telehealth_alias}}'),
    provider_web_join_link_template: template('Provider web join link template', 'HTTPS web join link for providers; carries the PIN.', ['{{telehealth_alias}}', 'pin'], 'https://{{webapp_host}}/webapp/m/{{telehealth_alias}}?pin={{pin}}'),
    launch_error_web_template: { type: 'string', label: 'Launch error web template', help: 'Error page shown when a telehealth launch fails.', maxLength: 12288, default: '' },
  },
  rules: [
    {
      id: 'aes256-requires-base64key',
      description: 'AES-256-CBC requires key type base64key.',
      enforcedBy: 'pexip',
      check: (o) =>
        algorithmOf(o.epic_encryption_algorithm) === 'AES-256-CBC' && keyTypeOf(o.epic_encryption_key_type) !== 'base64key'
          ? [{ field: 'epic_encryption_key_type', message: 'AES-256-CBC requires key type base64key.' }]
          : [],
    },
    {
      id: 'epic-key-matches-algorithm',
      description: 'A base64 key decodes to 32 bytes for AES-256-CBC and 16 bytes for AES-128-CBC.',
      enforcedBy: 'pexip',
      check: (o) => epicKeyProblems(o, true),
    },
    {
      id: 'epic-key-strength',
      description: 'No whitespace in keys; passwords of at least 16 characters; keys that look random.',
      enforcedBy: 'client',
      check: (o) => epicKeyProblems(o, false),
    },
    noCredentialsInUrls([
      'infinity_webapp_server_base_url',
      'telehealth_integration_base_url',
      'telehealth_integration_oauth2_base_api_url',
      'epic_backend_oauth2_app_token_endpoint_url',
      'patient_oauth2_redirect_url',
      'provider_oauth2_redirect_url',
    ]),
    {
      // Aliases never end with the root's dot, so a rule made from such a domain would match no call.
      id: 'call-domain-without-final-dot',
      description: 'The call domain does not end with a dot.',
      enforcedBy: 'client',
      check: (o) =>
        typeof o.telehealth_call_domain === 'string' && o.telehealth_call_domain.endsWith('.')
          ? [{ field: 'telehealth_call_domain', message: `The call domain ends with a dot, which no alias has, so the telehealth call routing rule would match no call: refused, not changed; write ${JSON.stringify(o.telehealth_call_domain.replace(/\.+$/, ''))}.` }]
          : [],
    },
    {
      id: 'redirect-urls-carry-uuid',
      description: 'Both OAuth2 redirect URLs end with the profile uuid, as Epic\'s launch needs.',
      enforcedBy: 'client',
      check: (o) =>
        (['patient_oauth2_redirect_url', 'provider_oauth2_redirect_url'] as const)
          .filter((f) => typeof o[f] === 'string' && typeof o.uuid === 'string' && !(o[f] as string).replace(/\/$/, '').endsWith(o.uuid as string))
          .map((f) => ({ field: f, message: 'The redirect URL must end with the profile uuid (…/oauth2authorized/<uuid>).' })),
    },
  ],
};
