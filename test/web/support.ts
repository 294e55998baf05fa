/**
 * The tokens page on a real socket, with a service on the memory store and
 * JWT sessions, and a small client that speaks to it as a browser would
 * (Host, Origin, the session cookie).
 */
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import {
  createTokenService,
  memoryRepository,
  staticDirectory,
  type TokenService,
  type TokenServiceOptions,
} from '../../src/index.js';
import { createKeySet, generateSigningKey, jwtSessionCodec } from '../../src/jwt/index.js';
import { type TokenPageOptions, tokenPage } from '../../src/web/index.js';

export const TENANT = 'acme';
export const PEPPER = 'web-test-pepper-0123456789abcdefghijklmnopqrstuvwxyz';

export const USERS = {
  acme: {
    root: { admin: true },
    alice: { grants: [{ bucket: 'in.c-csv-import', access: 'write' as const }] },
    analyst: { roles: ['service_accounts'], grants: [{ scope: 'reports' }] },
  },
  globex: { gina: { admin: true } },
};

/** A token service with sessions, as the page's token sign-in needs. */
export async function pageService(overrides: Partial<TokenServiceOptions> = {}): Promise<TokenService> {
  const keys = await createKeySet({ signing: await generateSigningKey('HS256') });
  return createTokenService({
    repository: memoryRepository(),
    pepper: PEPPER,
    directory: staticDirectory(USERS),
    defaultTenant: TENANT,
    sessions: {
      codec: jwtSessionCodec({
        keys,
        issuer: 'test',
        audience: 'page',
        ...(overrides.now === undefined ? {} : { now: overrides.now }),
      }),
      defaultTtl: '15m',
    },
    ...overrides,
  });
}

/** One answer, read in full. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read a few members of each answer
  readonly body: any;
  readonly text: string;
}

export interface PageServer {
  readonly service: TokenService;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** Where the page is mounted (`''` for `/`). */
  readonly mount: string;
  /** A request to the page (paths below the mount point), as a browser on the page's origin sends it. */
  request(method: string, path: string, init?: RequestOptions): Promise<Answer>;
  close(): Promise<void>;
}

export interface RequestOptions {
  readonly cookie?: string;
  readonly body?: unknown;
  /** Raw body with its own content type. */
  readonly raw?: { readonly type: string; readonly text: string };
  /** Defaults to the page's own origin on state-changing requests; `null` sends none. */
  readonly origin?: string | null;
  readonly headers?: Record<string, string>;
}

/** Starts an Express app with the page mounted at `mount` on 127.0.0.1. */
export async function startPage(
  options: TokenPageOptions,
  settings: { service?: TokenService; mount?: string } = {},
): Promise<PageServer> {
  const service = settings.service ?? (await pageService());
  const mount = settings.mount ?? '';
  const app = express();
  app.use(mount === '' ? '/' : mount, tokenPage(service, options));
  const server: Server = await new Promise((ready) => {
    const listening = app.listen(0, '127.0.0.1', () => ready(listening));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    service,
    base,
    mount,
    async request(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (init.cookie !== undefined) headers.cookie = init.cookie;
      const origin = init.origin === undefined ? (method === 'GET' ? undefined : base) : init.origin;
      if (origin !== null && origin !== undefined) headers.origin = origin;
      let body: string | undefined;
      if (init.raw !== undefined) {
        headers['content-type'] = init.raw.type;
        body = init.raw.text;
      } else if (init.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(init.body);
      }
      const response = await fetch(`${base}${mount}${path}`, {
        method,
        headers,
        redirect: 'manual',
        ...(body === undefined ? {} : { body }),
      });
      const text = await response.text();
      let parsed: unknown = null;
      try {
        parsed = text === '' ? null : JSON.parse(text);
      } catch {
        parsed = null;
      }
      return { status: response.status, headers: response.headers, body: parsed, text };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** The `name=value` of the session cookie an answer sets. */
export function sessionCookieOf(answer: Answer, name = 'tw_page'): string {
  const header = answer.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));
  if (header === undefined) throw new Error(`no ${name} cookie in the answer`);
  return header.split(';')[0]!;
}

/** Signs in as a demo user and returns the cookie. */
export async function demoSignIn(page: PageServer, user: string): Promise<string> {
  const answer = await page.request('POST', '/page/session/demo', { body: { user } });
  if (answer.status !== 200) throw new Error(`demo sign-in answered ${answer.status}: ${answer.text}`);
  return sessionCookieOf(answer);
}

/** Signs in with a token and returns the cookie. */
export async function tokenSignIn(page: PageServer, token: string): Promise<string> {
  const answer = await page.request('POST', '/page/session/token', { body: { token } });
  if (answer.status !== 200) throw new Error(`token sign-in answered ${answer.status}: ${answer.text}`);
  return sessionCookieOf(answer);
}

/**
 * A request with any `Host` header (fetch always sends the URL's own), as a
 * page on another site sends it after pointing its name at 127.0.0.1.
 */
export function requestWithHost(
  page: PageServer,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  const url = new URL(`${page.base}${page.mount}${path}`);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
