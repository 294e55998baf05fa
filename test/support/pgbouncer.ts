/**
 * A real PgBouncer (Debian's `pgbouncer`) in front of a throwaway PostgreSQL
 * server, for the tests of the store behind a pooler: its own temporary
 * directory, a free loopback port, `auth_type = any` (every client logs in
 * as the server's `postgres` user), and a pool mode of the test's choosing.
 *
 * PgBouncer refuses to run as root; like the server, it then runs as the
 * unprivileged user that owns the temporary directory.
 */
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PostgresAvailability } from './postgres.js';
import { findPostgresBin, freePort, run, serverUser } from './postgres-server.js';

/** Where Debian installs it. */
export const PGBOUNCER_BIN = '/usr/sbin/pgbouncer';

/** How PgBouncer hands out server connections. */
export type PoolMode = 'session' | 'transaction';

/** A running PgBouncer. */
export interface LocalPgBouncer {
  /** `postgres://postgres@127.0.0.1:<port>/<database>`, through the pooler. */
  readonly url: string;
  readonly port: number;
  readonly mode: PoolMode;
  /** Stops it (immediate shutdown) and deletes its directory. Safe to call twice. */
  destroy(): Promise<void>;
}

/** Options of `startPgBouncer`. */
export interface PgBouncerOptions {
  /** The server's port on 127.0.0.1. */
  readonly serverPort: number;
  readonly database: string;
  readonly mode: PoolMode;
  /** Server connections per database and user (PgBouncer's `default_pool_size`, default 10). */
  readonly poolSize?: number;
  /** The role PgBouncer logs in as, whoever the client says it is (default `postgres`). */
  readonly user?: string;
}

/** True when Debian's `pgbouncer` is installed. */
export function hasPgBouncer(): boolean {
  return existsSync(PGBOUNCER_BIN);
}

/**
 * Whether the PgBouncer tests can run here: they start a private server and
 * poolers in front of it, so they need both sets of binaries. Without them,
 * `describePostgres` skips loudly (or fails, with `TOKENWARD_REQUIRE_PG=1`).
 */
export function pgBouncerAvailability(): PostgresAvailability {
  if (findPostgresBin() === null) return { ok: false, reason: 'no PostgreSQL binaries for a private server' };
  if (!hasPgBouncer()) {
    return {
      ok: false,
      reason: `no ${PGBOUNCER_BIN}`,
      install: 'install the pgbouncer package (apt-get install pgbouncer)',
    };
  }
  return { ok: true, url: 'private', source: 'private' };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts PgBouncer in the background and resolves once it accepts connections. */
export async function startPgBouncer(options: PgBouncerOptions): Promise<LocalPgBouncer> {
  if (!hasPgBouncer()) throw new Error(`no ${PGBOUNCER_BIN}: install Debian's pgbouncer package`);
  const user = await serverUser();
  const root = mkdtempSync(join(tmpdir(), 'tokenward-pgbouncer-'));
  if (user !== null) chownSync(root, user.uid, user.gid);
  const port = await freePort();
  const pidFile = join(root, 'pgbouncer.pid');
  const config = join(root, 'pgbouncer.ini');
  writeFileSync(
    config,
    [
      '[databases]',
      `${options.database} = host=127.0.0.1 port=${options.serverPort} dbname=${options.database} user=${options.user ?? 'postgres'}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = any',
      `pool_mode = ${options.mode}`,
      'max_client_conn = 500',
      `default_pool_size = ${options.poolSize ?? 10}`,
      // A test that stops the server wants to see the failure at once, not after the default 15 s.
      'server_login_retry = 1',
      `logfile = ${join(root, 'pgbouncer.log')}`,
      `pidfile = ${pidFile}`,
      '',
    ].join('\n'),
  );
  if (user !== null) chownSync(config, user.uid, user.gid);
  const args = ['-d', '-q', config];
  if (user === null) await run(PGBOUNCER_BIN, args);
  else await run('runuser', ['-u', user.name, '--', PGBOUNCER_BIN, ...args]);

  let destroyed = false;
  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    try {
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
      if (pid > 0) {
        process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 200 && existsSync(pidFile); i++) await sleep(25);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
  for (let i = 0; !(await accepts(port)); i++) {
    if (i >= 400) {
      const log = existsSync(join(root, 'pgbouncer.log')) ? readFileSync(join(root, 'pgbouncer.log'), 'utf8') : '';
      await destroy();
      throw new Error(`pgbouncer did not start: ${log.slice(-2000)}`);
    }
    await sleep(25);
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/${options.database}`, port, mode: options.mode, destroy };
}
