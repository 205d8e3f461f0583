import type { KindSpec } from './types';
import { WEBAPP_TYPES } from './webapp-types';

/**
 * Web app branding package (Services > Web App customization). Keyed by a server-made uuid; only name and
 * description can change in place, a new package means upload new, re-point paths, delete old.
 */
export const webappBranding: KindSpec = {
  name: 'webapp_branding',
  title: 'web app branding package',
  constructName: 'WebAppBranding',
  uiPath: 'Services > Web App customization > Branding',
  collectionPath: '/api/admin/configuration/v1/webapp_branding/',
  detailKey: 'uuid',
  naturalKey: 'name',
  methods: { list: ['GET', 'POST'], detail: ['GET', 'PUT', 'PATCH', 'DELETE'] },
  updateVerb: 'PATCH',
  upload: {
    fileField: 'branding_file',
    updateMultipart: false,
    jsonPatchFields: ['name', 'description'],
    requiredEntries: ['webapp2/branding/manifest.json', 'webapp3/branding/manifest.json'],
  },
  ownership: { style: 'description-suffix', field: 'description' },
  removalRank: 4,
  fields: {
    uuid: { type: 'string', label: 'UUID', help: 'Server-generated identifier.', readOnly: true },
    resource_uri: { type: 'string', label: 'Resource URI', help: 'Canonical URI of the object.', readOnly: true },
    name: { type: 'string', label: 'Name', help: 'Branding name.', maxLength: 100, required: true },
    description: { type: 'string', label: 'Description', help: 'Free text.', maxLength: 250, default: '' },
    webapp_type: { type: 'enum', label: 'Web app', help: 'Which web app the package brands.', values: WEBAPP_TYPES, required: true, createOnly: true },
    branding_file: { type: 'file', label: 'Branding package', help: 'ZIP with <webapp>/branding/manifest.json; write-only.', required: true, createOnly: true },
    is_default: { type: 'boolean', label: 'Default', help: 'True for Pexip-supplied branding.', readOnly: true, default: false },
    last_updated: { type: 'datetime', label: 'Last updated', help: 'When the package was uploaded (UTC).', readOnly: true },
  },
  rules: [],
};
