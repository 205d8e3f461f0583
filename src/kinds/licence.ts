import type { KindSpec } from './types';

const serverField = (type: 'string' | 'integer' | 'dict', label: string, help: string) => ({ type, label, help, readOnly: true }) as const;

/**
 * Licence (Platform > Licenses). Activated by entitlement key, returned by DELETE; never updated. It has no
 * writable free-text field, so which stack activated it is recorded in Terraform state by its own carrier.
 */
export const licence: KindSpec = {
  name: 'licence',
  title: 'licence',
  constructName: 'TelehealthLicence',
  uiPath: 'Platform > Licenses',
  collectionPath: '/api/admin/configuration/v1/licence/',
  detailKey: 'fulfillment_id',
  naturalKey: 'entitlement_id',
  methods: { list: ['GET', 'POST'], detail: ['GET', 'DELETE'] },
  updateVerb: null,
  ownership: { style: 'terraform-state' },
  removalRank: 8,
  fields: {
    fulfillment_id: serverField('string', 'Fulfillment ID', 'Licence identifier (detail key).'),
    resource_uri: serverField('string', 'Resource URI', 'Canonical URI of the object.'),
    entitlement_id: { type: 'string', label: 'Entitlement key', help: 'The entitlement key from Pexip; spaces are ignored.', maxLength: 255, required: true, sensitive: true },
    offline_mode: { type: 'boolean', label: 'Offline activation', help: 'Store a licence request for manual activation instead of contacting Pexip\'s licence server.', default: false },
    fulfillment_type: serverField('string', 'Fulfillment type', 'Licence type.'),
    product_id: serverField('string', 'Product', 'Licence product.'),
    license_type: serverField('string', 'Licence type', 'Feature type this licence provides.'),
    features: serverField('string', 'Features', 'Features provided.'),
    concurrent: serverField('integer', 'Concurrent', 'Concurrent licences available.'),
    concurrent_overdraft: serverField('integer', 'Concurrent overdraft', 'Overdraft.'),
    activatable: serverField('integer', 'Activatable', 'Activatable licences.'),
    activatable_overdraft: serverField('integer', 'Activatable overdraft', 'Overdraft.'),
    hybrid: serverField('integer', 'Hybrid', 'Hybrid licences.'),
    hybrid_overdraft: serverField('integer', 'Hybrid overdraft', 'Overdraft.'),
    start_date: serverField('string', 'Start date', 'Start of validity.'),
    expiration_date: serverField('string', 'Expiration date', 'End of validity.'),
    status: serverField('string', 'Status', 'Status of the licence.'),
    trust_flags: serverField('integer', 'Trust flags', 'Trust status.'),
    repair: serverField('integer', 'Repairs', 'Times repaired.'),
    server_chain: serverField('string', 'Server chain', 'Licence server chain.'),
    vendor_dictionary: serverField('dict', 'Vendor dictionary', 'Vendor-specific information.'),
  },
  rules: [],
  normaliseNaturalKey: (value) => value.replace(/\s+/g, ''),
};
