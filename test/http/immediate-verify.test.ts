/**
 * The adapters' synchronous verification (issue 12,
 * src/core/immediate-verify.ts), over real sockets on Express and Fastify:
 *
 * - a token service whose verification answers directly (the memory store)
 *   lets the request go on in the middleware's or hook's own call: the
 *   route runs before a microtask queued just in front of the guard;
 * - a service that waits (a store answering through promises) still
 *   settles the request, after that microtask;
 * - a service the application wrapped or changed (spread with its own
 *   `verify`, a prototype copy, `verify` replaced after the guard was made)
 *   is always asked through its own `verify`: the synchronous form never
 *   bypasses it, so a wrapper's refusal stands;
 * - a refusal answered directly calls `onVerificationFailed` once;
 * - a traced service has no synchronous form: each request makes its span.
 */
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { IMMEDIATE_VERIFY, immediateVerifyOf } from '../../src/core/immediate-verify.js';
import type { TokenRepository } from '../../src/core/repository.js';
import type { TokenTracer } from '../../src/core/tracing.js';
import { tokenAuth } from '../../src/express/index.js';
import { tokenward } from '../../src/fastify/index.js';
import type { TokenVerifier } from '../../src/http/authenticate.js';
import { createTokenService, staticDirectory } from '../../src/index.js';
import type { TokenService } from '../../src/service/token-service.js';
import type { TokenServiceOptions } from '../../src/service/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { listen, type RunningServer } from './support/app-parts.js';
import { bearer, call } from './support/http.js';

const NEED = { bucket: 'in.c-main', access: 'read' } as const;
const PEPPER = 'immediate-verify-pepper-0123456789abcdefghijklmnop';

function makeService(overrides: Partial<TokenServiceOptions> = {}): TokenService {
  return createTokenService({
    repository: memoryRepository(),
    pepper: PEPPER,
    prefix: 'acme',
    directory: staticDirectory({ acme: { bob: { grants: [NEED] } } }),
    ...overrides,
  });
}

/** The same store answering only through promises: no `findByIdSync`. */
function promisedOnly(repository: TokenRepository): TokenRepository {
  const { findByIdSync: _sync, ...rest } = repository;
  return rest;
}

const running: RunningServer[] = [];
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** A marker a microtask queued in front of the guard sets: the route reports whether it ran before it. */
const QUEUED = Symbol('queued');
type Marked = { [QUEUED]?: { done: boolean } };

async function expressServer(verifier: TokenVerifier): Promise<string> {
  const app = express();
  app.get(
    '/r',
    (req, _res, next) => {
      const mark = { done: false };
      (req as Marked)[QUEUED] = mark;
      queueMicrotask(() => {
        mark.done = true;
      });
      next();
    },
    tokenAuth(verifier, { need: NEED }),
    (req, res) => {
      res.json({ owner: req.tokenPrincipal?.owner, settled: (req as Marked)[QUEUED]!.done ? 'later' : 'in the call' });
    },
  );
  const server = await listen(app.listen(0, '127.0.0.1'));
  running.push(server);
  return server.url;
}

async function fastifyServer(verifier: TokenVerifier): Promise<string> {
  const app = Fastify();
  apps.push(app);
  // Registered before the plugin's hook, so it runs first.
  app.addHook('onRequest', (request, _reply, done) => {
    const mark = { done: false };
    (request as Marked)[QUEUED] = mark;
    queueMicrotask(() => {
      mark.done = true;
    });
    done();
  });
  await app.register(tokenward, { verifier });
  app.get('/r', { config: { tokenward: { need: NEED } } }, async (request) => ({
    owner: request.tokenPrincipal?.owner,
    settled: (request as Marked)[QUEUED]!.done ? 'later' : 'in the call',
  }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}

const SERVERS = { express: expressServer, fastify: fastifyServer } as const;

describe.each(Object.entries(SERVERS))('%s: the synchronous verification', (_name, serve) => {
  it('settles a request in the guard’s own call when the memory store answers directly', async () => {
    const service = makeService();
    const { token } = await service.issue({ tenant: 'acme', owner: 'bob' }, 'system');
    const url = await serve(service);
    const reply = await call(url, '/r', { headers: bearer(token) });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ owner: 'bob', settled: 'in the call' });
  });

  it('still settles a request whose verification waits (a store answering through promises)', async () => {
    const repository = memoryRepository();
    const service = makeService({ repository: promisedOnly(repository) });
    const { token } = await service.issue({ tenant: 'acme', owner: 'bob' }, 'system');
    const url = await serve(service);
    const reply = await call(url, '/r', { headers: bearer(token) });
    expect(reply.body).toEqual({ owner: 'bob', settled: 'later' });
    expect((await call(url, '/r', { headers: bearer(`${token}x`) })).status).toBe(401);
  });

  it('asks a wrapped or changed service through its own verify, whose refusal stands', async () => {
    const service = makeService();
    const { token } = await service.issue({ tenant: 'acme', owner: 'bob' }, 'system');
    const asked: string[] = [];
    const refusing = (label: string) => (): Promise<never> => {
      asked.push(label);
      return Promise.reject(new TokenError('token_revoked', 'blocked by the application'));
    };
    // Spread: the entry is not enumerable, so it is not copied; even if it were, it names another verify.
    const spread = { ...service, verify: refusing('spread') };
    const derived = Object.assign(Object.create(service) as TokenService, { verify: refusing('derived') });
    const replaced = makeService({ repository: memoryRepository() });
    const replacedToken = (await replaced.issue({ tenant: 'acme', owner: 'bob' }, 'system')).token;
    const urls = {
      spread: await serve(spread),
      derived: await serve(derived),
      replaced: await serve(replaced),
    };
    // Replaced after the guard was made: the guard must notice on the next request.
    replaced.verify = refusing('replaced');
    for (const [label, url] of Object.entries(urls)) {
      const reply = await call(url, '/r', { headers: bearer(label === 'replaced' ? replacedToken : token) });
      expect(reply.status, label).toBe(401);
      expect(reply.headers.get('www-authenticate'), label).toContain('invalid_token');
    }
    expect(asked).toEqual(['spread', 'derived', 'replaced']);
    expect(Object.keys(spread)).not.toContain(IMMEDIATE_VERIFY.toString());
    expect(Object.getOwnPropertySymbols(spread)).not.toContain(IMMEDIATE_VERIFY);
  });

  // Outside review, issue 12: a Proxy that will not be asked for the entry, or answers a wrapped one.
  it('serves through a strict or an instrumenting Proxy around the service, the promise way', async () => {
    const service = makeService();
    const { token } = await service.issue({ tenant: 'acme', owner: 'bob' }, 'system');
    // A verifier of the application's own, which throws on any property it does not have.
    const strict = new Proxy(
      { verify: service.verify },
      {
        get(target, key, receiver) {
          if (!(key in target)) throw new Error(`no such property ${String(key)}`);
          return Reflect.get(target, key, receiver);
        },
      },
    );
    const wrapped = new WeakMap<object, object>();
    const instrumenting = (value: object): object =>
      new Proxy(value, {
        get(target, key, receiver) {
          const found = Reflect.get(target, key, receiver);
          if (typeof found === 'function') return (...args: unknown[]) => Reflect.apply(found, target, args);
          if (typeof found !== 'object' || found === null) return found;
          if (!wrapped.has(found)) wrapped.set(found, instrumenting(found));
          return wrapped.get(found);
        },
      });
    for (const verifier of [strict, instrumenting(service) as TokenService]) {
      const url = await serve(verifier);
      const good = await call(url, '/r', { headers: bearer(token) });
      expect(good.status).toBe(200);
      expect(good.body).toEqual({ owner: 'bob', settled: 'later' });
      expect((await call(url, '/r', { headers: bearer(`${token}x`) })).status).toBe(401);
    }
  });

  it('answers a refusal made directly once, calling onVerificationFailed once', async () => {
    const failures: string[] = [];
    const service = makeService({ hooks: { onVerificationFailed: (event) => void failures.push(event.code) } });
    const { token } = await service.issue({ tenant: 'acme', owner: 'bob' }, 'system');
    await service.revoke((await service.verify(token)).tokenId, 'system');
    const url = await serve(service);
    const revoked = await call(url, '/r', { headers: bearer(token) });
    const garbage = await call(url, '/r', { headers: bearer('acme_p_garbage') });
    expect([revoked.status, garbage.status]).toEqual([401, 401]);
    expect(failures).toEqual(['token_revoked', 'token_invalid']);
  });

  it('gives a traced service no synchronous form: every request makes its verify span', async () => {
    const spans: string[] = [];
    const tracer: TokenTracer = {
      trace: (name, work) => {
        spans.push(name);
        return work({ setAttribute: () => undefined, fail: () => undefined });
      },
    };
    const service = makeService({ tracer });
    const { token } = await service.issue({ tenant: 'acme', owner: 'bob' }, 'system');
    expect(Object.getOwnPropertySymbols(service)).not.toContain(IMMEDIATE_VERIFY);
    spans.length = 0;
    const url = await serve(service);
    const replies = [
      await call(url, '/r', { headers: bearer(token) }),
      await call(url, '/r', { headers: bearer(token) }),
    ];
    expect(replies.map((reply) => reply.body)).toEqual([
      { owner: 'bob', settled: 'later' },
      { owner: 'bob', settled: 'later' },
    ]);
    expect(spans.filter((name) => name.includes('verify'))).toHaveLength(2);
  });
});

describe('the synchronous form itself', () => {
  it('is under the registered symbol every copy of tokenward shares, and absent from other verifiers', () => {
    expect(IMMEDIATE_VERIFY).toBe(Symbol.for('tokenward.immediateVerify'));
    const service = makeService();
    expect(immediateVerifyOf({ verify: service.verify })).toBeUndefined();
    expect(immediateVerifyOf(service)).toBeTypeOf('function');
  });

  it('is on an untraced service only, not enumerable, not writable, and names the service’s verify', () => {
    const service = makeService();
    const descriptor = Object.getOwnPropertyDescriptor(service, IMMEDIATE_VERIFY);
    expect(descriptor).toMatchObject({ enumerable: false, writable: false, configurable: true });
    expect(descriptor?.value.verify).toBe(service.verify);
    expect(Object.isFrozen(descriptor?.value)).toBe(true);
  });
});
