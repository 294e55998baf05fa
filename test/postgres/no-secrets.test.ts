/**
 * After issuing, rotating (with a grace period), sharing, claiming and
 * signing a session out, a dump of every table (and `pg_dump` of the
 * schema) holds no token string, no secret, no claim code, no session string
 * and no common encoding of them: only keyed hashes and ids.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { opaqueFormat } from '../../src/core/format.js';
import { jwtSessionCodec } from '../../src/jwt/session.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';
import { findPostgresBin } from '../support/postgres-server.js';
import { secretEncodings } from '../support/secrets.js';
import { ANALYST } from '../support/service.js';
import { sessionKeys } from '../support/sessions.js';
import { pgHarness } from './helpers.js';

const run = promisify(execFile);

const server = await testPostgres();

describePostgres('postgres storage holds no secrets', server, (url) => {
  const schema = uniqueSchema('nosecrets');
  const pool = testPool(url, 6);
  afterAll(async () => {
    await pool.end();
    await dropSchema(url, schema);
  });

  it('a dump of every table after issue, rotate, share, claim and sign-out contains no token, secret or encoding of one', async () => {
    let now: () => number = () => 0;
    const codec = jwtSessionCodec({ keys: await sessionKeys(), issuer: 'tw', audience: 'tw', now: () => now() });
    const h = await pgHarness(pool, schema, { sessions: { codec } });
    now = h.clock.now;
    h.users.acme!.keeper = { grants: 'all' };
    const format = opaqueFormat('acme');
    const tokens: string[] = [];
    const first = await h.service.issue({ name: 'dump_me', comment: 'a comment' }, ANALYST);
    tokens.push(first.token);
    tokens.push((await h.service.rotate(first.info.id, ANALYST, { gracePeriod: '1h' })).token);
    const second = await h.service.issue({ name: 'share_me' }, ANALYST);
    tokens.push(second.token);
    const { code } = await h.service.share(second.info.id, ANALYST);
    tokens.push((await h.service.claim(code)).token);
    const master = await h.service.ensureMasterToken({ tenant: 'acme', user: 'keeper' });
    if (master.created) tokens.push(master.token);
    const { code: pendingCode } = await h.service.share(first.info.id, ANALYST);
    const session = await h.service.exchange(tokens[1]!, { ttl: '10m' });
    await h.service.revoke(session.sessionId, { principal: await h.service.verify(session.token) });

    const forbidden = new Set<string>([code, pendingCode, session.token]);
    for (const token of tokens) {
      const parsed = await format.parse(token);
      expect(parsed).not.toBeNull();
      forbidden.add(token);
      forbidden.add(token.slice(token.length - 36)); // secret and checksum
      for (const encoded of secretEncodings(parsed!.secret)) forbidden.add(encoded);
    }
    for (const text of [code, pendingCode, session.token])
      for (const encoded of secretEncodings(text)) forbidden.add(encoded);

    const { rows: tables } = await pool.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    expect(tables.map((row) => row.table_name)).toEqual([
      'tokenward_claims',
      'tokenward_directory_audit',
      'tokenward_directory_roles',
      'tokenward_directory_user_roles',
      'tokenward_directory_users',
      'tokenward_events',
      'tokenward_expiry_warnings',
      'tokenward_policies',
      'tokenward_policy_versions',
      'tokenward_revoked_sessions',
      'tokenward_schema_migrations',
      'tokenward_tokens',
    ]);
    let dump = '';
    for (const { table_name } of tables) {
      const { rows } = await pool.query(`SELECT * FROM "${schema}"."${table_name}"`);
      dump += `${table_name}\n${JSON.stringify(rows)}\n`;
    }
    // The dump is real: it holds the ids and the stored hashes.
    expect(dump).toContain(first.info.id);
    expect(dump).toContain(session.sessionId);
    const stored = await h.repository.findById(first.info.id);
    expect(dump).toContain(stored!.secretHash);
    expect(stored!.previousSecretHash).not.toBeNull();
    const { rows: claims } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".tokenward_claims`);
    expect(claims[0].n).toBe(1);

    for (const secret of forbidden) expect(dump.includes(secret), `dump contains ${secret.slice(0, 4)}…`).toBe(false);

    const bin = findPostgresBin();
    if (bin !== null) {
      const { stdout } = await run(join(bin, 'pg_dump'), ['--data-only', '--schema', schema, url], {
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(stdout).toContain(first.info.id);
      for (const secret of forbidden)
        expect(stdout.includes(secret), `pg_dump contains ${secret.slice(0, 4)}…`).toBe(false);
    }
  });
});
