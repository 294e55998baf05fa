/**
 * Interop with real OAuth clients, over real sockets, on both frameworks:
 * oauth4webapi and openid-client call the RFC 7662 introspection endpoint
 * and the RFC 7009 revocation endpoint as a resource server would, with
 * every client authentication method they offer that a confidential
 * client can use here, and with the caller's own bearer token.
 */
import * as oauth from 'oauth4webapi';
import * as openid from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_ISSUER, CLIENT_KEYS, CLIENT_SECRET } from './support/clients.js';
import { ALICE, BOB, CAROL, type Fixture, GINA, issue, makeFixture } from './support/fixture.js';
import { bearer, call } from './support/http.js';
import { FRAMEWORKS, type RunningServer } from './support/servers.js';

/** One way to authenticate: the client id and both libraries' authentication objects. */
interface Method {
  readonly name: string;
  readonly clientId: string;
  readonly oauth4webapi: () => oauth.ClientAuth;
  readonly openidClient: () => openid.ClientAuth;
  /** Headers added to every request (the bearer caller's token). */
  readonly headers?: () => Record<string, string>;
}

let adminToken = '';

const METHODS: readonly Method[] = [
  {
    name: 'client_secret_basic',
    clientId: 'resource-server',
    oauth4webapi: () => oauth.ClientSecretBasic(CLIENT_SECRET),
    openidClient: () => openid.ClientSecretBasic(CLIENT_SECRET),
  },
  {
    name: 'client_secret_post',
    clientId: 'resource-server',
    oauth4webapi: () => oauth.ClientSecretPost(CLIENT_SECRET),
    openidClient: () => openid.ClientSecretPost(CLIENT_SECRET),
  },
  {
    name: 'client_secret_jwt',
    clientId: 'resource-server',
    oauth4webapi: () => oauth.ClientSecretJwt(CLIENT_SECRET),
    openidClient: () => openid.ClientSecretJwt(CLIENT_SECRET),
  },
  {
    name: 'private_key_jwt',
    clientId: 'keyed-client',
    oauth4webapi: () => oauth.PrivateKeyJwt(CLIENT_KEYS.privateKey),
    openidClient: () => openid.PrivateKeyJwt(CLIENT_KEYS.privateKey),
  },
  {
    name: 'a bearer token (RFC 7662 §2.1), client_id sent as a public client',
    clientId: 'platform-admin',
    oauth4webapi: () => oauth.None(),
    openidClient: () => openid.None(),
    headers: () => bearer(adminToken),
  },
];

/** A client library driven the way a resource server drives it. */
interface Library {
  introspect(token: string): Promise<Record<string, unknown>>;
  revoke(token: string): Promise<void>;
}

/** A fetch that adds headers, in the shape both libraries' `customFetch` hook calls. */
function withHeaders(extra: Record<string, string>) {
  return (url: string, options: openid.CustomFetchOptions): Promise<Response> =>
    fetch(url, {
      method: options.method,
      headers: { ...options.headers, ...extra },
      redirect: options.redirect,
      ...(options.body === undefined ? {} : { body: options.body as BodyInit | null }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
}

function oauth4webapiClient(url: string, method: Method): Library {
  const as: oauth.AuthorizationServer = {
    issuer: AS_ISSUER,
    introspection_endpoint: `${url}/oauth/introspect`,
    revocation_endpoint: `${url}/manage/revoke`,
  };
  const client: oauth.Client = { client_id: method.clientId };
  // oauth4webapi keeps Authorization to itself; the bearer caller's token goes in through its fetch hook.
  const options = {
    [oauth.allowInsecureRequests]: true,
    ...(method.headers === undefined ? {} : { [oauth.customFetch]: withHeaders(method.headers()) }),
  };
  return {
    async introspect(token) {
      const response = await oauth.introspectionRequest(as, client, method.oauth4webapi(), token, options);
      return { ...(await oauth.processIntrospectionResponse(as, client, response)) };
    },
    async revoke(token) {
      const response = await oauth.revocationRequest(as, client, method.oauth4webapi(), token, options);
      await oauth.processRevocationResponse(response);
    },
  };
}

function openidClient(url: string, method: Method): Library {
  const server = {
    issuer: AS_ISSUER,
    introspection_endpoint: `${url}/oauth/introspect`,
    revocation_endpoint: `${url}/manage/revoke`,
  };
  const config = new openid.Configuration(server, method.clientId, {}, method.openidClient());
  openid.allowInsecureRequests(config);
  if (method.headers !== undefined) config[openid.customFetch] = withHeaders(method.headers());
  return {
    async introspect(token) {
      return { ...(await openid.tokenIntrospection(config, token)) };
    },
    revoke: (token) => openid.tokenRevocation(config, token),
  };
}

const LIBRARIES = [
  ['oauth4webapi', oauth4webapiClient],
  ['openid-client', openidClient],
] as const;

describe.each(FRAMEWORKS)('real OAuth clients against %s', (_name, start) => {
  let fixture: Fixture;
  let server: RunningServer;

  beforeAll(async () => {
    fixture = makeFixture();
    server = await start({ service: fixture.service });
    adminToken = (await issue(fixture.service, ALICE, { type: 'administrative', name: 'platform-admin' })).token;
  });
  afterAll(() => server.close());

  describe.each(LIBRARIES)('%s', (_library, connect) => {
    it.each(METHODS)('introspects and revokes with $name', async (method) => {
      const library = connect(server.url, method);
      const carol = await issue(fixture.service, CAROL, { ttl: '1h' });
      const described = await library.introspect(carol.token);
      expect(described).toMatchObject({
        active: true,
        token_type: 'Bearer',
        jti: carol.id,
        iss: 'https://auth.tokenward.test/tenants/acme',
        sub: 'carol',
        scope:
          'bucket:in.c-csv-import:read bucket:in.c-csv-import:write component:keboola.ex-db-mysql:run scope:checkup_report_create',
        tenant: 'acme',
      });
      expect(described.exp).toEqual(expect.any(Number));
      expect(await library.introspect('not-a-token')).toEqual({ active: false });

      await library.revoke(carol.token);
      expect(await library.introspect(carol.token)).toEqual({ active: false });
      // Revoking again, or something that never was a token, is not an error (RFC 7009 §2.2).
      await library.revoke(carol.token);
      await library.revoke('not-a-token');
    });

    it('is refused as a public client (RFC 7662 §2.1: introspection needs authorization)', async () => {
      const library = connect(server.url, { ...METHODS[0]!, openidClient: openid.None, oauth4webapi: oauth.None });
      const bob = await issue(fixture.service, BOB);
      const refusal = await library.introspect(bob.token).then(
        () => null,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(Error);
      expect(statusOf(refusal)).toBe(401);
    });

    it('is refused with a wrong secret, an RFC 6749 invalid_client with its description', async () => {
      const wrong = 'not-the-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
      const library = connect(server.url, {
        ...METHODS[1]!,
        oauth4webapi: () => oauth.ClientSecretPost(wrong),
        openidClient: () => openid.ClientSecretPost(wrong),
      });
      const refusal = await library.introspect('anything').then(
        () => null,
        (error: unknown) => error,
      );
      expect(statusOf(refusal)).toBe(401);
      const reply = await call(server.url, '/oauth/introspect', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: 'x', client_id: 'resource-server', client_secret: wrong }).toString(),
      });
      expect(reply.body).toMatchObject({ error: 'invalid_client', error_description: 'client authentication failed' });
    });
  });

  it('gives a client registered for one tenant answers about that tenant only', async () => {
    const acmeOnly: Method = {
      name: 'acme-api',
      clientId: 'acme-api',
      oauth4webapi: () => oauth.ClientSecretBasic('acme-only-client-secret-0123456789-abcdefghijklmn'),
      openidClient: () => openid.ClientSecretBasic('acme-only-client-secret-0123456789-abcdefghijklmn'),
    };
    const bob = await issue(fixture.service, BOB);
    const gina = await issue(fixture.service, GINA);
    for (const [, connect] of LIBRARIES) {
      const library = connect(server.url, acmeOnly);
      expect(await library.introspect(bob.token)).toMatchObject({ active: true, tenant: 'acme' });
      expect(await library.introspect(gina.token)).toEqual({ active: false });
    }
    // The other clients see every tenant, each under its own issuer.
    const everywhere = oauth4webapiClient(server.url, METHODS[0]!);
    expect(await everywhere.introspect(gina.token)).toMatchObject({
      active: true,
      iss: 'https://auth.tokenward.test/tenants/globex',
      sub: 'gina',
    });
  });
});

/** The HTTP status behind a client library's error. */
function statusOf(error: unknown): number | undefined {
  const { response, status, cause } = error as { response?: Response; status?: number; cause?: unknown };
  return response?.status ?? status ?? (cause === undefined ? undefined : statusOf(cause));
}
