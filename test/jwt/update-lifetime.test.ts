/**
 * A JWT's `exp` is signed into the string, so `update(id, { ttl })` cannot
 * lengthen it: the service refuses a later expiry (`invalid_request` naming
 * `patch.ttl`) instead of storing one that verification would not honour, and
 * honours a shorter one, because verification checks the stored expiry too.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { ALICE, ANALYST, codeOf, jwtHarness, type Keys, makeKeys } from './helpers.js';

const HOUR = 3_600_000;
let k: Keys;
beforeAll(async () => {
  k = await makeKeys();
});

describe('update of a JWT token lifetime', () => {
  it('refuses a later expiry, naming ttl, and leaves the stored expiry as signed', async () => {
    const h = await jwtHarness({ signing: k.ed });
    const issued = await h.service.issue({ name: 'j', ttl: '1h' }, ANALYST);
    for (const ttl of ['30d', '2h']) {
      const error = await h.service.update(issued.info.id, { ttl }, ANALYST).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TokenError);
      expect(error).toMatchObject({ code: 'invalid_request', details: { field: 'patch.ttl' } });
      expect((error as Error).message).toMatch(/signed.*issue a new token/);
    }
    // An administrator (who may widen anything) is refused the same way.
    expect(await codeOf(h.service.update(issued.info.id, { ttl: '30d' }, ALICE))).toBe('invalid_request');
    const info = await h.service.get(issued.info.id, ANALYST);
    expect(info.expiresAt).toEqual(issued.info.expiresAt);
    h.clock.advance(2 * HOUR);
    expect(await codeOf(h.service.verify(issued.token))).toBe('token_expired');
    expect((await h.service.get(issued.info.id, ANALYST)).status).toBe('expired');
  });

  it('honours a shorter expiry: the stored one ends the token before its exp', async () => {
    const h = await jwtHarness({ signing: k.ed });
    const issued = await h.service.issue({ name: 'j', ttl: '30d' }, ANALYST);
    const info = await h.service.update(issued.info.id, { ttl: '1h' }, ANALYST);
    expect(info.expiresAt?.getTime()).toBe(h.clock.now() + HOUR);
    await expect(h.service.verify(issued.token)).resolves.toMatchObject({ tokenId: issued.info.id });
    h.clock.advance(2 * HOUR);
    expect(await codeOf(h.service.verify(issued.token))).toBe('token_expired');
  });
});
