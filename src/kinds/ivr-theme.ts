import type { KindSpec } from './types';

/**
 * Theme (Services > Themes): a ZIP of splash screens and audio prompts, e.g. branded waiting screens for patients.
 * Themes have no free-text field, so the stack's ledger records which ones it owns (by id, with the package hash);
 * earlier versions derived the uuid from stack and logical id, and such themes are still recognised.
 */
export const ivrTheme: KindSpec = {
  name: 'ivr_theme',
  title: 'theme',
  constructName: 'Theme',
  uiPath: 'Services > Themes',
  collectionPath: '/api/admin/configuration/v1/ivr_theme/',
  detailKey: 'id',
  naturalKey: 'name',
  methods: { list: ['GET', 'POST', 'PATCH', 'DELETE'], detail: ['GET', 'PUT', 'PATCH', 'DELETE'] },
  updateVerb: 'PATCH',
  upload: { fileField: 'package', updateMultipart: true, requiredEntries: ['themeconfig.json'] },
  ownership: { style: 'ledger', legacy: { style: 'derived-uuid', field: 'uuid' } },
  removalRank: 5,
  fields: {
    id: { type: 'integer', label: 'ID', help: 'Primary key.', readOnly: true },
    resource_uri: { type: 'string', label: 'Resource URI', help: 'Canonical URI of the object.', readOnly: true },
    name: { type: 'string', label: 'Name', help: 'Theme name.', maxLength: 250, required: true, unique: true },
    // Whether Pexip keeps a posted uuid is not known (the official provider treats it as computed): never sent.
    uuid: { type: 'string', label: 'UUID', help: 'Unique theme identifier; built-in themes use names such as defaultplushash.', maxLength: 250, unique: true, unmanaged: true },
    package: { type: 'file', label: 'Package', help: 'ZIP with themeconfig.json, images and audio prompts; write-only.', required: true },
    last_updated: { type: 'datetime', label: 'Last updated', help: 'When the package last changed (UTC).', readOnly: true },
    conference: { type: 'referenceList', label: 'Services', help: 'Services using this theme.', references: 'conference', default: [] },
    gateway_routing_rule: { type: 'referenceList', label: 'Call routing rules', help: 'Rules using this theme.', references: 'gateway_routing_rule', readOnly: true },
    // Probably derived from the package by Pexip (reference §4, [I]): constructs leave them unmanaged unless set.
    custom_layouts: { type: 'string', label: 'Custom layouts', help: 'Comma-separated custom layouts in the package.', default: '', assumedDefault: true },
    pinning_configs: { type: 'string', label: 'Pinning configurations', help: 'Comma-separated pinning configurations in the package.', default: '', assumedDefault: true },
  },
  rules: [],
};
