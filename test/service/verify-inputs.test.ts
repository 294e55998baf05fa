/**
 * Call inputs read once, own keys only, no holes (review attack 10):
 * `verify`'s options are read once into an own-key copy (an inherited
 * `cost`, `ratelimit` or `tenant` is no option; an unknown key is refused),
 * lists are length-checked first and walked by index (a hole is refused
 * naming `field[i]`), and a grant's fields are read once.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { staticDirectory } from '../../src/core/directory.js';
import { TokenError } from '../../src/core/errors.js';
import { tokenAuth } from '../../src/express/index.js';
import { createTokenService } from '../../src/service/index.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { TEST_PEPPER } from '../support/service.js';

const BOB = { tenant: 'acme', user: 'bob' };
const ALICE = { tenant: 'acme', user: 'alice' };
const LIMITS = [
  { name: 'strict', limit: 2, duration: '1h' },
  { name: 'loose', limit: 100, duration: '1h' },
];

function service() {
  return createTokenService({
    repository: memoryRepository(),
    pepper: TEST_PEPPER,
    directory: staticDirectory({ acme: { bob: {}, alice: { admin: true } } }),
    policy: { defaultTtl: '30d', maxTtl: '30d', creation: 'users' },
  });
}

async function meteredToken() {
  const tokens = service();
  const { token } = await tokens.issue({ name: 'm', remaining: 100, ratelimit: LIMITS }, BOB);
  return { tokens, token };
}

/** How many of `n` calls of `attempt` passed. */
async function passes(n: number, attempt: () => Promise<unknown>): Promise<number> {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    try {
      await attempt();
      ok++;
    } catch (error) {
      expect(error).toBeInstanceOf(TokenError);
    }
  }
  return ok;
}

/** Runs `body` with `key` planted on `Object.prototype`, removed afterwards whatever happens. */
async function polluted<T>(key: string, value: unknown, body: () => Promise<T>): Promise<T> {
  Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true });
  try {
    return await body();
  } finally {
    delete (Object.prototype as Record<string, unknown>)[key];
  }
}

/** A list of `length` whose first entry is a hole and whose last is `last` (when given). */
function sparse(length: number, ...last: unknown[]): unknown[] {
  const list: unknown[] = new Array(length);
  if (last.length > 0) list[length - 1] = last[0];
  return list;
}

/** The code and field a call was refused with. */
async function refusal(call: () => Promise<unknown>): Promise<{ code: string; field: unknown }> {
  try {
    await call();
  } catch (error) {
    expect(error).toBeInstanceOf(TokenError);
    return { code: (error as TokenError).code, field: (error as TokenError).details.field };
  }
  throw new Error('expected a refusal');
}

describe('verify options: own keys, read once, known keys only', () => {
  it('an inherited cost of 0 spends as the default does', async () => {
    const { tokens, token } = await meteredToken();
    expect(await polluted('cost', 0, () => passes(6, () => tokens.verify(token, {})))).toBe(2);
  });

  it('an inherited ratelimit does not skip the strict limit', async () => {
    const { tokens, token } = await meteredToken();
    expect(await polluted('ratelimit', 'loose', () => passes(6, () => tokens.verify(token, {})))).toBe(2);
  });

  it('an inherited tenant is no tenant', async () => {
    const tokens = service();
    const { token } = await tokens.issue({ name: 'n' }, BOB);
    const principal = await polluted('tenant', 'other', () => tokens.verify(token, {}));
    expect(principal.tenant).toBe('acme');
  });

  it('reads the tenant once', async () => {
    const tokens = service();
    const { token } = await tokens.issue({ name: 'n' }, BOB);
    let reads = 0;
    const options = {
      get tenant() {
        reads++;
        return reads === 1 ? 'acme' : 'other';
      },
    };
    await expect(tokens.verify(token, options)).resolves.toMatchObject({ tenant: 'acme' });
    expect(reads).toBe(1);
  });

  it('reads cost once: a getter cannot pass the check as 1 and spend 0', async () => {
    const { tokens, token } = await meteredToken();
    let reads = 0;
    const options = () => {
      let own = 0;
      return {
        get cost() {
          reads++;
          return own++ === 0 ? 1 : 0;
        },
      };
    };
    expect(await passes(6, () => tokens.verify(token, options()))).toBe(2);
    expect(reads).toBe(6);
  });

  it.each([
    [{ costt: 5 }, 'options.costt'],
    [{ ratelimits: 'loose' }, 'options.ratelimits'],
    [{ tenant: 5 }, 'tenant'],
    ['acme', 'options'],
  ])('refuses %j naming %s', async (options, field) => {
    const { tokens, token } = await meteredToken();
    expect(await refusal(() => tokens.verify(token, options as never))).toEqual({ code: 'invalid_request', field });
  });

  it('an inherited cost of 0 does not pass through Express tokenAuth over a socket', async () => {
    const { tokens, token } = await meteredToken();
    const app = express();
    app.get('/', tokenAuth(tokens, { tenant: 'acme' }), (_req, res) => {
      res.json({ ok: true });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const statuses = await polluted('cost', 0, async () => {
        const seen: number[] = [];
        for (let i = 0; i < 4; i++) {
          const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
          await response.arrayBuffer();
          seen.push(response.status);
        }
        return seen;
      });
      expect(statuses).toEqual([200, 200, 429, 429]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('sparse lists: a hole is refused, the length is checked first', () => {
  it('verify refuses a ratelimit list with a hole naming ratelimit[0]', async () => {
    const { tokens, token } = await meteredToken();
    const field = (await refusal(() => tokens.verify(token, { ratelimit: new Array(1) }))).field;
    expect(field).toBe('ratelimit[0]');
    expect(await passes(6, () => tokens.verify(token, {}))).toBe(2);
  });

  it('verify refuses a huge sparse ratelimit list by its length, without walking it', async () => {
    const { tokens, token } = await meteredToken();
    const huge: string[] = [];
    huge.length = 2 ** 32 - 1;
    expect(await refusal(() => tokens.verify(token, { ratelimit: huge }))).toEqual({
      code: 'invalid_request',
      field: 'ratelimit',
    });
  });

  it.each([
    [{ grants: sparse(2, { bucket: 'b', access: 'read' }) }, 'grants[0]'],
    [{ grants: [{ component: 'c', actions: sparse(2, 'run') }] }, 'grants[0].actions[0]'],
    [{ ratelimit: sparse(1) }, 'ratelimit[0]'],
  ])('issue refuses %j naming %s', async (input, field) => {
    const tokens = service();
    expect(await refusal(() => tokens.issue({ name: 'h', ...input } as never, ALICE))).toEqual({
      code: 'invalid_request',
      field,
    });
  });

  it('issue refuses a huge sparse ratelimit list by its length', async () => {
    const tokens = service();
    const huge: unknown[] = [];
    huge.length = 2 ** 32 - 1;
    expect(await refusal(() => tokens.issue({ name: 'h', ratelimit: huge } as never, ALICE))).toEqual({
      code: 'invalid_request',
      field: 'ratelimit',
    });
  });
});

describe('a grant is read once', () => {
  /** A grant whose `key` answers `first` once and `later` after. */
  function shifting(base: Record<string, unknown>, key: string, first: unknown, later: unknown) {
    let reads = 0;
    return Object.defineProperty({ ...base }, key, {
      enumerable: true,
      get: () => (reads++ === 0 ? first : later),
    });
  }

  it.each([
    [
      'bucket',
      shifting({ access: 'read' }, 'bucket', 'b1', `bad name ${'x'.repeat(5000)}`),
      { bucket: 'b1', access: 'read' },
    ],
    ['access', shifting({ bucket: 'b1' }, 'access', 'read', 'admin'), { bucket: 'b1', access: 'read' }],
    ['scope', shifting({}, 'scope', 'ok', 42), { scope: 'ok' }],
    ['component', shifting({}, 'component', 'c1', ''), { component: 'c1' }],
  ])('stores the %s it checked', async (_key, grant, stored) => {
    const tokens = service();
    const { info } = await tokens.issue({ name: 'g', grants: [grant as never] }, ALICE);
    expect(info.grants).toEqual([stored]);
  });
});
