/**
 * `verify` leaves nothing of a token behind in the parse's hand-over to the
 * keyed hash (src/core/secret-block.ts; issue 12: secrets are never
 * cached): whatever the answer, the hasher or the store, once a call
 * returns no secret words are held and no slice of the token is named.
 */
import { describe, expect, it } from 'vitest';
import type { TokenRepository } from '../../src/core/repository.js';
import { parsedId, parsedSecret } from '../../src/core/secret-block.js';
import { nodeHasher } from '../../src/node/index.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { ALICE, makeHarness } from '../support/service.js';

function expectNothingHeld(): void {
  expect(parsedSecret.text).toBeNull();
  expect([...parsedSecret.words]).toEqual(new Array(8).fill(0));
  expect(parsedId.text).toBeNull();
}

/** A memory store that answers lookups only through the promise of `findById` (as SQL stores do). */
function awaitedStore(): TokenRepository {
  const inner = memoryRepository();
  return new Proxy(inner, {
    get: (target, key, receiver) => (key === 'findByIdSync' ? undefined : Reflect.get(target, key, receiver)),
  });
}

describe.each([
  ['the default hasher, memory store', {}],
  ['nodeHasher', { hasher: nodeHasher }],
  ['a store answered by promise', { repository: awaitedStore() }],
])('verify forgets the parsed token (%s)', (_what, overrides) => {
  it('after an accepted token, an unknown id, a revoked token and strings the parse refuses', async () => {
    const { service } = makeHarness(overrides);
    const { token } = await service.issue({}, ALICE);
    await service.verify(token);
    expectNothingHeld();

    const other = await service.issue({}, ALICE);
    await service.revoke(other.info.id, ALICE);
    // The same shape and checksum rules, another id: refused before any hash.
    const { token: unknown } = await makeHarness().service.issue({}, ALICE);
    // Refused by its checksum (a typo'd last character) and at a character of its secret: the parse had
    // written some or all of the secret's words before it refused.
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    const typo = `${token.slice(0, -1)}${last}`;
    const secretAt = token.length - 6 - 30;
    const badCharacter = `${token.slice(0, secretAt + 20)}-${token.slice(secretAt + 21)}`;
    for (const refused of [unknown, other.token, typo, badCharacter]) {
      await expect(service.verify(refused)).rejects.toThrow();
      expectNothingHeld();
    }
  });
});

describe('a custom hasher', () => {
  it('sees a buffer that holds no secret once it has answered (issue, verify, refusals)', async () => {
    const seen: Uint8Array[] = [];
    const recording = (key: Uint8Array) => {
      const inner = nodeHasher(key);
      return (message: Uint8Array) => {
        seen.push(new Uint8Array(message.buffer, 0, Math.min(message.buffer.byteLength, 256)));
        return inner(message);
      };
    };
    const { service } = makeHarness({ hasher: recording });
    const { token } = await service.issue({}, ALICE);
    await service.verify(token);
    // The secret's last character changed (always to another one): refused by the checksum.
    const changed = token.at(-7) === 'x' ? 'y' : 'x';
    await expect(service.verify(`${token.slice(0, -7)}${changed}${token.slice(-6)}`)).rejects.toThrow();
    expect(seen.length).toBeGreaterThan(1);
    for (const buffer of seen) expect(buffer.every((byte) => byte === 0)).toBe(true);
  });
});
