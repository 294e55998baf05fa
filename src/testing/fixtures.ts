/**
 * @internal Builders of records, events and claims for the conformance
 * suite. Every test gets its own tenant names and ids that no other test
 * uses, so a store that keeps data between tests still gives clean answers.
 */
import { isTokenError, type TokenError, type TokenErrorCode } from '../core/errors.js';
import type { ListQuery } from '../core/repository.js';
import type { ClaimRecord, TokenEvent, TokenRecord } from '../core/types.js';
import { expect } from './expect.js';

/** A fixed instant the suite's clocks start from (2025-06-15). */
export const T0 = 1_750_000_000_000;

const runTag = Math.floor(Math.random() * 36 ** 6)
  .toString(36)
  .padStart(6, '0')
  .toUpperCase();
let fixtureCount = 0;

/** Mutable view used to prove that returned objects are not live views of storage. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Builders scoped to one test. */
export interface Fixtures {
  /** The text every tenant, id and claim code of these builders contains, and no other builders' do. */
  readonly scope: string;
  /** A tenant used only by this test. */
  readonly tenant: string;
  /** A second tenant used only by this test. */
  readonly otherTenant: string;
  /** A fresh id; ids made later sort after ids made earlier. */
  id(prefix?: string): string;
  /** A personal token of `alice` created at `T0`, with any field overridden. */
  token(overrides?: Partial<TokenRecord>): TokenRecord;
  /** An event of `tokenId` at `T0`, with any field overridden. */
  event(tokenId: string, overrides?: Partial<TokenEvent>): TokenEvent;
  /** A claim of `tokenId` valid for an hour from `T0`, with any field overridden. */
  claim(tokenId: string, overrides?: Partial<ClaimRecord>): ClaimRecord;
}

/** Creates the builders of one test. */
export function createFixtures(): Fixtures {
  const scope = `${runTag}${(++fixtureCount).toString(36).padStart(4, '0')}`;
  let sequence = 0;
  const next = (): string => (++sequence).toString().padStart(6, '0');
  const id = (prefix = 'T'): string => `${prefix}${scope}${next()}`;
  return {
    scope,
    tenant: `tenant-${scope}`,
    otherTenant: `other-${scope}`,
    id,
    token(overrides = {}) {
      const tokenId = overrides.id ?? id();
      return {
        id: tokenId,
        tenant: `tenant-${scope}`,
        type: 'personal',
        owner: 'alice',
        name: `token-${tokenId.slice(-6)}`,
        comment: '',
        grants: null,
        secretHash: `hash-${tokenId}`,
        pepperVersion: 1,
        previousSecretHash: null,
        previousPepperVersion: null,
        previousExpiresAt: null,
        createdAt: T0,
        expiresAt: null,
        revokedAt: null,
        rotatedAt: null,
        lastUsedAt: null,
        createdBy: 'user:alice',
        version: 1,
        meter: null,
        meta: null,
        enabled: true,
        lookupHash: null,
        ...overrides,
      };
    },
    event(tokenId, overrides = {}) {
      return {
        id: id('E'),
        tokenId,
        tenant: `tenant-${scope}`,
        type: 'issued',
        actor: 'user:alice',
        operation: 'issued',
        detail: null,
        at: T0,
        ...overrides,
      };
    },
    claim(tokenId, overrides = {}) {
      return {
        codeHash: `code-${id('C')}`,
        tokenId,
        tenant: `tenant-${scope}`,
        createdAt: T0,
        expiresAt: T0 + 3_600_000,
        createdBy: 'user:alice',
        ...overrides,
      };
    },
  };
}

/** A `list` query for every token of `tenant` at `T0`, expired and revoked ones included, in one page; `more` narrows it. */
export function everyToken(tenant: string, more: Partial<ListQuery> = {}): ListQuery {
  return { tenant, includeExpired: true, includeRevoked: true, now: T0, limit: 1000, ...more };
}

/** Asserts that `promise` rejects with a `TokenError` of `code`. */
export async function expectTokenError(promise: Promise<unknown>, code: TokenErrorCode): Promise<TokenError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error, `expected a TokenError('${code}'), but the call succeeded`).not.toBeNull();
  // Recognized by its brand, not by class: the store may come from another build of tokenward.
  expect(isTokenError(error), `expected a TokenError('${code}'), not ${String(error)}`).toBe(true);
  expect((error as TokenError).code).toBe(code);
  return error as TokenError;
}

/** The outcome of many concurrent calls: values of the successes, codes of the `TokenError`s. */
export interface Settled<T> {
  readonly values: T[];
  readonly codes: TokenErrorCode[];
}

/**
 * Starts `count` calls at once and waits for all. A failure that is not a
 * `TokenError` is rethrown: the contract allows only its own codes.
 */
export async function race<T>(count: number, call: (index: number) => Promise<T>): Promise<Settled<T>> {
  const results = await Promise.allSettled(Array.from({ length: count }, (_, index) => call(index)));
  const values: T[] = [];
  const codes: TokenErrorCode[] = [];
  for (const result of results) {
    if (result.status === 'fulfilled') values.push(result.value);
    else if (isTokenError(result.reason)) codes.push(result.reason.code);
    else throw result.reason;
  }
  return { values, codes };
}

/**
 * Runs a mutation of an object the repository returned. Frozen objects
 * throw a `TypeError` in strict mode, which is a fine way to refuse.
 */
export function tryMutate(mutate: () => void): void {
  try {
    mutate();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
}
