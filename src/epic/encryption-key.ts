import { randomBytes } from 'node:crypto';

/**
 * The Epic encryption key: the secret Epic uses to encrypt launch parameters, configured both in Pexip's telehealth
 * profile and in Epic's FDI records. Epic August 2019+ uses AES-256-CBC with a random 32-byte base64 key; older Epic
 * uses AES-128-CBC with a 16-byte key or a password.
 */

/** Algorithm names as Epic and the Pexip admin UI spell them. */
export type EpicAlgorithm = 'AES-256-CBC' | 'AES-128-CBC';
/** `base64key`: the field holds a base64-encoded key. `password`: a password from which a key is derived. */
export type EpicKeyType = 'base64key' | 'password';

/** Key sizes in bytes per algorithm. */
export const KEY_BYTES: Readonly<Record<EpicAlgorithm, 32 | 16>> = { 'AES-256-CBC': 32, 'AES-128-CBC': 16 };

/** A random key exactly as `pextelehealthkeygen <bytes>` makes one: that many random bytes, base64 encoded. */
export function generateEpicKey(bytes: 32 | 16 = 32): string {
  return randomBytes(bytes).toString('base64');
}

export interface KeyProblem {
  /** Stable rule id, e.g. `epic-key/length`. */
  readonly rule: string;
  /** What is wrong and how to fix it. Never contains the key. */
  readonly message: string;
  /** Pexip would refuse this too (as opposed to this project's stricter policy). */
  readonly byPexip: boolean;
}

const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Fewest distinct byte values we accept in a key of each size; random keys have about 30 (32 bytes) or 15 (16). */
const MIN_DISTINCT_BYTES: Readonly<Record<number, number>> = { 32: 16, 16: 8 };
const MIN_PASSWORD_LENGTH = 16;
/** The label `pextelehealthkeygen` (and `pexip-cdktf keygen` by default) prints before the key. */
const KEYGEN_PREFIX = /^\s*value:/i;

/**
 * Checks a key against the algorithm and key type. Problems with `byPexip` mirror what Pexip itself would refuse
 * (documented for AES-256 ⇒ base64key; inferred for the decoded length); the rest are this project's policy
 * against weak keys.
 */
export function checkEpicKey(value: string, algorithm: EpicAlgorithm, keyType: EpicKeyType): KeyProblem[] {
  if (algorithm === 'AES-256-CBC' && keyType !== 'base64key') {
    return [{ rule: 'epic-key/aes256-needs-base64key', message: 'AES-256-CBC requires key type base64key (a random 32-byte key, base64 encoded); passwords are only for AES-128-CBC.', byPexip: true }];
  }
  // Checked before whitespace, which the prefix also contains: the fix is to drop the prefix, not a space. As a
  // password the prefixed text would even pass Pexip and then fail every Epic launch.
  if (KEYGEN_PREFIX.test(value)) {
    return [
      {
        rule: 'epic-key/value-prefix',
        message: 'The key starts with "value: ", as pexip-cdktf keygen and pextelehealthkeygen print it: remove that prefix and keep only the base64 key, or generate the key with: pexip-cdktf keygen --value-only.',
        byPexip: keyType === 'base64key',
      },
    ];
  }
  // Passwords may contain inner spaces; keys may not, and a line break or edge space is always a copy-paste slip.
  if (value !== value.trim() || /[\r\n]/.test(value) || (keyType === 'base64key' && /\s/.test(value))) {
    return [{ rule: 'epic-key/whitespace', message: 'The key contains whitespace (often a copied line break); remove it.', byPexip: false }];
  }
  if (keyType === 'password') {
    return value.length < MIN_PASSWORD_LENGTH
      ? [{ rule: 'epic-key/password-too-short', message: `A password key must have at least ${MIN_PASSWORD_LENGTH} characters; better, use a random key: pexip-cdktf keygen 16.`, byPexip: false }]
      : [];
  }
  const expected = KEY_BYTES[algorithm];
  if (!CANONICAL_BASE64.test(value) || value.length === 0) {
    return [{ rule: 'epic-key/base64-shape', message: `The key is not base64; generate one with: pexip-cdktf keygen ${expected}.`, byPexip: true }];
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== expected) {
    return [{ rule: 'epic-key/length', message: `${algorithm} needs a ${expected}-byte key (${Math.ceil(expected / 3) * 4} base64 characters); this key decodes to ${bytes.length} bytes. Generate one with: pexip-cdktf keygen ${expected}.`, byPexip: true }];
  }
  if (new Set(bytes).size < MIN_DISTINCT_BYTES[expected]) {
    return [{ rule: 'epic-key/low-entropy', message: 'The key has too few distinct byte values to be random; generate one with pexip-cdktf keygen.', byPexip: false }];
  }
  return [];
}
