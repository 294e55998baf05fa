import { invalid } from './errors.js';
import { refuseSecret } from './pasted-secret.js';
import { freeText, jsonObject, labelText } from './text.js';
import type { TokenMeta } from './types.js';

/** @internal Validation of untrusted input to service calls. */

export { expectKeys, isPlainObject, listOf, ownField, readField } from './keys.js';

// Tenants and users are identifiers from the app: printable, no separators that break logs.
const IDENTIFIER = /^[\p{L}\p{N}._@+:-]{1,200}$/u;

export function identifier(value: unknown, field: string): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
    throw invalid(field, 'must be 1-200 letters, digits or ._@+:-');
  }
  // A user or role name is shown in listings and the audit log: no pasted token.
  return refuseSecret(value, field);
}

/**
 * A token name: 1-100 characters of one line, stored in NFC, with a visible
 * character and no surrounding spaces (the rules of `labelText`). Names are
 * compared by their NFC form. One holding a token, claim code or JWT is
 * refused (`refuseSecret`).
 */
export function tokenName(value: unknown, field = 'name'): string {
  return refuseSecret(labelText(value, field, 100), field);
}

/** A comment: up to 1000 characters of NFC text; tab and newline allowed, other controls not; no token, claim code or JWT. */
export function comment(value: unknown, field = 'comment'): string {
  return refuseSecret(freeText(value, field, 1000), field);
}

/** The largest `meta` of a token, in UTF-8 bytes of its JSON. */
export const MAX_META_BYTES = 4096;

/**
 * A token's metadata: null, or a JSON object of at most 4096 UTF-8 bytes,
 * every key and string checked and stored in NFC like free text (the rules
 * of `record()` details). The answer is a fresh plain copy.
 */
export function tokenMeta(value: unknown, field = 'meta'): TokenMeta | null {
  return value === null ? null : jsonObject(value, field, MAX_META_BYTES);
}

/** An optional boolean field (`enabled`): true or false, nothing else. */
export function flag(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(field, 'must be true or false');
  return value;
}
