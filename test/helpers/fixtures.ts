import { generateEpicKey } from '../../src/epic/encryption-key';
import { EPIC_ALGORITHM_WIRE } from '../../src/kinds';
import type { JsonObject } from '../../src/kinds/types';

export const PROFILE_UUID = '3f0c2f7e-7b2a-4c1e-9a55-2a7d6b0e4c11';

/** A complete, valid telehealth profile body as the API takes it (secrets included). */
export function profileBody(overrides: JsonObject = {}): JsonObject {
  return {
    name: 'Healthcare Org',
    description: 'Epic PRD',
    uuid: PROFILE_UUID,
    telehealth_call_domain: 'telehealth.example.org',
    telehealth_integration_base_url: 'https://epic.example.org/',
    telehealth_integration_oauth2_base_api_url: 'https://epic.example.org/interconnect-aocurprd-oauth',
    infinity_webapp_server_base_url: 'https://meet.example.org/',
    epic_patient_app_client_id: 'patient-client-id',
    epic_patient_app_client_secret: 'patient-secret-q8Zt',
    epic_provider_app_client_id: 'provider-client-id',
    epic_provider_app_client_secret: 'provider-secret-q8Zt',
    epic_encryption_algorithm: EPIC_ALGORITHM_WIRE['AES-256-CBC'],
    epic_encryption_key: generateEpicKey(32),
    epic_encryption_key_type: 'base64key',
    patient_oauth2_redirect_url: `https://meet.example.org/api/telehealth/v1/patient/oauth2authorized/${PROFILE_UUID}`,
    provider_oauth2_redirect_url: `https://meet.example.org/api/telehealth/v1/provider/oauth2authorized/${PROFILE_UUID}/`,
    ...overrides,
  };
}

/** A valid telehealth call routing rule body bound to a profile URI. */
export function telehealthRuleBody(profileUri: string, overrides: JsonObject = {}): JsonObject {
  return {
    name: 'Epic telehealth',
    priority: 10,
    match_string: '.*@telehealth\\.example\\.org',
    called_device_type: 'telehealth_profile',
    telehealth_profile: profileUri,
    match_incoming_sip: false,
    match_incoming_h323: false,
    match_incoming_mssip: false,
    ...overrides,
  };
}
