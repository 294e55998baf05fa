/**
 * `npm run demo`: a small service on the embedded default store (SQLite in
 * `.demo-data/`), with Express. On start it prints an admin token (first
 * start only), walks a token through its life over real HTTP against
 * itself, prints `curl` lines for every endpoint, and serves until Ctrl-C,
 * with the API-tokens page at `/` (demo sign-in as admin, alice or bob, or
 * token sign-in).
 *
 *   npm run demo                       serve on http://127.0.0.1:3000 (PORT to change)
 *   npm run demo -- --once             exit after the walkthrough (also DEMO_ONCE=1)
 *   npm run demo -- --new-admin-token  rotate the admin token and print the new one
 *
 * DEMO_DATA_DIR moves the store (default `.demo-data` in the current directory).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import express from 'express';
import { introspectionRouter, managementRouter, requireGrant, tokenAuth } from '../src/express/index.js';
import {
  type Actor,
  createTokenService,
  isTokenError,
  type NewRoleInput,
  type NewUserInput,
  redact,
  type TokenService,
} from '../src/index.js';
import { createKeySet, generateSigningKey, jwtSessionCodec } from '../src/jwt/index.js';
import { sqliteDirectoryStore, sqliteRepository } from '../src/stores/sqlite/index.js';
import { tokenPage } from '../src/web/index.js';

const TENANT = 'demo';
const DEMO_USERS = ['admin', 'alice', 'bob'];
const ADMIN_NAME = 'demo-admin';
const REALM = 'tokenward-demo';
const once = process.argv.includes('--once') || process.env.DEMO_ONCE === '1';
const newAdminToken = process.argv.includes('--new-admin-token');
const dataDir = resolve(process.env.DEMO_DATA_DIR ?? '.demo-data');
const port = Number(process.env.PORT ?? 3000);

// ------------------------------------------------------------------ the store

/** The pepper keys every stored hash; it must survive restarts, so it lives next to the database. */
function loadPepper(): string {
  const file = join(dataDir, 'pepper');
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}

mkdirSync(dataDir, { recursive: true });
const repository = sqliteRepository({ path: join(dataDir, 'tokens.sqlite') });

// The users of this demo tenant live in the store itself (the store-backed directory, docs/concepts.md),
// next to the tokens: `tokenward users list --db .demo-data/tokens.sqlite` shows them. A service with a
// user system of its own passes `directory` instead.
const directoryStore = sqliteDirectoryStore({ database: repository.database });
const DEMO_ROLES: readonly NewRoleInput[] = [{ tenant: TENANT, name: 'service_accounts' }];
const DEMO_DIRECTORY: readonly NewUserInput[] = [
  { tenant: TENANT, name: 'admin', admin: true },
  {
    tenant: TENANT,
    name: 'alice',
    grants: [
      { bucket: 'in.c-csv-import', access: 'write' },
      { component: 'keboola.ex-db-mysql', actions: ['run'] },
      { scope: 'checkup_report_create' },
    ],
  },
  {
    tenant: TENANT,
    name: 'bob',
    roles: ['service_accounts'],
    grants: [{ bucket: 'in.c-csv-import', access: 'read' }],
  },
];

// Sessions for the page's token sign-in: short-lived JWTs under a key made at each start
// (a restart ends every sign-in, which the page's in-memory session store does anyway).
const sessionKeys = await createKeySet({ signing: await generateSigningKey('HS256') });

const service: TokenService = createTokenService({
  repository,
  pepper: loadPepper(),
  prefix: 'demo',
  directoryStore,
  defaultTenant: TENANT,
  // "No expiry" is offered to users no duration policy applies to (CloudBeaver's choice; not recommended).
  policy: { allowNoExpiry: true },
  sessions: {
    codec: jwtSessionCodec({ keys: sessionKeys, issuer: 'tokenward-demo', audience: 'tokenward-demo-page' }),
    defaultTtl: '1h',
  },
});

// -------------------------------------------------------------------- the app

/**
 * Who performs a management call. `X-Demo-User` stands in for the app's own
 * signed-in session so the demo needs no login page: never trust a header
 * like this in a real service. Otherwise the verified token acts.
 */
function demoActor(req: express.Request): Actor | null {
  const user = req.get('x-demo-user');
  if (user !== undefined) return { tenant: TENANT, user };
  return req.tokenPrincipal === undefined ? null : { principal: req.tokenPrincipal };
}

const app = express();
app.disable('x-powered-by');

// The API-tokens page at /: its files, sign-in and API live under /page (docs/web.md).
app.use(
  '/',
  tokenPage(service, {
    tenant: TENANT,
    signIn: { demoUsers: DEMO_USERS, token: true },
    allowNoExpiry: true,
  }),
);

const api = express.Router();
api.use(tokenAuth(service, { realm: REALM, header: 'Verification-Token', cookie: 'auth_token', record: true }));
api.get('/whoami', (req, res) => {
  const p = req.tokenPrincipal!;
  res.json({ tokenId: p.tokenId, type: p.type, tenant: p.tenant, owner: p.owner, name: p.name, grants: p.grants });
});
api.get('/buckets/in.c-csv-import', requireGrant({ bucket: 'in.c-csv-import', access: 'read' }), (_req, res) => {
  res.json({ bucket: 'in.c-csv-import', rows: [{ id: 1, city: 'Prague' }] });
});
api.post('/buckets/in.c-csv-import', requireGrant({ bucket: 'in.c-csv-import', access: 'write' }), (_req, res) => {
  res.status(201).json({ written: 1 });
});
api.post(
  '/components/keboola.ex-db-mysql/run',
  requireGrant({ component: 'keboola.ex-db-mysql', action: 'run' }),
  (_req, res) => {
    res.status(202).json({ job: 'queued' });
  },
);
api.post('/checkup-reports', requireGrant({ scope: 'checkup_report_create' }), (_req, res) => {
  res.status(201).json({ report: 'created' });
});
app.use('/api', api);
app.use(
  '/manage',
  tokenAuth(service, { realm: REALM, optional: true }),
  managementRouter(service, { realm: REALM, actor: demoActor }),
);
app.use('/oauth/introspect', introspectionRouter(service, { realm: REALM }));

// ----------------------------------------------------------------- admin token

/** Adds the demo's users and role on first start (the operator, `'system'`, makes the first admin). */
async function seedDirectory(): Promise<void> {
  for (const role of DEMO_ROLES) {
    await service.directory.addRole(role, 'system').catch((error: unknown) => {
      if (!isTokenError(error, 'conflict')) throw error;
    });
  }
  for (const user of DEMO_DIRECTORY) {
    await service.directory.addUser(user, 'system').catch((error: unknown) => {
      if (!isTokenError(error, 'conflict')) throw error;
    });
  }
}

/** Prints the admin token on first start; later, says it exists (secrets are shown once). */
async function adminToken(): Promise<void> {
  let existing: Awaited<ReturnType<TokenService['get']>> | null = null;
  try {
    existing = await service.get({ tenant: TENANT, owner: null, name: ADMIN_NAME }, 'system');
  } catch (error) {
    if (!isTokenError(error, 'not_found')) throw error;
  }
  if (existing !== null && existing.status === 'active') {
    if (newAdminToken) {
      const rotated = await service.rotate(existing.id, 'system');
      console.log(`New admin token (the old one stopped working; shown this once):\n\n  ${rotated.token}\n`);
    } else {
      console.log(
        `An admin token exists (${ADMIN_NAME}, id ${existing.id}); its secret was shown on first start only.\n` +
          'To get a new one: npm run demo -- --new-admin-token\n',
      );
    }
    return;
  }
  const issued = await service.issue(
    { type: 'administrative', tenant: TENANT, name: ADMIN_NAME, comment: 'printed by npm run demo' },
    'system',
  );
  console.log(`Admin token (shown this once; keep it):\n\n  ${issued.token}\n`);
}

// ------------------------------------------------------------------ walkthrough

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: the demo reads a few fields of each answer
  body: any;
}

let base = '';

async function http(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.headers = { ...headers, 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? null : JSON.parse(text) };
}

function expectStatus(answer: Answer, status: number, what: string): void {
  if (answer.status !== status) {
    throw new Error(`${what}: expected HTTP ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  }
}

let stepNumber = 0;
function step(text: string): void {
  stepNumber++;
  console.log(`  ${String(stepNumber).padStart(2)}. ${text}`);
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
const asAlice = { 'x-demo-user': 'alice' };

async function walkthrough(): Promise<void> {
  console.log(`Walkthrough against ${base} (tokens are shown redacted):\n`);
  const name = `ci-pipeline-${Date.now().toString(36)}`;

  const created = await http('POST', '/manage/tokens', asAlice, {
    name,
    ttl: '30d',
    comment: 'nightly CSV import',
    grants: [{ bucket: 'in.c-csv-import', access: 'write' }],
  });
  expectStatus(created, 201, 'issue');
  const id: string = created.body.info.id;
  let token: string = created.body.token;
  step(`alice issues "${name}" (30 days, write on in.c-csv-import): 201, ${redact(token)}`);

  const read = await http('GET', '/api/buckets/in.c-csv-import', bearer(token));
  expectStatus(read, 200, 'guarded read');
  step('GET /api/buckets/in.c-csv-import with it: 200 (write implies read)');

  const run = await http('POST', '/api/components/keboola.ex-db-mysql/run', bearer(token));
  expectStatus(run, 403, 'missing grant');
  step(`POST /api/components/keboola.ex-db-mysql/run: 403, ${run.headers.get('www-authenticate')}`);

  const listed = await http('GET', '/manage/tokens', asAlice);
  expectStatus(listed, 200, 'list');
  step(`alice lists her tokens: ${listed.body.items.length} live (expired and revoked hidden)`);

  const commented = await http('PATCH', `/manage/tokens/${id}`, asAlice, {
    comment: 'nightly CSV import (owner: data team)',
  });
  expectStatus(commented, 200, 'comment');
  step(`comment changed to "${commented.body.comment}"`);

  const rotated = await http('POST', `/manage/tokens/${id}/rotate`, asAlice, {});
  expectStatus(rotated, 200, 'rotate');
  const old = token;
  token = rotated.body.token;
  expectStatus(await http('GET', '/api/whoami', bearer(old)), 401, 'old secret after rotation');
  expectStatus(await http('GET', '/api/whoami', bearer(token)), 200, 'new secret after rotation');
  step(`rotated: new secret ${redact(token)} works, the old one answers 401`);

  const shared = await http('POST', `/manage/tokens/${id}/share`, asAlice, { ttl: '1d' });
  expectStatus(shared, 201, 'share');
  step(`shared: a one-time claim code (valid until ${shared.body.expiresAt}), never the token itself`);

  const claimed = await http('POST', '/manage/claims', {}, { code: shared.body.code });
  expectStatus(claimed, 200, 'claim');
  const beforeClaim = token;
  token = claimed.body.token;
  expectStatus(await http('GET', '/api/whoami', bearer(beforeClaim)), 401, 'secret before the claim');
  expectStatus(await http('POST', '/manage/claims', {}, { code: shared.body.code }), 404, 'second claim');
  step(`claimed: the recipient gets ${redact(token)}; the sender's copy and the code are dead`);

  const introspector = await service.issue({ type: 'administrative', tenant: TENANT, ttl: '1h' }, 'system');
  const introspected = await fetch(`${base}/oauth/introspect`, {
    method: 'POST',
    headers: { ...bearer(introspector.token), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  const description = (await introspected.json()) as { active: boolean; sub?: string; scope?: string };
  if (!description.active) throw new Error('introspection: expected an active token');
  step(`RFC 7662 introspection: active, sub=${description.sub}, scope="${description.scope}"`);

  const revoked = await http('DELETE', `/manage/tokens/${id}`, asAlice);
  expectStatus(revoked, 200, 'revoke');
  expectStatus(await http('GET', '/api/whoami', bearer(token)), 401, 'revoked token');
  await service.revoke(introspector.info.id, 'system');
  step('revoked: the token answers 401 from now on');

  const events = await http('GET', `/manage/tokens/${id}/events`, asAlice);
  expectStatus(events, 200, 'events');
  const history = [...events.body.items]
    .reverse()
    .map((event: { type: string; operation: string }) =>
      event.type === 'used' ? `used(${event.operation})` : event.type,
    );
  step(`history: ${history.join(' → ')}`);
  console.log('\nWalkthrough complete.\n');
}

function curlLines(): void {
  const b = base;
  const json = "-H 'content-type: application/json'";
  console.log(`Try it (ADMIN_TOKEN is the admin token printed on first start):

  # issue a token as alice (X-Demo-User stands in for a signed-in session)
  curl -s -X POST ${b}/manage/tokens -H 'X-Demo-User: alice' ${json} -d '{"name":"my-token","ttl":"7d","grants":[{"bucket":"in.c-csv-import","access":"read"}]}'
  export TOKEN=...   # the "token" of that answer

  # use it
  curl -s ${b}/api/whoami -H "Authorization: Bearer $TOKEN"
  curl -s ${b}/api/buckets/in.c-csv-import -H "Verification-Token: $TOKEN"
  curl -s ${b}/api/buckets/in.c-csv-import --cookie "auth_token=$TOKEN"
  curl -si -X POST ${b}/api/buckets/in.c-csv-import -H "Authorization: Bearer $TOKEN"      # 403 insufficient_scope
  curl -si -X POST ${b}/api/components/keboola.ex-db-mysql/run -H "Authorization: Bearer $TOKEN"
  curl -si -X POST ${b}/api/checkup-reports -H "Authorization: Bearer $TOKEN"

  # manage it (export ID=... from the "info" of the answer above)
  curl -s '${b}/manage/tokens?hideRevoked=false&hideExpired=false&limit=20' -H 'X-Demo-User: alice'
  curl -s ${b}/manage/tokens/$ID -H 'X-Demo-User: alice'
  curl -s -X PATCH ${b}/manage/tokens/$ID -H 'X-Demo-User: alice' ${json} -d '{"comment":"for the nightly job"}'
  curl -s -X POST ${b}/manage/tokens/$ID/rotate -H 'X-Demo-User: alice' ${json} -d '{"gracePeriod":"1h"}'
  curl -s -X POST ${b}/manage/tokens/$ID/share -H 'X-Demo-User: alice' ${json} -d '{"ttl":"1d"}'
  curl -s -X POST ${b}/manage/claims ${json} -d '{"code":"<code from share>"}'
  curl -s ${b}/manage/tokens/$ID/events -H 'X-Demo-User: alice'
  curl -s -X DELETE ${b}/manage/tokens/$ID -H 'X-Demo-User: alice'
  curl -s -X POST ${b}/manage/revoke -d "token=$TOKEN"                                   # RFC 7009, by the token itself
  curl -s -X POST ${b}/manage/users/bob/revoke-all -H 'X-Demo-User: admin'

  # policies (admins)
  curl -si -X PUT ${b}/manage/policies/users/bob -H 'X-Demo-User: admin' ${json} -d '{"maxTtl":"24h"}'
  curl -si -X PUT ${b}/manage/policies/roles/service_accounts -H 'X-Demo-User: admin' ${json} -d '{"maxTtl":"30d"}'
  curl -s ${b}/manage/policies/users/bob -H 'X-Demo-User: admin'

  # RFC 7662 introspection with the admin token
  curl -s -X POST ${b}/oauth/introspect -H "Authorization: Bearer $ADMIN_TOKEN" -d "token=$TOKEN"
`);
}

// ---------------------------------------------------------------------- start

async function main(): Promise<void> {
  console.log(`tokenward demo: SQLite store in ${dataDir}\n`);
  await seedDirectory();
  await adminToken();
  const server = app.listen(port, '127.0.0.1');
  await new Promise<void>((ready, fail) => {
    server.once('listening', ready);
    server.once('error', fail);
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stop = async (code: number): Promise<never> => {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
    await repository.close();
    process.exit(code);
  };
  try {
    await walkthrough();
  } catch (error) {
    console.error(`Walkthrough failed: ${error instanceof Error ? error.message : String(error)}`);
    await stop(1);
  }
  curlLines();
  if (once) await stop(0);
  console.log(`The API-tokens page: ${base}/ (demo sign-in as ${DEMO_USERS.join(', ')}; demo only)`);
  console.log(`Serving on ${base}; Ctrl-C to stop.`);
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
}

await main();
