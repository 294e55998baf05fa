/**
 * `meta` (and `record()` details) may not hold the keys `__proto__`,
 * `constructor` or `prototype`, at any depth: the management API's body
 * reader refuses them, and an application that merges meta into its own
 * objects would otherwise be open to prototype pollution. Every way into
 * the service refuses them alike, with `invalid_request` naming the field.
 */
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { ANALYST, makeHarness } from '../support/service.js';

const RESERVED = ['__proto__', 'constructor', 'prototype'];

/** `{ [key]: 1 }` as JSON.parse makes it: an own member, whatever its name. */
const withKey = (key: string, nested: boolean): Record<string, unknown> =>
  JSON.parse(nested ? `{"team":{"${key}":{"admin":true}}}` : `{"${key}":{"admin":true}}`);

async function refusal(call: Promise<unknown>): Promise<TokenError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TokenError);
  return error as TokenError;
}

describe('reserved keys in meta', () => {
  it.each(RESERVED.flatMap((key) => [[key, false] as const, [key, true] as const]))(
    '%s (nested: %s) is refused by issue, update and record',
    async (key, nested) => {
      const h = makeHarness();
      const meta = withKey(key, nested);
      const issued = await h.service.issue({ name: 'ok' }, ANALYST);
      const prefix = nested ? '.team' : '';
      for (const [call, field] of [
        [h.service.issue({ name: 'x', meta }, ANALYST), `meta${prefix}`],
        [h.service.update(issued.info.id, { meta }, ANALYST), `patch.meta${prefix}`],
        [h.service.record(await h.service.verify(issued.token), 'read', meta), `detail${prefix}`],
      ] as const) {
        const error = await refusal(call);
        expect([error.code, error.details.field]).toEqual(['invalid_request', field]);
        expect(error.message).toContain(key);
      }
      expect((await h.service.get(issued.info.id, ANALYST)).meta).toBeNull();
    },
  );

  it('keys that only contain the words are fine', async () => {
    const h = makeHarness();
    const meta = { proto: 1, constructorName: 'x', prototypes: [1] };
    const issued = await h.service.issue({ name: 'ok', meta }, ANALYST);
    expect(issued.info.meta).toEqual(meta);
  });
});
