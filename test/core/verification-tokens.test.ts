/**
 * Static verification tokens (src/core/verification-tokens.ts) against
 * written answers (issue 15): the list as configured, every refusal and the
 * field it names, the secret's length and characters at their edges, the
 * lookup that compares every entry, and the principal's fields.
 */
import { describe, expect, it } from 'vitest';
import { brandOf } from '../../src/core/principal.js';
import {
  findVerificationEntry,
  MAX_SECRET_LENGTH,
  type VerificationEntry,
  verificationEntries,
  verificationPrincipal,
} from '../../src/core/verification-tokens.js';
import { refusalOf } from '../support/refusal.js';

const SECRET = 'engine-secret-0123456789';
/** A stand-in for the keyed hash: visible, so the tests can see which secret was hashed. */
const hash = (secret: string): string => `h(${secret})`;
const entries = (value: unknown) => verificationEntries(value, 'tokens', 'acme', hash);
const refused = (field: string) => ({ code: 'invalid_request', field });

describe('verificationEntries: the list', () => {
  it('nothing configured is no entry', () => {
    expect(entries(undefined)).toEqual([]);
    expect(entries([])).toEqual([]);
  });

  it('a bare secret takes the default tenant and the name "verification"; an object its own', () => {
    expect(
      entries([SECRET, { secret: `${SECRET}-2`, tenant: 'globex', name: 'engine' }, { secret: `${SECRET}-3` }]),
    ).toEqual([
      { hash: `h(${SECRET})`, tenant: 'acme', name: 'verification' },
      { hash: `h(${SECRET}-2)`, tenant: 'globex', name: 'engine' },
      { hash: `h(${SECRET}-3)`, tenant: 'acme', name: 'verification' },
    ]);
  });

  it('keeps names in NFC', () => {
    expect(entries([{ secret: SECRET, name: 'cafe\u0301' }])[0]?.name).toBe('caf\u00e9');
  });

  it.each<[string, unknown, string]>([
    ['a bare string', SECRET, 'tokens'],
    ['null', null, 'tokens'],
    ['an object', { secret: SECRET }, 'tokens'],
    ['a missing entry', [SECRET, undefined], 'tokens[1]'],
    ['a null entry', [null], 'tokens[0]'],
    ['a number entry', [42], 'tokens[0]'],
    ['a list entry', [[SECRET]], 'tokens[0]'],
    ['an unknown key', [{ secret: SECRET, tenat: 'acme' }], 'tokens[0].tenat'],
    ['a key beside the known ones', [{ secret: SECRET, tenant: 'acme', name: 'n', hash: 'x' }], 'tokens[0].hash'],
    ['an object without secret', [{ name: 'engine' }], 'tokens[0].secret'],
    ['an object with a number secret', [{ secret: 1234567890123456 }], 'tokens[0].secret'],
    ['an object with a short secret', [{ secret: 'short' }], 'tokens[0].secret'],
    ['a short bare secret', [SECRET, 'short'], 'tokens[1]'],
    ['a bad tenant', [{ secret: SECRET, tenant: 'a b' }], 'tokens[0].tenant'],
    ['a null tenant', [{ secret: SECRET, tenant: null }], 'tokens[0].tenant'],
    ['a blank name', [{ secret: SECRET, name: ' ' }], 'tokens[0].name'],
    ['a null name', [{ secret: SECRET, name: 123 }], 'tokens[0].name'],
    ['the same secret twice, bare', [SECRET, SECRET], 'tokens[1]'],
    ['the same secret twice, as an object', [SECRET, 'another-secret-0123', { secret: SECRET }], 'tokens[2].secret'],
  ])('refuses %s, naming %s', (_what, value, field) => {
    expect(refusalOf(() => entries(value))).toEqual(refused(field));
  });
});

describe('verificationEntries: the secret', () => {
  const ok = (secret: string) => {
    try {
      entries([secret]);
      return true;
    } catch {
      expect(refusalOf(() => entries([secret]))).toEqual(refused('tokens[0]'));
      return false;
    }
  };

  it.each<[string, string, boolean]>([
    ['15 characters', 'a'.repeat(15), false],
    ['16 characters', 'a'.repeat(16), true],
    ['17 characters', 'a'.repeat(17), true],
    [`${MAX_SECRET_LENGTH} characters`, 'a'.repeat(MAX_SECRET_LENGTH), true],
    [`${MAX_SECRET_LENGTH + 1} characters`, 'a'.repeat(MAX_SECRET_LENGTH + 1), false],
    ['inner spaces', 'abc def ghi jkl mnop', true],
    ['every printable character', Array.from({ length: 94 }, (_, i) => String.fromCharCode(0x21 + i)).join(''), true],
    ['"!" and "~" at its ends', `!${'a'.repeat(14)}~`, true],
    ['a leading space', ` ${'a'.repeat(16)}`, false],
    ['a trailing space', `${'a'.repeat(16)} `, false],
    ['a trailing newline', `${'a'.repeat(16)}\n`, false],
    ['a leading newline', `\n${'a'.repeat(16)}`, false],
    ['a tab inside', `${'a'.repeat(8)}\t${'a'.repeat(8)}`, false],
    ['DEL inside', `${'a'.repeat(8)}\x7f${'a'.repeat(8)}`, false],
    ['DEL at the end', `${'a'.repeat(16)}\x7f`, false],
    ['a control at the start', `\x1f${'a'.repeat(16)}`, false],
    ['a non-ASCII letter inside', `${'a'.repeat(8)}é${'a'.repeat(8)}`, false],
    ['a non-ASCII letter at the end', `${'a'.repeat(16)}é`, false],
  ])('%s: %s', (_what, secret, accepted) => {
    expect(ok(secret)).toBe(accepted);
  });
});

describe('findVerificationEntry', () => {
  const list: VerificationEntry[] = [
    { hash: 'h1', tenant: 'acme', name: 'one' },
    { hash: 'h2', tenant: 'acme', name: 'two' },
    { hash: 'h3', tenant: 'globex', name: 'three' },
  ];

  it('answers the entry with the hash, wherever it stands, and undefined for none', () => {
    expect(findVerificationEntry(list, 'h1')).toBe(list[0]);
    expect(findVerificationEntry(list, 'h2')).toBe(list[1]);
    expect(findVerificationEntry(list, 'h3')).toBe(list[2]);
    expect(findVerificationEntry(list, 'h4')).toBeUndefined();
    expect(findVerificationEntry(list, 'h')).toBeUndefined();
    expect(findVerificationEntry([], 'h1')).toBeUndefined();
  });
});

describe('verificationPrincipal', () => {
  it('has full access to its tenant, no owner, no expiry, and the token id verification:<name>', () => {
    const brand = {};
    const principal = verificationPrincipal({ hash: 'h', tenant: 'globex', name: 'engine' }, brand);
    expect({ ...principal }).toMatchObject({
      tokenId: 'verification:engine',
      type: 'verification',
      tenant: 'globex',
      owner: null,
      name: 'engine',
      grants: 'all',
      ownerIsAdmin: false,
      expiresAt: null,
      meta: null,
    });
    expect(brandOf(principal)).toBe(brand);
  });
});
