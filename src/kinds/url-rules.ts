import type { CrossFieldRule } from './types';

function hasCredentials(value: unknown): boolean {
  if (typeof value !== 'string' || value === '') return false;
  try {
    const url = new URL(value);
    return url.username !== '' || url.password !== '';
  } catch {
    return false;
  }
}

/**
 * URLs with `user:password@`: Pexip would store them, and from a base URL they would reach Epic's redirect URLs, the
 * plan and `cdk.tf.json` in plain text. Pexip's own URL check lets them through, so this is the client's policy.
 */
export function noCredentialsInUrls(fields: readonly string[]): CrossFieldRule {
  return {
    id: 'no-credentials-in-urls',
    description: 'No URL carries credentials (user:password@).',
    enforcedBy: 'client',
    check: (o) =>
      fields
        .filter((f) => hasCredentials(o[f]))
        .map((f) => ({ field: f, message: 'The URL contains credentials (user:password@ before the host); they would be stored in Pexip and in plain text in plans and cdk.tf.json: remove them.' })),
  };
}
