/**
 * `tokenward issue`, `list`, `revoke`, `rotate`, `verify` and `purge` as a
 * child process: the secret shown once on stdout and nowhere else, verify
 * from stdin with its exit code, refusals by code on stderr.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { looksLikeToken } from '../../src/core/format.js';
import { cli, cliJson, PEPPER, seededDir, tableRows } from './support.js';

const DAY = 86_400_000;

const HOUR = 3_600_000;

interface Issued {
  token: string;
  info: { id: string; name: string; owner: string | null; type: string; expiresAt: string | null; grants: unknown };
}

describe('tokenward issue, list, revoke, rotate', () => {
  it('issues a token and prints its secret once, as CREATE API TOKEN answers (name | token | expires_at)', async () => {
    const dir = await seededDir();
    const run = await cli(dir, ['--as', 'analyst', 'issue', 'ci_pipeline', '--ttl', '30d', '--comment', 'CI']);
    expect(run.code).toBe(0);
    const [row] = tableRows(run.stdout);
    expect(row).toMatchObject({ name: 'ci_pipeline' });
    expect(looksLikeToken(row!.token!)).toBe(true);
    expect(row!.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(run.stderr).toBe('');
    // Never again: listing shows no secret.
    const listed = await cli(dir, ['--as', 'analyst', 'list']);
    expect(listed.stdout).not.toContain(row!.token!.slice(-30));
    expect(tableRows(listed.stdout)).toEqual([
      expect.objectContaining({ name: 'ci_pipeline', comment: 'CI', status: 'active' }),
    ]);
  });

  it('issues limited, FOR USER and administrative tokens as the service allows, and JSON for scripts', async () => {
    const dir = await seededDir();
    const limited = await cliJson<Issued>(dir, [
      '--as',
      'analyst',
      'issue',
      'reader',
      '--type',
      'limited',
      '--grant',
      'bucket:in.c-main:read',
    ]);
    expect(limited.json.info).toMatchObject({
      type: 'limited',
      owner: 'analyst',
      grants: [{ bucket: 'in.c-main', access: 'read' }],
    });
    const forUser = await cliJson<Issued>(dir, ['--as', 'alice', 'issue', 'bot', '--for', 'analyst', '--ttl', '90d']);
    expect(forUser.json.info).toMatchObject({ owner: 'analyst', name: 'bot' });
    const administrative = await cliJson<Issued>(dir, ['issue', 'infra', '--type', 'administrative']);
    expect(administrative.json.info).toMatchObject({ type: 'administrative', owner: null });
    // A standard user may not act FOR USER; beyond-grant narrowing is refused.
    const refused = await cli(dir, ['--as', 'bob', 'issue', 'x', '--for', 'analyst']);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringMatching(/^tokenward: forbidden: /)]);
    const beyond = await cli(dir, [
      '--as',
      'analyst',
      'issue',
      'y',
      '--type',
      'limited',
      '--grant',
      'bucket:other:write',
    ]);
    expect([beyond.code, beyond.stderr]).toEqual([1, expect.stringContaining('insufficient_scope')]);
    // The operator issues personal tokens only FOR USER: it is nobody's user.
    const operator = await cli(dir, ['issue', 'mine']);
    expect(operator.code).toBe(1);
    expect((await cli(dir, ['issue', '--type', 'master'])).code).toBe(2);
  });

  it('lists the acting user’s tokens, a user’s, the administrative ones or all, hiding expired and revoked unless asked', async () => {
    const dir = await seededDir();
    await cli(dir, ['--as', 'analyst', 'issue', 'a']);
    await cli(dir, ['--as', 'analyst', 'issue', 'b']);
    await cli(dir, ['--as', 'analyst', 'revoke', 'b']);
    await cli(dir, ['--as', 'bob', 'issue', 'c']);
    await cli(dir, ['issue', 'd', '--type', 'administrative']);
    const names = async (...args: string[]) =>
      (await cliJson<{ items: { name: string }[] }>(dir, args)).json.items.map((token) => token.name).sort();
    expect(await names('--as', 'analyst', 'list')).toEqual(['a']);
    expect(await names('--as', 'analyst', 'list', '--include-revoked')).toEqual(['a', 'b']);
    expect(await names('--as', 'alice', 'list', '--for', 'bob')).toEqual(['c']);
    expect(await names('--as', 'alice', 'list', '--administrative')).toEqual(['d']);
    expect(await names('list')).toEqual(['a', 'c', 'd']);
    expect(await names('list', '--all', '--include-revoked', '--limit', '2')).toHaveLength(2);
    const other = await cli(dir, ['--as', 'bob', 'list', '--for', 'analyst']);
    expect(other.code).toBe(1);
  });

  it('revokes by name or --id, and the token stops verifying at once', async () => {
    const dir = await seededDir();
    const one = await cliJson<Issued>(dir, ['--as', 'analyst', 'issue', 'one']);
    const two = await cliJson<Issued>(dir, ['--as', 'analyst', 'issue', 'two']);
    const byName = await cli(dir, ['--as', 'analyst', 'revoke', 'one']);
    expect(tableRows(byName.stdout)).toEqual([
      expect.objectContaining({ name: 'one', user: 'analyst', status: 'revoked' }),
    ]);
    const byId = await cliJson(dir, ['--as', 'alice', 'revoke', '--id', two.json.info.id]);
    expect(byId.json).toMatchObject({ name: 'two', status: 'revoked' });
    for (const token of [one.json.token, two.json.token])
      expect((await cli(dir, ['verify'], { input: token })).code).toBe(3);
    const missing = await cli(dir, ['--as', 'analyst', 'revoke', 'nothing']);
    expect([missing.code, missing.stderr]).toEqual([1, 'tokenward: not_found: token not found\n']);
    expect((await cli(dir, ['revoke', 'one'])).code).toBe(2);
    expect((await cli(dir, ['revoke', 'one', '--id', one.json.info.id])).code).toBe(2);
  });

  it('rotates: a new secret printed once, the old one dead (or alive through a grace period)', async () => {
    const dir = await seededDir();
    const issued = await cliJson<Issued>(dir, ['--as', 'analyst', 'issue', 'ci']);
    const rotated = await cliJson<Issued & { graceEndsAt: string | null }>(dir, ['--as', 'analyst', 'rotate', 'ci']);
    expect(rotated.json.info.id).toBe(issued.json.info.id);
    expect(rotated.json.graceEndsAt).toBeNull();
    expect(rotated.json.token).not.toBe(issued.json.token);
    expect((await cli(dir, ['verify'], { input: issued.json.token })).code).toBe(3);
    expect((await cli(dir, ['verify'], { input: rotated.json.token })).code).toBe(0);
    const before = Date.now();
    const graced = await cli(dir, ['--as', 'alice', 'rotate', 'ci', '--for', 'analyst', '--grace', '1h']);
    const [row] = tableRows(graced.stdout);
    expect(Object.keys(row!)).toEqual(['name', 'token', 'expires_at', 'grace_ends_at', 'id']);
    expect(looksLikeToken(row!.token!)).toBe(true);
    // The table prints seconds (Tengri's form): the end is an hour from the rotation, to the second.
    const tableEnd = Date.parse(row!.grace_ends_at!);
    expect(tableEnd).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + HOUR);
    expect(tableEnd).toBeLessThanOrEqual(Date.now() + HOUR);
    expect((await cli(dir, ['verify'], { input: rotated.json.token })).code).toBe(0);
    const start = Date.now();
    const again = await cliJson<Issued & { graceEndsAt: string }>(dir, [
      '--as',
      'analyst',
      'rotate',
      'ci',
      '--grace',
      '30m',
    ]);
    const jsonEnd = Date.parse(again.json.graceEndsAt);
    expect(jsonEnd).toBeGreaterThanOrEqual(start + HOUR / 2);
    expect(jsonEnd).toBeLessThanOrEqual(Date.now() + HOUR / 2);
  });
});

describe('tokenward verify', () => {
  it('reads the token from stdin: exit 0 and the principal when valid, 3 and the reason when not', async () => {
    const dir = await seededDir();
    const issued = await cliJson<Issued>(dir, ['--as', 'analyst', 'issue', 'etl', '--ttl', '1d']);
    const valid = await cliJson(dir, ['verify'], { input: `${issued.json.token}\n` });
    expect(valid.run.code).toBe(0);
    expect(valid.json).toEqual({
      valid: true,
      principal: {
        tokenId: issued.json.info.id,
        type: 'personal',
        tenant: 'default',
        owner: 'analyst',
        name: 'etl',
        grants: [{ bucket: 'in.c-main', access: 'read' }, { scope: 'reports' }],
        expiresAt: issued.json.info.expiresAt,
      },
    });
    const table = await cli(dir, ['verify'], { input: issued.json.token });
    expect(tableRows(table.stdout)).toEqual([
      expect.objectContaining({ valid: 'true', owner: 'analyst', name: 'etl' }),
    ]);
    // As an argument too (it lands in shell history, hence stdin first).
    expect((await cli(dir, ['verify', issued.json.token])).code).toBe(0);

    const garbage = await cliJson(dir, ['verify'], { input: 'not-a-token' });
    expect([garbage.run.code, garbage.json]).toEqual([
      3,
      { valid: false, error: expect.objectContaining({ code: 'token_invalid' }) },
    ]);
    const text = await cli(dir, ['verify'], { input: 'tw_p_garbage' });
    expect([text.code, text.stdout, text.stderr]).toEqual([3, '', 'not valid: token_invalid: the token is invalid\n']);
    await cli(dir, ['--as', 'analyst', 'revoke', 'etl']);
    const revoked = await cli(dir, ['verify'], { input: issued.json.token });
    expect([revoked.code, revoked.stderr]).toEqual([3, expect.stringContaining('token_revoked')]);
    // Nothing on stdin is a usage error, not "invalid".
    expect((await cli(dir, ['verify'])).code).toBe(2);
  });

  it('refuses a token of another tenant when a tenant is named, and one verified under another pepper', async () => {
    const dir = await seededDir();
    const issued = await cliJson<Issued>(dir, ['--as', 'analyst', 'issue', 'etl']);
    expect((await cli(dir, ['verify', '--tenant', 'default'], { input: issued.json.token })).code).toBe(0);
    expect((await cli(dir, ['verify', '--tenant', 'globex'], { input: issued.json.token })).code).toBe(3);
    const env = { TOKENWARD_PEPPER: `${PEPPER}-but-another` };
    expect((await cli(dir, ['verify'], { input: issued.json.token, env })).code).toBe(3);
  });

  it('needs the pepper, and says how to get one; commands that make no secret run without it', async () => {
    const dir = await seededDir();
    const env = { TOKENWARD_PEPPER: undefined };
    const run = await cli(dir, ['verify'], { input: 'x', env });
    expect([run.code, run.stderr]).toEqual([
      1,
      expect.stringContaining('invalid_request: TOKENWARD_PEPPER is required'),
    ]);
    expect((await cli(dir, ['--as', 'analyst', 'issue'], { env })).code).toBe(1);
    expect((await cli(dir, ['users', 'list'], { env })).code).toBe(0);
    expect((await cli(dir, ['list'], { env })).code).toBe(0);
    const short = await cli(dir, ['verify'], { input: 'x', env: { TOKENWARD_PEPPER: 'short' } });
    expect([short.code, short.stderr]).toEqual([
      1,
      expect.stringContaining('invalid_request: TOKENWARD_PEPPER must be at least 32 bytes'),
    ]);
  });
});

describe('tokenward purge', () => {
  it('deletes tokens expired past the grace window (30 days) and answers the counts; the operator runs it', async () => {
    const dir = await seededDir();
    const old = await cliJson<Issued>(dir, ['--as', 'analyst', 'issue', 'old', '--ttl', '1d']);
    const recent = await cliJson<Issued>(dir, ['--as', 'analyst', 'issue', 'recent', '--ttl', '1d']);
    // Time moves in the file itself: one token expired 31 days ago, the other yesterday.
    const db = new Database(join(dir, 'tokenward.db'));
    const setExpiry = db.prepare('UPDATE tokenward_tokens SET expires_at = ? WHERE id = ?');
    setExpiry.run(Date.now() - 31 * DAY, old.json.info.id);
    setExpiry.run(Date.now() - DAY, recent.json.info.id);
    db.close();
    const { run, json } = await cliJson(dir, ['purge']);
    expect([run.code, json]).toEqual([0, { purgedTokens: 1, prunedEvents: 0 }]);
    const left = await cliJson<{ items: { name: string }[] }>(dir, ['list', '--include-expired']);
    expect(left.json.items.map((token) => token.name)).toEqual(['recent']);
    expect(tableRows((await cli(dir, ['purge'])).stdout)).toEqual([{ purged_tokens: '0', pruned_events: '0' }]);
    expect((await cli(dir, ['purge', '--as', 'alice'])).code).toBe(2);
  });
});
