import { createHash } from 'node:crypto';

/** This project's UUID namespace for derived telehealth-profile uuids (a fixed random v4). */
export const PEXIP_CDKTF_NAMESPACE = '0e9c7f4a-6a53-4c1b-9d2e-8f1b5b7a3c60';

/** An RFC 4122 version-5 (name-based, SHA-1) UUID: the same name always gives the same uuid. */
export function uuidV5(name: string, namespace: string = PEXIP_CDKTF_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(Buffer.concat([ns, Buffer.from(name, 'utf8')])).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
