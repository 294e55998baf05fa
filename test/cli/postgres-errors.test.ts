/**
 * A PostgreSQL store that cannot be used (outside review 8): every failure
 * printed the same "the migration did not complete", exit 6, with no cause.
 * Now a URL that cannot be read is a usage error naming `--db` (exit 2),
 * and a server that cannot be used says why (connection refused, host not
 * found, authentication failed, no such database), exit 6; the password is
 * never printed.
 */
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { describePostgres, testPostgres } from '../support/postgres.js';
import { freePort } from '../support/postgres-server.js';
import { cli, workDir } from './support.js';

const PASSWORD = 'hunter2-not-shown';

describe('a PostgreSQL URL that cannot be read', () => {
  it.each([
    ['a %-escape that is no escape', `postgres://app:${PASSWORD}%zz@127.0.0.1:5432/db`],
    ['a port that is no number', `postgres://app:${PASSWORD}@127.0.0.1:notaport/db`],
    ['a database name that is no escape', `postgres://app:${PASSWORD}@127.0.0.1:5432/d%b`],
  ])('%s is a usage error naming --db or DATABASE_URL (exit 2), the URL not shown', async (_, url) => {
    const flag = await cli(workDir(), ['--db', url, 'list']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^tokenward: --db is not a valid PostgreSQL URL/);
    const variable = await cli(workDir(), ['list'], { env: { DATABASE_URL: url } });
    expect(variable.code).toBe(2);
    expect(variable.stderr).toMatch(/^tokenward: DATABASE_URL is not a valid PostgreSQL URL/);
    expect(flag.stderr + variable.stderr).not.toContain(PASSWORD.slice(0, 7));
  });
});

describe('a PostgreSQL server that cannot be reached', () => {
  it('a closed port: connection refused, exit 6', async () => {
    const port = await freePort();
    const run = await cli(workDir(), ['--db', `postgres://app:${PASSWORD}@127.0.0.1:${port}/db`, 'list']);
    expect(run.code).toBe(6);
    expect(run.stderr).toContain(`connection refused: 127.0.0.1:${port}`);
    expect(run.stderr).not.toContain(PASSWORD.slice(0, 7));
  });

  it('a server that accepts the connection and never answers: timed out (after the 5 s connection timeout), exit 6', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    try {
      const { port } = silent.address() as AddressInfo;
      const run = await cli(workDir(), ['--db', `postgres://app:${PASSWORD}@127.0.0.1:${port}/db`, 'list']);
      expect(run.code).toBe(6);
      expect(run.stderr).toContain('the connection timed out');
      expect(run.stderr).not.toContain(PASSWORD.slice(0, 7));
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => silent.close(done));
    }
  }, 20_000);

  it('an unknown host: host not found, exit 6', async () => {
    // .invalid never resolves (RFC 6761).
    const run = await cli(workDir(), ['--db', `postgres://app:${PASSWORD}@no-such-host.invalid/db`, 'list']);
    expect(run.code).toBe(6);
    expect(run.stderr).toMatch(/host not found.*no-such-host\.invalid/);
    expect(run.stderr).not.toContain(PASSWORD.slice(0, 7));
  });
});

const server = await testPostgres();

describePostgres('a PostgreSQL server that refuses the connection', server, (url) => {
  const with_ = (change: (parsed: URL) => void): string => {
    const parsed = new URL(url);
    change(parsed);
    return parsed.toString();
  };

  it('an unknown role: authentication failed, exit 6', async () => {
    const bad = with_((parsed) => {
      parsed.username = 'no_such_role_here';
      parsed.password = PASSWORD;
    });
    const run = await cli(workDir(), ['--db', bad, 'list']);
    expect(run.code).toBe(6);
    expect(run.stderr).toContain('authentication failed');
    expect(run.stderr).not.toContain(PASSWORD.slice(0, 7));
  });

  it('an unknown database: the database does not exist, exit 6', async () => {
    const run = await cli(workDir(), ['--db', with_((parsed) => (parsed.pathname = '/no_such_database')), 'list']);
    expect(run.code).toBe(6);
    expect(run.stderr).toContain('the database does not exist');
  });
});
