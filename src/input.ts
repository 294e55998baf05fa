import { TokenError } from './errors.js';
import type { TokenRef } from './service-types.js';

/** @internal Validation of untrusted input to service calls. */

export function invalid(field: string, what: string): TokenError {
  return new TokenError('invalid_request', `${field} ${what}`, { field });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses unknown keys, so a typo (`expiresIn`) is an error rather than silently ignored. */
export function expectKeys(value: unknown, field: string, allowed: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw invalid(field, 'must be an object');
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw invalid(`${field}.${key}`, 'is not a known option');
  }
  return value;
}

// Tenants and users are identifiers from the app: printable, no separators that break logs.
const IDENTIFIER = /^[\p{L}\p{N}._@+:-]{1,200}$/u;

export function identifier(value: unknown, field: string): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
    throw invalid(field, 'must be 1-200 letters, digits or ._@+:-');
  }
  return value;
}

// Token names: any printable text up to 100 characters (Database Lab: "any string").
const CONTROL = /[\u0000-\u001f\u007f]/;

export function tokenName(value: unknown, field = 'name'): string {
  if (
    typeof value !== 'string' ||
    value.trim() !== value ||
    value.length === 0 ||
    value.length > 100 ||
    CONTROL.test(value)
  ) {
    throw invalid(field, 'must be 1-100 printable characters without surrounding spaces');
  }
  return value;
}

export function comment(value: unknown, field = 'comment'): string {
  if (typeof value !== 'string' || value.length > 1000 || /[\u0000\u007f]/.test(value)) {
    throw invalid(field, 'must be a string of at most 1000 characters');
  }
  return value;
}

/** A reference in canonical form. */
export type CanonicalRef =
  | { readonly id: string }
  | { readonly tenant?: string; readonly owner: string | null; readonly name: string };

const ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function tokenRef(ref: TokenRef, field = 'ref'): CanonicalRef {
  if (typeof ref === 'string') {
    if (!ID.test(ref)) throw invalid(field, 'must be a token id');
    return { id: ref };
  }
  if (isPlainObject(ref) && 'id' in ref) {
    if (typeof ref.id !== 'string' || !ID.test(ref.id) || Object.keys(ref).length !== 1) {
      throw invalid(field, 'must be a token id');
    }
    return { id: ref.id };
  }
  const value = expectKeys(ref, field, ['tenant', 'owner', 'name']);
  const owner = value.owner === null ? null : identifier(value.owner, `${field}.owner`);
  const name = tokenName(value.name, `${field}.name`);
  return value.tenant === undefined
    ? { owner, name }
    : { tenant: identifier(value.tenant, `${field}.tenant`), owner, name };
}
