/**
 * The remote verifier and metered tokens (issue 13), against a real
 * platform on loopback: a metered token's answer is never cached nor shared
 * between concurrent checks (every use spends at the platform), the cost
 * and limits a check asks for reach the platform, and the platform's 429
 * comes back as `rate_limited` or `usage_exceeded` with its wait.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspectionRouter } from '../../src/express/index.js';
import { createRemoteVerifier, type RemoteVerifier } from '../../src/http/remote-verifier.js';
import { expectCode } from '../support/errors.js';
import { ALICE, BOB, type Fixture, issue, makeFixture } from './support/fixture.js';

describe('remote verifier: metered tokens', () => {
  let fixture: Fixture;
  let close: () => Promise<void>;
  let url: string;
  let engineToken: string;
  let requests = 0;
  const now = Date.UTC(2026, 0, 1);

  beforeAll(async () => {
    fixture = makeFixture({ now: () => now });
    const app = express();
    app.use('/introspect', (_req, _res, next) => {
      requests++;
      next();
    });
    app.use('/introspect', introspectionRouter(fixture.service));
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`;
    close = () => new Promise<void>((resolve) => server.close(() => resolve()));
    engineToken = (await issue(fixture.service, ALICE, { type: 'administrative', name: 'engine' })).token;
  });
  afterAll(() => close());

  const verifier = (): RemoteVerifier =>
    createRemoteVerifier({ url, token: engineToken, cacheTtl: '1h', now: () => now });

  it('asks the platform at every check of a metered token, and caches an unmetered one', async () => {
    const remote = verifier();
    const metered = await fixture.service.issue({ remaining: 10 }, BOB);
    const before = requests;
    expect((await remote.verify(metered.token)).remaining).toBe(9);
    expect((await remote.verify(metered.token)).remaining).toBe(8);
    expect(requests - before).toBe(2);
    expect(remote.stats().positiveEntries).toBe(0);
    const plain = await fixture.service.issue({ name: 'remote-plain' }, BOB);
    await remote.verify(plain.token);
    await remote.verify(plain.token);
    expect(requests - before).toBe(3);
  });

  it('does not share one answer between concurrent checks of a metered token: each spends', async () => {
    const remote = verifier();
    const { token, info } = await fixture.service.issue({ remaining: 20 }, BOB);
    const answers = await Promise.all(Array.from({ length: 6 }, () => remote.verify(token)));
    expect(answers.map((principal) => principal.remaining).sort((a, b) => a! - b!)).toEqual([14, 15, 16, 17, 18, 19]);
    expect((await fixture.service.get(info.id, BOB)).remaining).toBe(14);
  });

  it('sends the cost and the limits asked for, and passes the platform refusal on with its wait', async () => {
    const remote = verifier();
    const { token } = await fixture.service.issue(
      { remaining: 10, ratelimit: [{ name: 'exports', limit: 2, duration: '1m' }] },
      BOB,
    );
    const principal = await remote.verify(token, { cost: 2, ratelimit: 'exports' });
    expect(principal.remaining).toBe(8);
    expect(principal.ratelimits).toEqual([{ name: 'exports', limit: 2, duration: 60_000 }]);
    await expectCode(remote.verify(token, { ratelimit: ['exports'] }), 'rate_limited', {
      retryAfter: 30_000,
      ratelimit: 'exports',
    });
    await expectCode(remote.verify(token, { cost: 9, ratelimit: [] }), 'usage_exceeded', { retryAfter: null });
    await expectCode(remote.verify(token, { cost: -1 }), 'invalid_request', { field: 'cost' });
  });
});
