/**
 * tokenward's extensions to Tengri's statements, run on a memory-store
 * service: rotation with grace, share and claim, limited tokens with
 * grants, administrative tokens, events, the policy explanation, and how
 * actors other than a signed-in user run statements.
 */
import { describe, expect, it } from 'vitest';
import { executeStatement } from '../../src/sql/executor.js';
import type { Statement } from '../../src/sql/types.js';
import { DAY, errorOf, HOUR } from '../scenarios/support.js';
import { ALICE, ANALYST, BOB, makeHarness } from '../support/service.js';
import { record, records, run, runOne, tengriTime } from './support.js';

const START = Date.UTC(2026, 0, 1);

describe('ALTER API TOKEN … ROTATE', () => {
  it('answers a new secret; without grace the old one dies at once', async () => {
    const { service } = makeHarness();
    const created = record(await runOne(service, "CREATE API TOKEN ci MAX DURATION '30d'", ANALYST));
    const answer = await runOne(service, 'ALTER API TOKEN ci ROTATE', ANALYST);
    expect(answer.columns).toEqual(['name', 'token', 'expires_at', 'grace_ends_at']);
    expect(answer.secretColumns).toEqual(['token']);
    const rotated = record(answer);
    expect(rotated).toMatchObject({ name: 'ci', expires_at: created.expires_at, grace_ends_at: null });
    expect((await service.verify(rotated.token as string)).name).toBe('ci');
    expect((await errorOf(service.verify(created.token as string))).code).toBe('token_invalid');
  });

  it('GRACE PERIOD keeps the old secret working until grace_ends_at, never past expiry', async () => {
    const { service, clock } = makeHarness();
    const created = record(await runOne(service, "CREATE API TOKEN ci MAX DURATION '2h'", ANALYST));
    const rotated = record(await runOne(service, "ALTER API TOKEN ci ROTATE GRACE PERIOD '1h'", ANALYST));
    expect(rotated.grace_ends_at).toBe(tengriTime(START + HOUR));
    clock.advance(HOUR - 1000);
    expect((await service.verify(created.token as string)).name).toBe('ci');
    clock.advance(1000);
    expect((await errorOf(service.verify(created.token as string))).code).toBe('token_invalid');
    const capped = record(await runOne(service, "ALTER API TOKEN ci ROTATE GRACE PERIOD '1d'", ANALYST));
    expect(capped.grace_ends_at).toBe(tengriTime(START + 2 * HOUR));
  });

  it.each([
    // Frozen a millisecond before a second: each rotation's rotatedAt runs one more ms ahead of the clock.
    ['a frozen clock', [START + 999, START + 999, START + 999]],
    // NTP stepping the clock back: rotatedAt stays after the last one, seconds ahead of the clock.
    ['a clock stepping back', [START, START - 10_000, START - 20_000]],
  ])('GRACE PERIOD reports when the grace ends as stored, with %s', async (_label, instants) => {
    const { service, repository, clock } = makeHarness();
    clock.set(instants[0]!);
    const created = record(await runOne(service, "CREATE API TOKEN ci MAX DURATION '30d'", ANALYST));
    for (const instant of instants) {
      clock.set(instant);
      const rotated = record(await runOne(service, "ALTER API TOKEN ci ROTATE GRACE PERIOD '1h'", ANALYST));
      const { items } = await service.list({ tenant: 'acme' }, ANALYST);
      const stored = await repository.findById(items[0]!.id);
      // The grace is counted on the clock (instant + 1h), whatever rotatedAt says.
      expect(stored!.previousExpiresAt).toBe(instant + HOUR);
      expect(stored!.rotatedAt).toBeGreaterThan(instant);
      expect(rotated.grace_ends_at).toBe(tengriTime(stored!.previousExpiresAt!));
    }
    expect(created.name).toBe('ci');
  });

  it('FOR USER is for admins; a revoked token cannot be rotated', async () => {
    const { service } = makeHarness();
    await run(service, 'CREATE API TOKEN report_bot FOR USER analyst', ALICE);
    expect(record(await runOne(service, 'ALTER API TOKEN report_bot FOR USER analyst ROTATE', ALICE)).name).toBe(
      'report_bot',
    );
    expect((await errorOf(runOne(service, 'ALTER API TOKEN report_bot FOR USER analyst ROTATE', BOB))).code).toBe(
      'not_found',
    );
  });
});

describe('SHARE and CLAIM API TOKEN', () => {
  it('SHARE answers a one-time claim code; CLAIM redeems it once for a fresh secret', async () => {
    const { service } = makeHarness();
    const created = record(await runOne(service, "CREATE API TOKEN ci MAX DURATION '30d'", ANALYST));
    const shared = await runOne(service, "SHARE API TOKEN ci VALID FOR '2d'", ANALYST);
    expect(shared.columns).toEqual(['name', 'claim_code', 'expires_at']);
    expect(shared.secretColumns).toEqual(['claim_code']);
    const { claim_code: code, expires_at } = record(shared);
    expect(expires_at).toBe(tengriTime(START + 2 * DAY));
    expect(code).toMatch(/^acme_claim_/);

    // Anyone holding the code claims it: CLAIM runs without rights of its own.
    const claimed = await runOne(service, `CLAIM API TOKEN '${code}'`, BOB);
    expect(claimed.columns).toEqual(['name', 'user', 'token', 'expires_at']);
    expect(claimed.secretColumns).toEqual(['token']);
    const row = record(claimed);
    expect(row).toMatchObject({ name: 'ci', user: 'analyst', expires_at: created.expires_at });
    expect((await service.verify(row.token as string)).owner).toBe('analyst');
    // Claiming rotates: the old secret is gone, and the code works once.
    expect((await errorOf(service.verify(created.token as string))).code).toBe('token_invalid');
    expect((await errorOf(runOne(service, `CLAIM API TOKEN '${code}'`, BOB))).code).toBe('not_found');
    expect((await errorOf(runOne(service, "CLAIM API TOKEN 'not a code'", BOB))).details.field).toBe('code');
  });

  it('another user’s token cannot be shared, and a master token never', async () => {
    const { service } = makeHarness();
    await run(service, 'CREATE API TOKEN ci', ANALYST);
    expect((await errorOf(runOne(service, 'SHARE API TOKEN ci FOR USER analyst', BOB))).code).toBe('not_found');
    await service.ensureMasterToken(ANALYST);
    expect((await errorOf(runOne(service, 'SHARE API TOKEN master', ANALYST))).code).toBe('forbidden');
  });
});

describe('limited tokens and grants', () => {
  it('CREATE LIMITED … GRANTS gives exactly those grants, shown back in the same syntax', async () => {
    const { service } = makeHarness();
    const created = record(
      await runOne(
        service,
        'CREATE LIMITED API TOKEN importer GRANTS (READ ON BUCKET "in.c-csv-import", SCOPE reports)',
        ANALYST,
      ),
    );
    const principal = await service.verify(created.token as string);
    expect(principal.type).toBe('limited');
    expect(principal.can({ bucket: 'in.c-csv-import', access: 'read' })).toBe(true);
    expect(principal.can({ bucket: 'in.c-csv-import', access: 'write' })).toBe(false);
    expect(principal.can({ scope: 'reports' })).toBe(true);
    const [row] = records(await runOne(service, 'SHOW API TOKENS', ANALYST));
    expect(row).toMatchObject({ type: 'limited', grants: 'READ ON BUCKET "in.c-csv-import", SCOPE reports' });
  });

  it('a limited token without GRANTS can do nothing; component actions read back one by one', async () => {
    const { service } = makeHarness();
    const bare = record(await runOne(service, 'CREATE LIMITED API TOKEN nothing', ALICE));
    expect((await service.verify(bare.token as string)).can({ scope: 'reports' })).toBe(false);
    await run(
      service,
      'CREATE API TOKEN etl GRANTS (RUN ON COMPONENT "keboola.ex-db", CONFIGURE ON COMPONENT "keboola.ex-db", ALL ON COMPONENT wr, WRITE ON BUCKET "out.c-main")',
      ALICE,
    );
    const grants = records(await runOne(service, 'SHOW API TOKENS', ALICE)).map((row) => row.grants);
    expect(grants).toContain('');
    // The service keeps grants in canonical form: both actions of a component are all of it.
    expect(grants).toContain('WRITE ON BUCKET "out.c-main", ALL ON COMPONENT "keboola.ex-db", ALL ON COMPONENT wr');
  });

  it('grants beyond the creator’s own are refused by the service', async () => {
    const { service } = makeHarness();
    const error = await errorOf(
      runOne(service, 'CREATE LIMITED API TOKEN x GRANTS (READ ON BUCKET "out.c-main")', BOB),
    );
    expect(error).toMatchObject({ code: 'insufficient_scope', details: { field: 'grants' } });
    expect((await runOne(service, 'SHOW API TOKENS INCLUDE EXPIRED, REVOKED', BOB)).rows).toEqual([]);
  });
});

describe('administrative tokens and FOR ALL USERS', () => {
  it('admins create, list, comment, rotate and drop ownerless tokens', async () => {
    const { service } = makeHarness();
    const created = record(await runOne(service, "CREATE ADMINISTRATIVE API TOKEN ops MAX DURATION '30d'", ALICE));
    expect((await service.verify(created.token as string)).type).toBe('administrative');
    expect(records(await runOne(service, 'SHOW ADMINISTRATIVE API TOKENS', ALICE))).toEqual([
      expect.objectContaining({ name: 'ops', user: null, type: 'administrative' }),
    ]);
    expect(record(await runOne(service, "ALTER ADMINISTRATIVE API TOKEN ops SET COMMENT 'cron'", ALICE))).toEqual({
      name: 'ops',
      user: null,
      comment: 'cron',
    });
    expect(record(await runOne(service, 'ALTER ADMINISTRATIVE API TOKEN ops ROTATE', ALICE)).name).toBe('ops');
    expect(record(await runOne(service, 'DROP ADMINISTRATIVE API TOKEN ops', ALICE)).status).toBe('revoked');
    expect((await errorOf(runOne(service, 'CREATE ADMINISTRATIVE API TOKEN x', BOB))).code).toBe('forbidden');
  });

  it('SHOW API TOKENS FOR ALL USERS lists the tenant for admins only, up to LIMIT', async () => {
    const { service } = makeHarness();
    await run(service, 'CREATE API TOKEN a', ANALYST);
    await run(service, 'CREATE API TOKEN b', BOB);
    await run(service, 'CREATE ADMINISTRATIVE API TOKEN c', ALICE);
    const all = records(await runOne(service, 'SHOW API TOKENS FOR ALL USERS', ALICE));
    expect(all.map((row) => `${row.user}/${row.name}`).sort()).toEqual(['analyst/a', 'bob/b', 'null/c']);
    expect((await runOne(service, 'SHOW API TOKENS FOR ALL USERS LIMIT 2', ALICE)).rows).toHaveLength(2);
    expect((await errorOf(runOne(service, 'SHOW API TOKENS FOR ALL USERS', BOB))).code).toBe('forbidden');
  });

  it('reads every page: more tokens than one page holds are all shown, LIMIT stops early', async () => {
    const { service } = makeHarness();
    for (let index = 0; index < 1003; index++) await service.issue({ name: `t${index}` }, ANALYST);
    const all = records(await runOne(service, 'SHOW API TOKENS', ANALYST));
    expect(all).toHaveLength(1003);
    expect(new Set(all.map((row) => row.name)).size).toBe(1003);
    expect((await runOne(service, 'SHOW API TOKENS LIMIT 1001', ANALYST)).rows).toHaveLength(1001);
  });
});

describe('SHOW EVENTS FOR API TOKEN', () => {
  it('answers the token’s history, newest first, with app-recorded uses', async () => {
    const { service, clock } = makeHarness();
    const created = record(await runOne(service, "CREATE API TOKEN ci MAX DURATION '30d'", ANALYST));
    clock.advance(HOUR);
    await run(service, "ALTER API TOKEN ci SET COMMENT 'x'; ALTER API TOKEN ci ROTATE GRACE PERIOD '1h'", ANALYST);
    const principal = await service.verify(
      record(await runOne(service, 'ALTER API TOKEN ci ROTATE', ANALYST)).token as string,
    );
    await service.record(principal, 'GET /buckets', { status: 200 });
    const answer = await runOne(service, 'SHOW EVENTS FOR API TOKEN ci', ANALYST);
    expect(answer.columns).toEqual(['at', 'type', 'operation', 'actor', 'detail']);
    expect(records(answer)).toEqual([
      {
        at: tengriTime(START + HOUR),
        type: 'used',
        operation: 'GET /buckets',
        actor: `token:${principal.tokenId}`,
        detail: '{"status":200}',
      },
      { at: tengriTime(START + HOUR), type: 'rotated', operation: 'rotated', actor: 'user:analyst', detail: null },
      {
        at: tengriTime(START + HOUR),
        type: 'rotated',
        operation: 'rotated',
        actor: 'user:analyst',
        detail: '{"gracePeriod":"1h"}',
      },
      {
        at: tengriTime(START + HOUR),
        type: 'comment_updated',
        operation: 'comment_updated',
        actor: 'user:analyst',
        detail: null,
      },
      {
        at: tengriTime(START),
        type: 'issued',
        operation: 'issued',
        actor: 'user:analyst',
        detail: '{"type":"personal","ttl":"1mo"}',
      },
    ]);
    expect((await runOne(service, 'SHOW EVENTS FOR API TOKEN ci LIMIT 2', ANALYST)).rows).toHaveLength(2);
    expect(JSON.stringify(answer)).not.toContain((created.token as string).slice(-30));
    expect((await errorOf(runOne(service, 'SHOW EVENTS FOR API TOKEN ci FOR USER analyst', BOB))).code).toBe(
      'not_found',
    );
    expect((await runOne(service, 'SHOW EVENTS FOR API TOKEN ci FOR USER analyst', ALICE)).rows).toHaveLength(5);
  });
});

describe('SHOW API TOKEN MAX DURATION: which policy sets the limit', () => {
  it('the system maximum when no policy applies', async () => {
    const { service } = makeHarness();
    const answer = await runOne(service, 'SHOW API TOKEN MAX DURATION', ANALYST);
    expect(answer.columns).toEqual(['source', 'name', 'max_duration', 'effective']);
    expect(answer.rows).toEqual([['system', null, '1y', true]]);
  });

  it('every applicable policy, the least restrictive one effective', async () => {
    const { service } = makeHarness();
    await run(
      service,
      "ALTER USER analyst SET API TOKEN MAX DURATION '24h'; ALTER ROLE service_accounts SET API TOKEN MAX DURATION '30d'",
      ALICE,
    );
    const rows = (await runOne(service, 'SHOW API TOKEN MAX DURATION FOR USER analyst', ALICE)).rows;
    expect([...rows].sort()).toEqual([
      // 30 days is a month: answers use the largest whole unit ('1mo').
      ['role', 'service_accounts', '1mo', true],
      ['user', 'analyst', '1d', false],
    ]);
    expect((await runOne(service, 'SHOW API TOKEN MAX DURATION', ANALYST)).rows).toEqual(rows);
  });

  it('the system maximum when it caps a longer policy', async () => {
    const { service } = makeHarness();
    await run(service, "ALTER USER analyst SET API TOKEN MAX DURATION '400d'", ALICE);
    expect((await runOne(service, 'SHOW API TOKEN MAX DURATION FOR USER analyst', ALICE)).rows).toEqual([
      ['user', 'analyst', '400d', false],
      ['system', null, '1y', true],
    ]);
  });

  it('UNSET removes a policy', async () => {
    const { service } = makeHarness();
    await run(service, "ALTER USER analyst SET API TOKEN MAX DURATION '24h'", ALICE);
    const unset = await runOne(service, 'ALTER USER analyst UNSET API TOKEN MAX DURATION', ALICE);
    expect(unset.rows).toEqual([['analyst', null]]);
    expect((await runOne(service, 'SHOW API TOKEN MAX DURATION FOR USER analyst', ALICE)).rows).toEqual([
      ['system', null, '1y', true],
    ]);
  });

  it('is shown to the user themself and to admins only', async () => {
    const { service } = makeHarness();
    expect((await errorOf(runOne(service, 'SHOW API TOKEN MAX DURATION FOR USER analyst', BOB))).code).toBe(
      'forbidden',
    );
  });
});

describe('actors other than a signed-in user', () => {
  it('a master token creates tokens; a personal token shows the tokens within it; a limited token sees only itself', async () => {
    const { service } = makeHarness();
    const master = await service.ensureMasterToken(ANALYST);
    const asMaster = { principal: await service.verify(master.created ? master.token : '') };
    const created = record(await runOne(service, 'CREATE LIMITED API TOKEN bi GRANTS (SCOPE reports)', asMaster));
    const asLimited = { principal: await service.verify(created.token as string) };
    // The actor × call table (docs/concepts.md): a limited token reads itself only.
    expect(records(await runOne(service, 'SHOW API TOKENS', asLimited)).map((row) => row.name)).toEqual(['bi']);
    const personal = record(await runOne(service, 'CREATE API TOKEN p', ANALYST));
    const asPersonal = { principal: await service.verify(personal.token as string) };
    expect((await errorOf(runOne(service, 'DROP API TOKEN p', asLimited))).code).toBe('not_found');
    expect(
      records(await runOne(service, 'SHOW API TOKENS', asPersonal))
        .map((row) => row.name)
        .sort(),
    ).toEqual(['bi', 'p']); // never the master: it is reached through no other token
    expect((await errorOf(runOne(service, 'CREATE API TOKEN q', asPersonal))).code).toBe('forbidden');
  });

  it('the system needs a tenant, and FOR USER wherever a statement names a user’s token', async () => {
    const { service } = makeHarness();
    expect((await errorOf(runOne(service, 'SHOW API TOKENS FOR USER analyst', 'system'))).details.field).toBe('tenant');
    const options = { tenant: 'acme' };
    await run(service, 'CREATE API TOKEN ci FOR USER analyst', 'system', options);
    expect(records(await runOne(service, 'SHOW API TOKENS FOR USER analyst', 'system', options))).toHaveLength(1);
    for (const statement of ['DROP API TOKEN ci', 'SHOW API TOKEN MAX DURATION', 'SHARE API TOKEN ci']) {
      const error = await errorOf(runOne(service, statement, 'system', options));
      expect(error).toMatchObject({ code: 'invalid_request', details: { field: 'statement.owner' } });
    }
    expect((await runOne(service, 'SHOW API TOKEN MAX DURATION FOR USER analyst', 'system', options)).rows).toEqual([
      ['system', null, '1y', true],
    ]);
  });

  it('a user cannot act in another tenant through the tenant option', async () => {
    const { service } = makeHarness();
    expect((await errorOf(runOne(service, 'SHOW API TOKENS', ALICE, { tenant: 'globex' }))).code).toBe('forbidden');
  });

  it('unknown options are refused, naming the option', async () => {
    const { service } = makeHarness();
    const options = { tenant: 'acme', tenent: 'acme' } as unknown as { tenant: string };
    expect((await errorOf(runOne(service, 'SHOW API TOKENS', ALICE, options))).details.field).toBe('options.tenent');
  });
});

describe('statements built in code', () => {
  it('run like parsed ones', async () => {
    const { service } = makeHarness();
    const statement: Statement = { kind: 'createToken', name: 'built', owner: { kind: 'own' }, maxDuration: '1d' };
    expect(record(await executeStatement(service, statement, ANALYST)).name).toBe('built');
  });

  it.each([
    [null, 'statement.kind'],
    [{ kind: 'selectStar' }, 'statement.kind'],
    [{ kind: 'dropToken', name: 'x', owner: { kind: 'own' } }, 'statement.ifExists'],
    [{ kind: 'dropToken', name: 'x', owner: { kind: 'user' }, ifExists: false }, 'statement.owner'],
    [{ kind: 'dropToken', name: 'x', owner: { kind: 'own' }, ifExists: false, force: true }, 'statement.force'],
    [{ kind: 'createToken', owner: { kind: 'own' }, grants: [{ bucket: 'b' }] }, 'statement.grants'],
    [{ kind: 'createToken', owner: { kind: 'own' }, grants: 'all' }, 'statement.grants'],
    [{ kind: 'createToken', type: 'limited', owner: { kind: 'administrative' } }, 'statement.type'],
    [
      { kind: 'showTokens', owner: { kind: 'own' }, includeExpired: false, includeRevoked: false, limit: 0 },
      'statement.limit',
    ],
    [{ kind: 'showMaxDuration', owner: { kind: 'administrative' } }, 'statement.owner'],
    [{ kind: 'setMaxDuration', subject: { kind: 'group', name: 'g' }, maxDuration: '1d' }, 'statement.subject'],
  ])('a malformed statement %j is an invalid_request naming %s', async (statement, field) => {
    const { service } = makeHarness();
    const error = await errorOf(executeStatement(service, statement as unknown as Statement, ALICE));
    expect(error).toMatchObject({ code: 'invalid_request', details: { field } });
  });

  it('values are the service’s to check: a bad duration is its invalid_request', async () => {
    const { service } = makeHarness();
    const statement: Statement = { kind: 'createToken', owner: { kind: 'own' }, maxDuration: 'forever' };
    expect((await errorOf(executeStatement(service, statement, ALICE))).details.field).toBe('ttl');
  });
});
