/**
 * The server side of bench/http.bench.ts, in a process of its own so that
 * its CPU time is the server's alone (autocannon, the client, runs in the
 * parent). `node --import tsx bench/http-server.ts express|fastify` serves
 * each route below from an app of its own on its own loopback port, so
 * every route is the first (and only) one its router tries: on Express a
 * route declared later pays one failed path match per route declared
 * before it, which would charge the guarded routes for the benchmark's
 * layout.
 *
 * - `/open`: the route with no tokenward at all (the baseline);
 * - `/open-again`: the same route again, measured like a candidate: its
 *   ratio to `/open` is the method's own noise;
 * - `/guarded`: the one-layer guarded route (Express
 *   `tokenAuth(service, { need })`, Fastify's plugin with the route's
 *   `config.tokenward.need`), with `service.verify` on a memory repository
 *   (opaque token, default hasher);
 * - `/guarded-two`: the two-layer form (`tokenAuth` / the plugin, then
 *   `requireGrant`), with `service.verify`;
 * - `/by-hand`: the least an app writing its own guard would do: the
 *   `Authorization: Bearer` header read, `service.verify`, `can(need)`,
 *   the principal put on the request, 401/403 otherwise (an Express
 *   middleware, a Fastify `onRequest` callback hook);
 * - `/layer`, `/layer-two`: the two tokenward forms with a verifier that
 *   returns a ready principal: extraction, the RFC 6750 checks, principal
 *   attachment, the guard and the framework plumbing, without
 *   `service.verify`;
 * - `/layer-now` (profiled only): the one-layer form with a verifier that
 *   answers as a token service does when its verification needs no wait
 *   (src/core/immediate-verify.ts): the ready principal without a promise,
 *   so the layer settles the request in its own call, as `/guarded` does;
 * - `/attach` (Express only): a bare middleware of the benchmark that only
 *   reads the two request fields extraction needs and puts a principal on
 *   `req.tokenPrincipal`, the floor any Express authentication pays.
 *
 * It tells the parent `{ kind: 'ready', urls, token }` over IPC, answers
 * the message `'cpu'` with its `process.cpuUsage()`, and exits on `'stop'`
 * (which also writes its CPU profile when started with `--cpu-prof`).
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { attachImmediateVerify } from '../src/core/immediate-verify.js';
import { requireGrant as expressGuard, tokenAuth } from '../src/express/index.js';
import { requireGrant as fastifyGuard, tokenward } from '../src/fastify/index.js';
import type { TokenVerifier } from '../src/http/authenticate.js';
import { createTokenService, type Principal, staticDirectory } from '../src/index.js';
import { memoryRepository } from '../src/stores/memory/index.js';

const NEED = { bucket: 'in.c-csv-import', access: 'read' } as const;
const BODY = { rows: [{ id: 1, city: 'Prague' }] };

/** What the parent hears from this process. */
export type ServerMessage =
  | { readonly kind: 'ready'; readonly urls: Readonly<Record<string, string>>; readonly token: string }
  | { readonly kind: 'cpu'; readonly usage: NodeJS.CpuUsage };

interface Served {
  readonly urls: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

type Start = (
  service: TokenVerifier,
  ready: TokenVerifier,
  principal: Principal,
  readyNow: TokenVerifier,
) => Promise<Served>;

/** The token of an `Authorization: Bearer` header, as a hand-written guard reads it; null without one. */
function bearerToken(header: string | undefined): string | null {
  return header?.startsWith('Bearer ') ? header.slice(7) : null;
}

/**
 * What a bare Express authentication middleware cannot avoid: the two
 * request fields extraction reads, one property put on the request, next().
 * (A named function, so the profile can tell it apart.)
 */
function attachOnly(principal: Principal): express.RequestHandler {
  return function attachOnlyMiddleware(req, _res, next) {
    if (req.rawHeaders.length === 0 || req.originalUrl === '') throw new Error('unexpected request');
    req.tokenPrincipal = principal;
    next();
  };
}

/** A hand-written Express guard: header, `verify`, `can`, the principal on the request. */
function expressByHand(service: TokenVerifier): express.RequestHandler {
  return (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (token === null) {
      res.status(401).end();
      return;
    }
    service.verify(token).then(
      (principal) => {
        if (!principal.can(NEED)) {
          res.status(403).end();
          return;
        }
        req.tokenPrincipal = principal;
        next();
      },
      () => res.status(401).end(),
    );
  };
}

/** Listens on a free loopback port; the route's URL. */
async function listenExpress(app: express.Express, path: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const expressApp: Start = async (service, ready, principal, readyNow) => {
  const answer: express.RequestHandler = (_req, res) => {
    res.json(BODY);
  };
  const routes: Readonly<Record<string, readonly express.RequestHandler[]>> = {
    open: [],
    'open-again': [],
    guarded: [tokenAuth(service, { need: NEED })],
    'guarded-two': [tokenAuth(service), expressGuard(NEED)],
    'by-hand': [expressByHand(service)],
    layer: [tokenAuth(ready, { need: NEED })],
    'layer-now': [tokenAuth(readyNow, { need: NEED })],
    'layer-two': [tokenAuth(ready), expressGuard(NEED)],
    attach: [attachOnly(principal)],
  };
  const served = await Promise.all(
    Object.entries(routes).map(async ([route, handlers]) => {
      const app = express();
      app.get(`/${route}`, ...handlers, answer);
      return [route, await listenExpress(app, `/${route}`)] as const;
    }),
  );
  return {
    urls: Object.fromEntries(served.map(([route, { url }]) => [route, url])),
    close: async () => {
      await Promise.all(served.map(([, server]) => server.close()));
    },
  };
};

/** A hand-written Fastify guard: an `onRequest` callback hook with header, `verify`, `can`. */
function fastifyByHand(app: FastifyInstance, service: TokenVerifier): void {
  app.decorateRequest('tokenPrincipal', null);
  app.addHook('onRequest', (request, reply, done) => {
    const token = bearerToken(request.headers.authorization);
    if (token === null) {
      reply.code(401).send();
      return;
    }
    service.verify(token).then(
      (principal) => {
        if (!principal.can(NEED)) {
          reply.code(403).send();
          return;
        }
        request.tokenPrincipal = principal;
        done();
      },
      () => reply.code(401).send(),
    );
  });
}

const fastifyApp: Start = async (service, ready, _principal, readyNow) => {
  const answer = async (): Promise<typeof BODY> => BODY;
  type Setup = (app: FastifyInstance, path: string) => Promise<void>;
  const open: Setup = async (app, path) => {
    app.get(path, answer);
  };
  const oneLayer =
    (verifier: TokenVerifier): Setup =>
    async (app, path) => {
      await app.register(tokenward, { verifier });
      app.get(path, { config: { tokenward: { need: NEED } } }, answer);
    };
  const twoLayers =
    (verifier: TokenVerifier): Setup =>
    async (app, path) => {
      await app.register(tokenward, { verifier });
      app.get(path, { preHandler: fastifyGuard(NEED) }, answer);
    };
  const setups: Readonly<Record<string, Setup>> = {
    open,
    'open-again': open,
    guarded: oneLayer(service),
    'guarded-two': twoLayers(service),
    'by-hand': async (app, path) => {
      fastifyByHand(app, service);
      app.get(path, answer);
    },
    layer: oneLayer(ready),
    'layer-now': oneLayer(readyNow),
    'layer-two': twoLayers(ready),
  };
  const served = await Promise.all(
    Object.entries(setups).map(async ([route, setup]) => {
      const app = Fastify();
      await setup(app, `/${route}`);
      await app.listen({ port: 0, host: '127.0.0.1' });
      return [route, app] as const;
    }),
  );
  return {
    urls: Object.fromEntries(
      served.map(([route, app]) => [route, `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/${route}`]),
    ),
    close: async () => {
      await Promise.all(served.map(([, app]) => app.close()));
    },
  };
};

const APPS: Readonly<Record<string, Start>> = { express: expressApp, fastify: fastifyApp };

async function main(): Promise<void> {
  const start = APPS[process.argv[2] ?? ''];
  if (start === undefined || process.send === undefined) {
    throw new Error('usage: a child of bench/http.bench.ts, with the argument express or fastify');
  }
  const service = createTokenService({
    repository: memoryRepository(),
    pepper: 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz',
    prefix: 'acme',
    directory: staticDirectory({ acme: { bob: { grants: [NEED] } } }),
  });
  const { token } = await service.issue({ tenant: 'acme', owner: 'bob' }, 'system');
  const principal = await service.verify(token);
  const ready: TokenVerifier = { verify: () => Promise.resolve(principal) };
  // Answers as the service's synchronous form does for the memory store: the principal itself.
  const readyNow: TokenVerifier = { verify: ready.verify };
  attachImmediateVerify(readyNow, { verify: ready.verify, now: () => principal });
  const served = await start(service, ready, principal, readyNow);
  const send = (message: ServerMessage): void => {
    process.send?.(message);
  };
  process.on('message', (message) => {
    if (message === 'cpu') send({ kind: 'cpu', usage: process.cpuUsage() });
    else if (message === 'stop') void served.close().then(() => process.exit(0));
  });
  // The parent going away ends this process too.
  process.on('disconnect', () => process.exit(0));
  send({ kind: 'ready', urls: served.urls, token });
}

await main();
