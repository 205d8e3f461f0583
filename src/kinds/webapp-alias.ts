import type { KindSpec } from './types';
import { WEBAPP_TYPES } from './webapp-types';

/** Web app path (Services > Web App customization > Web app paths): serves a branding at https://<node>/<slug>. */
export const webappAlias: KindSpec = {
  name: 'webapp_alias',
  title: 'web app path',
  constructName: 'WebAppPath',
  uiPath: 'Services > Web App customization > Web app paths',
  collectionPath: '/api/admin/configuration/v1/webapp_alias/',
  detailKey: 'id',
  naturalKey: 'slug',
  methods: { list: ['GET', 'POST', 'PATCH', 'DELETE'], detail: ['GET', 'PUT', 'PATCH', 'DELETE'] },
  updateVerb: 'PATCH',
  ownership: { style: 'description-suffix', field: 'description' },
  removalRank: 3,
  fields: {
    id: { type: 'integer', label: 'ID', help: 'Primary key.', readOnly: true },
    resource_uri: { type: 'string', label: 'Resource URI', help: 'Canonical URI of the object.', readOnly: true },
    slug: { type: 'string', label: 'Path', help: 'Path component the web app is served under.', maxLength: 100, format: 'slug', required: true, unique: true },
    description: { type: 'string', label: 'Description', help: 'Free text.', maxLength: 250, default: '' },
    webapp_type: { type: 'enum', label: 'Web app', help: 'Which web app the path serves.', values: WEBAPP_TYPES, required: true },
    is_default: { type: 'boolean', label: 'Default', help: 'Whether /webapp redirects here (set through global settings).', readOnly: true, default: false },
    is_enabled: { type: 'boolean', label: 'Enabled', help: 'Whether the path is served.', default: false },
    branding: { type: 'reference', label: 'Branding', help: 'Branding package; null uses the default. Reads back as a nested object.', references: 'webapp_branding', nullable: true, readForm: 'nested', default: null },
    bundle: { type: 'reference', label: 'Software bundle', help: 'Web app software bundle; null uses the default. Reads back as a nested object.', references: 'software_bundle_revision', nullable: true, readForm: 'nested', default: null },
  },
  rules: [],
};
