/**
 * The remote verifier against a real platform on loopback: a token service
 * behind the RFC 7662 endpoint, with a switch that makes the platform fail
 * in each way a network service can.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/core/principal-types.js';
import { introspectionRouter } from '../../src/express/index.js';
import { createRemoteVerifier, type RemoteVerifierOptions } from '../../src/http/remote-verifier.js';
import { createTokenService } from '../../src/service/index.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { ALICE, BOB, CAROL, type Fixture, GINA, issue, makeFixture } from './support/fixture.js';
import { bearer, call } from './support/http.js';
import { FRAMEWORKS } from './support/servers.js';

type Mode = 'normal' | 'status500' | 'status401' | 'garbage' | 'wrong-shape' | 'no-id' | 'hang' | 'redirect';

interface Platform {
  readonly url: string;
  mode: Mode;
  requests: number;
  close(): Promise<void>;
}

async function startPlatform(fixture: Fixture): Promise<Platform> {
  const app = express();
  const platform = { mode: 'normal' as Mode, requests: 0 };
  app.use('/introspect', (req, res, next) => {
    platform.requests++;
    switch (platform.mode) {
      case 'normal':
        return next();
      case 'status500':
        return res.status(500).json({ error: 'boom' });
      case 'status401':
        return res.status(401).json({ error: 'token_invalid' });
      case 'garbage':
        return res.status(200).type('text/plain').send('<html>maintenance</html>');
      case 'wrong-shape':
        return res.status(200).json({ active: 'yes', jti: 'x' });
      case 'no-id':
        return res.status(200).json({ active: true, tenant: 'acme', type: 'personal' });
      case 'redirect':
        return res.redirect(302, 'http://127.0.0.1:9/elsewhere');
      case 'hang':
        req.on('close', () => res.destroy());
        return undefined;
    }
  });
  app.use('/introspect', introspectionRouter(fixture.service));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(platform, {
    url: `http://127.0.0.1:${port}/introspect`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** A port nothing listens on. */
async function closedPortUrl(): Promise<string> {
  const server = express().listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/introspect`;
}

const LOCAL_SECRET = 'engine-local-verification-0123456789';
const SECOND = 1000;

describe('createRemoteVerifier', () => {
  let fixture: Fixture;
  let platform: Platform;
  let engineToken: string;
  let offset = 0;
  const clock = (): number => Date.now() + offset;

  const verifier = (options: Partial<RemoteVerifierOptions> = {}) =>
    createRemoteVerifier({
      url: platform.url,
      token: engineToken,
      cacheTtl: '30s',
      negativeCacheTtl: '10s',
      timeout: '500ms',
      localVerificationTokens: [LOCAL_SECRET],
      now: clock,
      ...options,
    });

  beforeAll(async () => {
    fixture = makeFixture();
    platform = await startPlatform(fixture);
    engineToken = (await issue(fixture.service, ALICE, { type: 'administrative', name: 'engine' })).token;
  });
  afterAll(() => platform.close());
  beforeEach(() => {
    platform.mode = 'normal';
    platform.requests = 0;
    offset = 0;
  });

  describe('verification', () => {
    it("returns a principal with the platform's grants, with working can/assert", async () => {
      const bob = await issue(fixture.service, BOB, { name: 'remote-bob' });
      const principal = await verifier().verify(bob.token);
      expect(principal).toMatchObject({
        tokenId: bob.id,
        type: 'personal',
        tenant: 'acme',
        owner: 'bob',
        name: 'remote-bob',
      });
      expect(principal.expiresAt).toBeInstanceOf(Date);
      expect(principal.can({ bucket: 'in.c-csv-import', access: 'read' })).toBe(true);
      expect(principal.can({ bucket: 'in.c-csv-import', access: 'write' })).toBe(false);
      expect(() => principal.assert({ bucket: 'in.c-csv-import', access: 'write' })).toThrow(
        expect.objectContaining({ code: 'insufficient_scope' }),
      );
      const carol = await verifier().verify((await issue(fixture.service, CAROL)).token);
      expect(carol.can({ component: 'keboola.ex-db-mysql', action: 'run' })).toBe(true);
      expect(carol.can({ component: 'keboola.ex-db-mysql', action: 'configure' })).toBe(false);
      expect(carol.can({ scope: 'checkup_report_create' })).toBe(true);
    });

    it("carries the token's meta from the platform's answer, and refuses a meta that is not an object", async () => {
      const withMeta = await issue(fixture.service, BOB, { name: 'remote-meta', meta: { app: 'billing', seats: 2 } });
      expect((await verifier().verify(withMeta.token)).meta).toEqual({ app: 'billing', seats: 2 });
      const without = await issue(fixture.service, BOB, { name: 'remote-no-meta' });
      expect((await verifier().verify(without.token)).meta).toBeNull();
    });

    it('refuses invalid, revoked and foreign-tenant tokens as token_invalid', async () => {
      const remote = verifier();
      const revoked = await issue(fixture.service, BOB);
      await fixture.service.revoke(revoked.id, BOB);
      const gina = await issue(fixture.service, GINA);
      for (const token of ['acme_p_garbage', revoked.token, gina.token, '', 'has space']) {
        await expect(remote.verify(token)).rejects.toMatchObject({ code: 'token_invalid' });
      }
    });

    it('checks the tenant asked for', async () => {
      const bob = await issue(fixture.service, BOB);
      await expect(verifier().verify(bob.token, { tenant: 'globex' })).rejects.toMatchObject({ code: 'token_invalid' });
      await expect(verifier().verify(bob.token, { tenant: 'acme' })).resolves.toMatchObject({ owner: 'bob' });
    });
  });

  describe('caching', () => {
    it('reuses a live answer for cacheTtl, then asks again', async () => {
      const remote = verifier();
      const bob = await issue(fixture.service, BOB);
      await remote.verify(bob.token);
      await remote.verify(bob.token);
      expect(platform.requests).toBe(1);
      offset += 31 * SECOND;
      await remote.verify(bob.token);
      expect(platform.requests).toBe(2);
      expect(remote.stats()).toMatchObject({ requests: 2, hits: 1, positiveEntries: 1 });
    });

    it('sees a revocation at the platform once the cached answer ends', async () => {
      const remote = verifier();
      const bob = await issue(fixture.service, BOB);
      await remote.verify(bob.token);
      await fixture.service.revoke(bob.id, BOB);
      // Within cacheTtl the cached answer stands: the documented revocation lag.
      await expect(remote.verify(bob.token)).resolves.toMatchObject({ owner: 'bob' });
      offset += 31 * SECOND;
      await expect(remote.verify(bob.token)).rejects.toMatchObject({ code: 'token_invalid' });
    });

    it('reuses a "not active" answer for negativeCacheTtl', async () => {
      const remote = verifier();
      const stranger = (await issue(makeFixture().service, BOB)).token;
      await expect(remote.verify(stranger)).rejects.toMatchObject({ code: 'token_invalid' });
      await expect(remote.verify(stranger)).rejects.toMatchObject({ code: 'token_invalid' });
      expect(platform.requests).toBe(1);
      offset += 11 * SECOND;
      await expect(remote.verify(stranger)).rejects.toMatchObject({ code: 'token_invalid' });
      expect(platform.requests).toBe(2);
    });

    it('keeps at most maxEntries live answers, forgetting the least recently used', async () => {
      const remote = verifier({ maxEntries: 3 });
      const tokens = await Promise.all([1, 2, 3, 4].map(() => issue(fixture.service, BOB).then((t) => t.token)));
      const [first, second, third, fourth] = tokens as [string, string, string, string];
      for (const token of [first, second, third]) await remote.verify(token);
      await remote.verify(first); // first is now the most recently used
      await remote.verify(fourth); // evicts second
      expect(remote.stats().positiveEntries).toBe(3);
      expect(platform.requests).toBe(4);
      await remote.verify(first);
      await remote.verify(third);
      expect(platform.requests).toBe(4);
      await remote.verify(second);
      expect(platform.requests).toBe(5);
    });

    it('bounds "not active" answers apart, so junk cannot evict live ones', async () => {
      const remote = verifier({ maxEntries: 2, maxNegativeEntries: 2 });
      const bob = await issue(fixture.service, BOB);
      await remote.verify(bob.token);
      const stranger = makeFixture().service;
      for (let i = 0; i < 5; i++) {
        await expect(remote.verify((await issue(stranger, BOB)).token)).rejects.toMatchObject({
          code: 'token_invalid',
        });
      }
      expect(remote.stats()).toMatchObject({ positiveEntries: 1, negativeEntries: 2 });
      const before = platform.requests;
      await remote.verify(bob.token);
      expect(platform.requests).toBe(before);
    });

    it("never keeps a live answer past the token's expiry", async () => {
      const remote = verifier({ cacheTtl: '1d' });
      const short = await issue(fixture.service, BOB, { ttl: '1h' });
      await remote.verify(short.token);
      offset += 59 * 60 * SECOND;
      await remote.verify(short.token);
      expect(platform.requests).toBe(1);
      offset += 2 * 60 * SECOND;
      await expect(remote.verify(short.token)).rejects.toMatchObject({ code: expect.stringMatching(/^token_/) });
      expect(platform.requests).toBe(2);
    });

    it('sends one request for concurrent checks of one token', async () => {
      const remote = verifier();
      const bob = await issue(fixture.service, BOB);
      const results = await Promise.all(Array.from({ length: 20 }, () => remote.verify(bob.token)));
      expect(results.every((principal) => principal.owner === 'bob')).toBe(true);
      expect(platform.requests).toBe(1);
    });

    it('with cacheTtl 0 asks every time', async () => {
      const remote = verifier({ cacheTtl: 0, negativeCacheTtl: 0 });
      const bob = await issue(fixture.service, BOB);
      await remote.verify(bob.token);
      await remote.verify(bob.token);
      expect(platform.requests).toBe(2);
      expect(remote.stats().positiveEntries).toBe(0);
    });
  });

  describe('fails closed', () => {
    it.each([
      ['a 500', 'status500'],
      ['a refusal of the engine credential (401)', 'status401'],
      ['an HTML page', 'garbage'],
      ['JSON of the wrong shape', 'wrong-shape'],
      ['an active answer without a token id', 'no-id'],
      ['a redirect', 'redirect'],
      ['no answer before the timeout', 'hang'],
    ] as const)('answers unavailable for %s, and caches nothing', async (_what, mode) => {
      const remote = verifier();
      const bob = await issue(fixture.service, BOB);
      platform.mode = mode;
      const started = Date.now();
      await expect(remote.verify(bob.token)).rejects.toMatchObject({ code: 'unavailable', status: 503 });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(remote.stats()).toMatchObject({ positiveEntries: 0, negativeEntries: 0 });
      platform.mode = 'normal';
      await expect(remote.verify(bob.token)).resolves.toMatchObject({ owner: 'bob' });
    });

    it('answers unavailable when the connection is refused', async () => {
      const remote = verifier({ url: await closedPortUrl() });
      const bob = await issue(fixture.service, BOB);
      await expect(remote.verify(bob.token)).rejects.toMatchObject({ code: 'unavailable' });
    });

    it('never carries the token in its errors', async () => {
      const remote = verifier({ url: await closedPortUrl() });
      const bob = await issue(fixture.service, BOB);
      const error = await remote.verify(bob.token).catch((e: unknown) => e as Error);
      expect(String(error)).not.toContain(bob.token);
      expect(JSON.stringify(error)).not.toContain(bob.token);
    });
  });

  describe('local verification tokens', () => {
    it('keep working with the platform unreachable', async () => {
      const remote = verifier({ url: await closedPortUrl() });
      const principal = await remote.verify(LOCAL_SECRET);
      expect(principal).toMatchObject({ type: 'verification', owner: null, grants: 'all', tenant: 'default' });
    });

    it("give the principal the service gives its own verification tokens (token id 'verification:<name>')", async () => {
      const remote = verifier({ localVerificationTokens: [{ secret: LOCAL_SECRET, tenant: 'acme', name: 'engine' }] });
      const service = createTokenService({
        repository: memoryRepository(),
        pepper: 'a-pepper-of-at-least-thirty-two-bytes!!',
        verificationTokens: [{ secret: LOCAL_SECRET, tenant: 'acme', name: 'engine' }],
      });
      const fields = (principal: Principal) => ({ ...principal });
      expect(fields(await remote.verify(LOCAL_SECRET))).toEqual(fields(await service.verify(LOCAL_SECRET)));
      expect((await remote.verify(LOCAL_SECRET)).tokenId).toBe('verification:engine');
    });

    it('keep working with personal tokens off, which refuses every other token without asking', async () => {
      const remote = verifier({ enablePersonalTokens: false });
      await expect(remote.verify(LOCAL_SECRET)).resolves.toMatchObject({ type: 'verification' });
      const bob = await issue(fixture.service, BOB);
      await expect(remote.verify(bob.token)).rejects.toMatchObject({ code: 'token_invalid' });
      expect(platform.requests).toBe(0);
    });

    it('match only exactly', async () => {
      const remote = verifier({ enablePersonalTokens: false });
      for (const near of [LOCAL_SECRET.slice(0, -1), `${LOCAL_SECRET}x`, LOCAL_SECRET.toUpperCase()]) {
        await expect(remote.verify(near)).rejects.toMatchObject({ code: 'token_invalid' });
      }
    });
  });

  // Bad options are refused at setup: test/http/configuration.test.ts.

  describe.each(FRAMEWORKS)('behind %s', (_name, start) => {
    it('guards routes with remote principals, and answers 503 while the platform is down', async () => {
      const remote = verifier({ cacheTtl: 0, negativeCacheTtl: 0 });
      const server = await start({ service: fixture.service, verifier: remote });
      try {
        const bob = await issue(fixture.service, BOB);
        expect((await call(server.url, '/api/me', { headers: bearer(bob.token) })).body).toMatchObject({
          owner: 'bob',
        });
        const write = await call(server.url, '/api/buckets/in.c-csv-import', {
          method: 'POST',
          headers: bearer(bob.token),
        });
        expect(write.status).toBe(403);
        expect(write.headers.get('www-authenticate')).toContain('scope="bucket:in.c-csv-import:write"');
        platform.mode = 'status500';
        const down = await call(server.url, '/api/me', { headers: bearer(bob.token) });
        expect(down.status).toBe(503);
        const local = await call(server.url, '/api/me', { headers: { 'verification-token': LOCAL_SECRET } });
        expect(local.status).toBe(200);
        expect(local.body.type).toBe('verification');
      } finally {
        await server.close();
      }
    });
  });
});
