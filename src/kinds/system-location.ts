import type { FieldSpec, KindSpec } from './types';

const locationRef = (label: string, help: string): FieldSpec => ({ type: 'reference', label, help, references: 'system_location', nullable: true, readForm: 'uri', default: null });

/**
 * System location (Platform > Locations). Locations exist before any stack and outlive it, so stacks never create
 * or delete one: they manage single fields on named locations (`managedFields`), recorded in the stack's ledger
 * with the value that was there before, which removal restores. A policy profile takes effect only here, and so
 * does the web proxy the location's nodes use to reach Epic. Fields from Pexip's Go SDK (`system_location`).
 */
export const systemLocation: KindSpec = {
  name: 'system_location',
  title: 'system location',
  constructName: 'LocationAssignment',
  uiPath: 'Platform > Locations',
  collectionPath: '/api/admin/configuration/v1/system_location/',
  detailKey: 'id',
  naturalKey: 'name',
  methods: { list: ['GET', 'POST', 'PATCH', 'DELETE'], detail: ['GET', 'PUT', 'PATCH', 'DELETE'] },
  updateVerb: 'PATCH',
  ownership: { style: 'ledger' },
  management: { style: 'fields', fields: ['policy_server', 'http_proxy'] },
  // Restored first: Pexip refuses to delete a policy profile or web proxy a location still uses.
  removalRank: 0,
  fields: {
    id: { type: 'integer', label: 'ID', help: 'Primary key.', readOnly: true },
    resource_uri: { type: 'string', label: 'Resource URI', help: 'Canonical URI of the object.', readOnly: true },
    name: { type: 'string', label: 'Name', help: 'Location name.', maxLength: 250, required: true, unique: true },
    description: { type: 'string', label: 'Description', help: 'Free text.', maxLength: 250, default: '' },
    mtu: { type: 'integer', label: 'MTU', help: 'Maximum transmission unit of the nodes in this location.', min: 512, max: 1500, default: 1500 },
    media_qos: { type: 'integer', label: 'Media QoS', help: 'DSCP value for media.', min: 0, max: 63, nullable: true, default: 0 },
    signalling_qos: { type: 'integer', label: 'Signalling QoS', help: 'DSCP value for signalling.', min: 0, max: 63, nullable: true, default: 0 },
    local_mssip_domain: { type: 'string', label: 'Local MS-SIP domain', help: 'Skype for Business domain of this location.', maxLength: 255, default: '' },
    use_relay_candidates_only: { type: 'boolean', label: 'Use relay candidates only', help: 'Only relay ICE candidates.', default: false },
    policy_server: { type: 'reference', label: 'Policy profile', help: 'The policy profile the Conferencing Nodes in this location use.', references: 'policy_server', nullable: true, absentWhenNull: true, readForm: 'uri', default: null },
    http_proxy: { type: 'reference', label: 'Web proxy', help: 'The web proxy the Conferencing Nodes in this location use for outbound HTTP(S).', references: 'http_proxy', nullable: true, absentWhenNull: true, readForm: 'uri', default: null },
    transcoding_location: locationRef('Transcoding location', 'Location for transcoding; null uses this one.'),
    overflow_location1: locationRef('Primary overflow location', 'Location used when this one is full.'),
    overflow_location2: locationRef('Secondary overflow location', 'Location used when the primary overflow is full.'),
  },
  rules: [],
};
