/**
 * The remote verifier and redirects, over real sockets: a platform that
 * answers every 3xx, pointing at a second real platform that would say
 * "active". Following the redirect would let whoever controls the first
 * answer pick the second, so every redirect must fail closed, and the
 * verifier must still work on runtimes that refuse `redirect: 'error'`
 * (Cloudflare's workerd only knows 'follow' and 'manual').
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspectionRouter } from '../../src/express/index.js';
import { createRemoteVerifier } from '../../src/http/remote-verifier.js';
import { ALICE, BOB, type Fixture, issue, makeFixture } from './support/fixture.js';

interface Server {
  readonly url: string;
  requests: number;
  close(): Promise<void>;
}

async function listen(app: express.Express, path: string): Promise<Server> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The real platform: RFC 7662 introspection of the fixture's tokens, counting requests. */
async function startPlatform(fixture: Fixture): Promise<Server> {
  const app = express();
  let server: Server | undefined;
  app.use('/introspect', (_req, _res, next) => {
    if (server) server.requests++;
    next();
  });
  app.use('/introspect', introspectionRouter(fixture.service));
  server = await listen(app, '/introspect');
  return server;
}

/** A front that answers `?status=3xx` with a redirect to `target`, keeping the method for 307/308. */
async function startRedirector(target: string): Promise<Server & { status: number }> {
  const app = express();
  const state = { status: 302 };
  let server: Server | undefined;
  app.use('/introspect', (_req, res) => {
    if (server) server.requests++;
    res.redirect(state.status, target);
  });
  server = await listen(app, '/introspect');
  return Object.assign(server, state);
}

/**
 * `fetch` as workerd implements it: `redirect: 'error'` is refused with a
 * TypeError before any request is sent; otherwise the real fetch runs.
 */
const workerdFetch: typeof fetch = (input, init) => {
  if (init?.redirect === 'error') {
    return Promise.reject(new TypeError('Invalid redirect value, must be one of "follow" or "manual".'));
  }
  return fetch(input, init);
};

/**
 * `fetch` as browsers implement `redirect: 'manual'`: the 3xx answer comes
 * back as an opaque-redirect response, status 0 and no headers.
 */
const browserFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (init?.redirect !== 'manual' || response.status < 300 || response.status > 399) return response;
  await response.body?.cancel();
  const opaque = new Response(null, { status: 200 });
  Object.defineProperties(opaque, { type: { value: 'opaqueredirect' }, status: { value: 0 } });
  return opaque;
};

describe('createRemoteVerifier and redirects', () => {
  let fixture: Fixture;
  let platform: Server;
  let redirector: Server & { status: number };
  let engineToken: string;

  const verifier = (url: string, fetchImpl?: typeof fetch) =>
    createRemoteVerifier({
      url,
      token: engineToken,
      cacheTtl: 0,
      negativeCacheTtl: 0,
      timeout: '2s',
      ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }),
    });

  beforeAll(async () => {
    fixture = makeFixture();
    platform = await startPlatform(fixture);
    redirector = await startRedirector(platform.url);
    engineToken = (await issue(fixture.service, ALICE, { type: 'administrative', name: 'engine' })).token;
  });
  afterAll(async () => {
    await redirector.close();
    await platform.close();
  });

  it('verifies through a fetch that refuses redirect: "error" (workerd)', async () => {
    const bob = await issue(fixture.service, BOB);
    await expect(verifier(platform.url, workerdFetch).verify(bob.token)).resolves.toMatchObject({ owner: 'bob' });
  });

  it.each([301, 302, 303, 307, 308])('answers unavailable for a %d and never asks where it points', async (status) => {
    const bob = await issue(fixture.service, BOB);
    redirector.status = status;
    const before = platform.requests;
    for (const fetchImpl of [undefined, workerdFetch]) {
      const remote = verifier(redirector.url, fetchImpl);
      await expect(remote.verify(bob.token)).rejects.toMatchObject({ code: 'unavailable', status: 503 });
      expect(remote.stats()).toMatchObject({ positiveEntries: 0, negativeEntries: 0 });
    }
    expect(platform.requests).toBe(before);
  });

  it('answers unavailable for an opaque-redirect response (browsers)', async () => {
    const bob = await issue(fixture.service, BOB);
    redirector.status = 302;
    const before = platform.requests;
    await expect(verifier(redirector.url, browserFetch).verify(bob.token)).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/redirect/),
    });
    expect(platform.requests).toBe(before);
  });

  it('says why without naming the token or the target', async () => {
    const bob = await issue(fixture.service, BOB);
    redirector.status = 307;
    const error = (await verifier(redirector.url)
      .verify(bob.token)
      .catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/redirect/);
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(bob.token);
    expect(error.message).not.toContain(platform.url);
  });
});
