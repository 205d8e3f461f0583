import type { KindSpec } from './types';

/**
 * Web proxy (System > Web proxies): how Conferencing Nodes in a location reach the outside, e.g. the Epic API,
 * which every transcoding and proxying node must reach. It has no free-text field, so the stack's ledger records
 * which proxies it owns. Fields and limits from Pexip's Go SDK and Terraform provider (`http_proxy`).
 */
export const httpProxy: KindSpec = {
  name: 'http_proxy',
  title: 'web proxy',
  constructName: 'WebProxy',
  uiPath: 'System > Web proxies',
  collectionPath: '/api/admin/configuration/v1/http_proxy/',
  detailKey: 'id',
  naturalKey: 'name',
  methods: { list: ['GET', 'POST', 'PATCH', 'DELETE'], detail: ['GET', 'PUT', 'PATCH', 'DELETE'] },
  updateVerb: 'PATCH',
  ownership: { style: 'ledger' },
  removalRank: 7,
  fields: {
    id: { type: 'integer', label: 'ID', help: 'Primary key.', readOnly: true },
    resource_uri: { type: 'string', label: 'Resource URI', help: 'Canonical URI of the object.', readOnly: true },
    name: { type: 'string', label: 'Name', help: 'Proxy name.', maxLength: 250, required: true, unique: true },
    address: { type: 'string', label: 'Address', help: 'Host name or IP address (IPv4 or IPv6) of the proxy.', maxLength: 255, format: 'host', required: true },
    port: { type: 'integer', label: 'Port', help: 'TCP port of the proxy.', min: 1, max: 65535, nullable: true, default: 8080 },
    // The official provider accepts only "http" (a proxy reached over plain HTTP that tunnels HTTPS with CONNECT).
    protocol: { type: 'enum', label: 'Protocol', help: 'Protocol to reach the proxy.', values: ['http'], default: 'http' },
    username: { type: 'string', label: 'Username', help: 'User name for the proxy, if it needs one.', maxLength: 100, default: '' },
    password: { type: 'string', label: 'Password', help: 'Password for the proxy; never read back.', maxLength: 100, secret: true },
  },
  rules: [],
};
