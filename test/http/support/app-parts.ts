/**
 * What the test apps of every framework share: the introspection options,
 * the management actor, and how a route describes its principal.
 */
import { createAdaptorServer } from '@hono/node-server';
import type { Logger } from '../../../src/core/logger.js';
import type { Principal } from '../../../src/core/principal-types.js';
import type { TokenVerifier } from '../../../src/http/authenticate.js';
import type { IntrospectionOptions } from '../../../src/http/introspection.js';
import type { TokenService } from '../../../src/service/token-service.js';
import type { Actor } from '../../../src/service/types.js';
import { AS_ISSUER, ISSUER_TEMPLATE, TEST_CLIENTS } from './clients.js';
import { REALM } from './fixture.js';

/** The introspection endpoint's options in every app: bearer tokens, and the registered clients. */
export const INTROSPECTION = {
  realm: REALM,
  clients: TEST_CLIENTS,
  assertionAudience: AS_ISSUER,
  issuer: ISSUER_TEMPLATE,
} as const;

/** A server listening on 127.0.0.1. */
export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

/** What the test app is built on. */
export interface AppSetup {
  readonly service: TokenService;
  /** Verifier for the guarded routes (default: the service). */
  readonly verifier?: TokenVerifier;
  /** Called when recording a use fails. */
  readonly onRecordError?: (error: unknown) => void;
  /** Where the default `onRecordError` warns. */
  readonly logger?: Logger;
  /** Options of `/oauth/introspect` in place of the default ones (bearer tokens and `TEST_CLIENTS`). */
  readonly introspection?: IntrospectionOptions;
}

/**
 * The authentication options every framework's `/api` routes share: the
 * realm, the `Verification-Token` header and `auth_token` cookie, use
 * recording when the verifier records, and the setup's error hooks.
 */
export function apiAuthOptions(setup: AppSetup) {
  const verifier = setup.verifier ?? setup.service;
  return {
    realm: REALM,
    header: 'Verification-Token',
    cookie: 'auth_token',
    record: verifier.record !== undefined,
    ...(setup.onRecordError === undefined ? {} : { onRecordError: setup.onRecordError }),
    ...(setup.logger === undefined ? {} : { logger: setup.logger }),
  };
}

/** Builds the test app in one framework and starts it on an ephemeral port. */
export type StartServer = (setup: AppSetup) => Promise<RunningServer>;

export function describePrincipal(principal: Principal | null | undefined): unknown {
  if (principal === null || principal === undefined) return { principal: null };
  return { tokenId: principal.tokenId, type: principal.type, owner: principal.owner, tenant: principal.tenant };
}

/** The user of the `test_session` cookie: a browser session, which a cross-site request also carries. */
export function sessionUser(cookie: string | undefined): string | undefined {
  return /(?:^|;\s*)test_session=([a-z]+)/.exec(cookie ?? '')?.[1];
}

/**
 * Management calls act as `X-Test-User` (an app's own header session), the
 * `test_session` cookie, or the verified token.
 */
export function testActor(
  user: string | undefined,
  cookie: string | undefined,
  principal: Principal | null | undefined,
): Actor | null {
  const name = user ?? sessionUser(cookie);
  if (name !== undefined) return { tenant: 'acme', user: name };
  return principal === null || principal === undefined ? null : { principal };
}

/** A tenant resolver that fails, as an app's lookup might. */
export function brokenTenant(): string {
  throw new Error('tenant lookup failed');
}

export const BUCKET = 'in.c-csv-import';
export const COMPONENT = 'keboola.ex-db-mysql';

/** Listens on an ephemeral port of 127.0.0.1 with a Node server, and closes it with its connections. */
export async function listen(server: import('node:http').Server): Promise<RunningServer> {
  await new Promise<void>((resolve, reject) => {
    if (server.listening) resolve();
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves a fetch handler with Node's http through @hono/node-server, keeping Node's own Request and Response. */
export function serveFetch(fetch: (request: Request) => Promise<Response>): Promise<RunningServer> {
  const server = createAdaptorServer({ fetch, overrideGlobalObjects: false });
  server.listen(0, '127.0.0.1');
  return listen(server as import('node:http').Server);
}
