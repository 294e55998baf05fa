/**
 * `tokenward init`, `users`, `roles` and `audit` as a child process: the
 * schema made on first use, a pepper printed once or written to a file of
 * its own, the operator making the first admin, admins managing the
 * directory and nobody else, tables for people and JSON for scripts.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SQLITE_SCHEMA_VERSION } from '../../src/stores/sqlite/index.js';
import { cli, cliJson, seededDir, tableRows, workDir } from './support.js';

describe('tokenward init', () => {
  it('creates the store and its schema in the current folder, and prints a new pepper once', async () => {
    const dir = workDir();
    const { run, json } = await cliJson(dir, ['init', '--generate-pepper']);
    expect(run.code).toBe(0);
    expect(json).toMatchObject({
      store: 'sqlite',
      location: join(dir, 'tokenward.db'),
      schemaVersion: SQLITE_SCHEMA_VERSION,
    });
    expect(json.pepper).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(existsSync(join(dir, 'tokenward.db'))).toBe(true);
    // Shown once: a second init prints none unless asked, and the two are never the same.
    const again = await cliJson(dir, ['init']);
    expect(again.json.pepper).toBeUndefined();
    const other = await cliJson(dir, ['init', '--generate-pepper']);
    expect(other.json.pepper).not.toBe(json.pepper);
    // For people: the table and the pepper with how to keep it.
    const text = await cli(dir, ['init', '--generate-pepper']);
    expect(tableRows(text.stdout)).toEqual([
      { store: 'sqlite', location: join(dir, 'tokenward.db'), schema_version: String(SQLITE_SCHEMA_VERSION) },
    ]);
    expect(text.stdout).toMatch(/TOKENWARD_PEPPER=[A-Za-z0-9_-]{43}\n/);
  });

  it('writes a new pepper to --pepper-file (owner-only), never over an existing one, and later commands read it', async () => {
    const dir = workDir();
    const file = join(dir, 'pepper');
    const { run, json } = await cliJson(dir, ['init', '--generate-pepper', '--pepper-file', file], {
      env: { TOKENWARD_PEPPER: undefined },
    });
    expect(run.code).toBe(0);
    expect(json.pepper).toBeUndefined();
    expect(run.stdout).not.toContain(readFileSync(file, 'utf8').trim());
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const before = readFileSync(file, 'utf8');
    const refused = await cli(dir, ['init', '--generate-pepper', '--pepper-file', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('conflict');
    expect(readFileSync(file, 'utf8')).toBe(before);
    await cli(dir, ['users', 'add', 'alice', '--admin']);
    const issued = await cliJson(dir, ['--as', 'alice', 'issue', 'ci', '--pepper-file', file], {
      env: { TOKENWARD_PEPPER: undefined },
    });
    expect(issued.run.code).toBe(0);
    const verified = await cli(dir, ['verify', '--pepper-file', file], {
      input: issued.json.token as string,
      env: { TOKENWARD_PEPPER: undefined },
    });
    expect(verified.code).toBe(0);
  });

  it('runs as the operator only', async () => {
    const run = await cli(workDir(), ['init', '--as', 'alice']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('runs as the operator');
  });
});

describe('tokenward users and roles', () => {
  it('lets the operator make the first admin, who then manages users and roles', async () => {
    const dir = workDir();
    const added = await cliJson(dir, ['users', 'add', 'alice', '--admin']);
    expect(added.run.code).toBe(0);
    expect(added.json).toMatchObject({
      tenant: 'default',
      name: 'alice',
      admin: true,
      active: true,
      effectiveGrants: 'all',
    });
    const role = await cliJson(dir, ['--as', 'alice', 'roles', 'add', 'analysts', '--grant', 'bucket:in.c-main:read']);
    expect(role.json).toMatchObject({ name: 'analysts', grants: [{ bucket: 'in.c-main', access: 'read' }] });
    const bob = await cliJson(dir, [
      '--as',
      'alice',
      'users',
      'add',
      'bob',
      '--role',
      'analysts',
      '--grant',
      'component:keboola.ex-db-mysql:run',
      '--grant',
      'scope:reports',
    ]);
    expect(bob.json).toMatchObject({
      name: 'bob',
      roles: ['analysts'],
      grants: [{ component: 'keboola.ex-db-mysql', actions: ['run'] }, { scope: 'reports' }],
      effectiveGrants: [
        { bucket: 'in.c-main', access: 'read' },
        { component: 'keboola.ex-db-mysql', actions: ['run'] },
        { scope: 'reports' },
      ],
    });
    const shown = await cli(dir, ['users', 'show', 'bob']);
    expect(tableRows(shown.stdout)).toEqual([
      expect.objectContaining({
        name: 'bob',
        admin: 'false',
        active: 'true',
        roles: 'analysts',
        grants: 'component:keboola.ex-db-mysql:run, scope:reports',
        effective_grants: 'bucket:in.c-main:read, component:keboola.ex-db-mysql:run, scope:reports',
      }),
    ]);
  });

  it('changes the admin flag, active flag, roles and grants with users set, each given field replaced', async () => {
    const dir = await seededDir();
    const set = (...args: string[]) => cliJson(dir, ['--as', 'alice', 'users', 'set', 'analyst', ...args]);
    expect((await set('--no-roles')).json).toMatchObject({ roles: [], grants: [{ scope: 'reports' }] });
    expect((await set('--role', 'service_accounts', '--inactive')).json).toMatchObject({
      roles: ['service_accounts'],
      active: false,
    });
    expect((await set('--active', '--all-grants')).json).toMatchObject({ active: true, grants: 'all' });
    expect((await set('--no-grants', '--admin')).json).toMatchObject({
      grants: [],
      admin: true,
      effectiveGrants: 'all',
    });
    expect((await set('--no-admin')).json).toMatchObject({ admin: false });
    const nothing = await cli(dir, ['--as', 'alice', 'users', 'set', 'analyst']);
    expect(nothing.code).toBe(2);
    const both = await cli(dir, ['users', 'set', 'analyst', '--admin', '--no-admin']);
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('--admin and --no-admin cannot be combined')]);
  });

  it('lists users (all, or a role’s holders) and roles, as tables and as JSON', async () => {
    const dir = await seededDir();
    const users = await cli(dir, ['users', 'list']);
    expect(tableRows(users.stdout).map((row) => row.name)).toEqual(['alice', 'analyst', 'bob']);
    const holders = await cliJson<{ items: { name: string }[] }>(dir, ['users', 'list', '--role', 'service_accounts']);
    expect(holders.json.items.map((user) => user.name)).toEqual(['analyst']);
    const roles = await cliJson<{ items: { name: string }[] }>(dir, ['roles', 'list']);
    expect(roles.json.items.map((role) => role.name)).toEqual(['service_accounts']);
    expect(tableRows((await cli(dir, ['roles', 'list'])).stdout)).toEqual([
      expect.objectContaining({ name: 'service_accounts', grants: 'bucket:in.c-main:read' }),
    ]);
  });

  it('removes a user with every token they had, and refuses to remove a role somebody holds', async () => {
    const dir = await seededDir();
    const issued = await cliJson(dir, ['--as', 'bob', 'issue', 'mine']);
    const removed = await cliJson(dir, ['--as', 'alice', 'users', 'remove', 'bob']);
    expect(removed.json).toMatchObject({ revoked: 1, user: { name: 'bob' } });
    expect((await cli(dir, ['verify'], { input: issued.json.token as string })).code).toBe(3);
    const held = await cli(dir, ['roles', 'remove', 'service_accounts']);
    expect(held.code).toBe(1);
    expect(held.stderr).toMatch(/^tokenward: conflict: the role is held by users/);
    await cli(dir, ['users', 'set', 'analyst', '--no-roles']);
    expect((await cli(dir, ['roles', 'remove', 'service_accounts'])).code).toBe(0);
    expect((await cliJson(dir, ['roles', 'list'])).json).toEqual({ items: [] });
  });

  it('refuses every change from a user who is not an admin, with the error code on stderr and exit 1', async () => {
    const dir = await seededDir();
    for (const args of [
      ['users', 'add', 'mallory', '--admin'],
      ['users', 'set', 'bob', '--admin'],
      ['users', 'remove', 'analyst'],
      ['roles', 'add', 'everything', '--all-grants'],
      ['roles', 'set', 'service_accounts', '--all-grants'],
      ['users', 'list'],
      ['audit'],
    ]) {
      const run = await cli(dir, ['--as', 'bob', ...args]);
      expect([run.code, run.stdout], args.join(' ')).toEqual([1, '']);
      expect(run.stderr, args.join(' ')).toMatch(/^tokenward: forbidden: only administrators may /);
      const json = await cli(dir, ['--as', 'bob', ...args, '--json']);
      expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'forbidden' } });
    }
    // Their own entry they may read.
    expect((await cliJson(dir, ['--as', 'bob', 'users', 'show', 'bob'])).json).toMatchObject({ name: 'bob' });
    // A user nobody added is nobody.
    const stranger = await cli(dir, ['--as', 'stranger', 'users', 'show', 'stranger']);
    expect([stranger.code, stranger.stderr]).toEqual([1, expect.stringContaining('forbidden')]);
  });

  it('keeps the audit log of every change, who made it and what changed', async () => {
    const dir = await seededDir();
    await cli(dir, ['--as', 'alice', 'users', 'set', 'bob', '--admin']);
    const { json } = await cliJson<{ items: { actor: string; action: string; subject: string; changes: unknown }[] }>(
      dir,
      ['audit', '--limit', '2'],
    );
    expect(json.items).toEqual([
      expect.objectContaining({
        actor: 'user:alice',
        action: 'user_changed',
        subject: 'bob',
        changes: { admin: { from: false, to: true } },
      }),
      expect.objectContaining({ actor: 'system', action: 'user_added', subject: 'bob' }),
    ]);
    const table = tableRows((await cli(dir, ['audit'])).stdout);
    expect(table.map((row) => [row.action, row.subject])).toEqual([
      ['user_changed', 'bob'],
      ['user_added', 'bob'],
      ['user_added', 'analyst'],
      ['role_added', 'service_accounts'],
      ['user_added', 'alice'],
    ]);
    expect((await cli(dir, ['audit', '--limit', 'many'])).code).toBe(2);
  });

  it('names a bad field, and keeps tenants apart', async () => {
    const dir = await seededDir();
    const bad = await cli(dir, ['users', 'add', 'carol', '--grant', 'bucket:x']);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('invalid_request: grant[0] must be')]);
    const badName = await cliJson(dir, ['users', 'add', 'no spaces']).catch(() => null);
    expect(badName).toBeNull();
    const named = await cli(dir, ['users', 'add', 'no spaces', '--json']);
    expect(JSON.parse(named.stderr)).toMatchObject({ error: { code: 'invalid_request', field: 'input.name' } });
    const elsewhere = await cliJson<{ items: unknown[] }>(dir, ['--tenant', 'globex', 'users', 'list']);
    expect(elsewhere.json.items).toEqual([]);
    const crossing = await cli(dir, ['--tenant', 'globex', '--as', 'alice', 'users', 'list']);
    expect(crossing.code).toBe(1);
  });

  it('init creates a store at --db with its folder; commands then use it and never touch ./tokenward.db', async () => {
    const dir = workDir();
    writeFileSync(join(dir, 'tokenward.db'), 'not a database');
    expect((await cli(dir, ['--db', 'stores/tokens.sqlite', 'init'])).code).toBe(0);
    const run = await cli(dir, ['--db', 'stores/tokens.sqlite', 'users', 'add', 'alice']);
    expect(run.code).toBe(0);
    expect(existsSync(join(dir, 'stores', 'tokens.sqlite'))).toBe(true);
    const broken = await cli(dir, ['users', 'list']);
    expect([broken.code, broken.stderr]).toEqual([1, expect.stringContaining('invalid_request')]);
  });
});
