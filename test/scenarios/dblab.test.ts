/**
 * Database Lab Engine and Platform tokens, on the token service: the engine's
 * verification token from configuration, personal and administrative access
 * tokens of an organization, `enablePersonalTokens`, and the platform
 * functions a token may call (SPEC §2; seeds 000 and 001).
 *
 * The organization is a tenant: nik administers it, dmitry and olga are
 * members allowed the platform functions.
 */
import { describe, expect, it } from 'vitest';
import { type StaticDirectoryData, staticDirectory } from '../../src/core/directory.js';
import type { Need } from '../../src/core/types.js';
import type { TokenServiceOptions } from '../../src/service/types.js';
import { makeHarness } from '../support/service.js';
import { startGateway } from './gateway.js';
import { codeOf, DAY, expectNoSecret } from './support.js';

const ORG = 'postgres-ai';
const NIK = { tenant: ORG, user: 'nik' } as const;
const DMITRY = { tenant: ORG, user: 'dmitry' } as const;
const OLGA = { tenant: ORG, user: 'olga' } as const;

/** What access tokens may call on the Platform. */
const PLATFORM_FUNCTIONS = [
  'checkup_report_create',
  'checkup_report_file_post',
  'dblab_token_check',
  'joe_message_artifact_post',
  'joe_message_post',
  'joe_session_command_post',
  'joe_session_create',
] as const;
const FUNCTION_GRANTS = PLATFORM_FUNCTIONS.map((scope) => ({ scope }));

const ORGANIZATION: StaticDirectoryData = {
  [ORG]: {
    nik: { admin: true },
    dmitry: { grants: FUNCTION_GRANTS },
    olga: { grants: FUNCTION_GRANTS },
  },
  'other-org': { vera: { admin: true } },
};

/** The engine's `verificationToken` from its configuration file. */
const VERIFICATION_TOKEN = 'dle-verification-token-from-config';

function engine(options: Partial<TokenServiceOptions> = {}) {
  return makeHarness({
    directory: staticDirectory(ORGANIZATION),
    verificationTokens: [{ secret: VERIFICATION_TOKEN, tenant: ORG }],
    ...options,
  });
}

const need = (scope: string): Need => ({ scope });

describe('Database Lab: the verification token', () => {
  it('authorizes every request to the engine API', async () => {
    const { service } = engine();
    const principal = await service.verify(VERIFICATION_TOKEN);
    expect(principal).toMatchObject({ type: 'verification', tenant: ORG, owner: null });
    for (const scope of PLATFORM_FUNCTIONS) expect(principal.can(need(scope))).toBe(true);
    expect(principal.can({ bucket: 'anything', access: 'write' })).toBe(true);
    // Only the configured value: a near miss is just an invalid token.
    expect(await codeOf(service.verify(`${VERIFICATION_TOKEN}x`))).toBe('token_invalid');
    expect(await codeOf(service.verify(VERIFICATION_TOKEN.slice(0, -1)))).toBe('token_invalid');
  });

  it('with enablePersonalTokens: false, every user must use it: issued tokens are refused', async () => {
    const { service } = engine({ enablePersonalTokens: false });
    const { token } = await service.issue({ name: 'laptop' }, DMITRY);
    expect(await codeOf(service.verify(token))).toBe('token_invalid');
    expect((await service.verify(VERIFICATION_TOKEN)).type).toBe('verification');
  });

  it('in personal-tokens-only mode it is known to the admin only and refused as a credential', async () => {
    const { service } = engine({ personalTokensOnly: true });
    expect(await codeOf(service.verify(VERIFICATION_TOKEN))).toBe('token_invalid');
    const { token } = await service.issue({ name: 'laptop' }, DMITRY);
    expect((await service.verify(token)).owner).toBe('dmitry');
  });
});

describe('Database Lab: the Verification-Token header', () => {
  it('carries the verification token, or a personal token once they are enabled', async () => {
    const { service } = engine();
    const { token } = await service.issue({ name: 'cli' }, DMITRY);
    const gateway = await startGateway(service, { header: 'Verification-Token' });
    try {
      expect(await gateway.whoami({ 'verification-token': VERIFICATION_TOKEN })).toMatchObject({
        status: 200,
        body: { type: 'verification', tenant: ORG },
      });
      expect(await gateway.whoami({ 'Verification-Token': token })).toMatchObject({
        status: 200,
        body: { type: 'personal', owner: 'dmitry' },
      });
      await service.revoke({ owner: 'dmitry', name: 'cli' }, NIK);
      expect((await gateway.whoami({ 'Verification-Token': token })).status).toBe(401);
      expect((await gateway.whoami({ 'Verification-Token': VERIFICATION_TOKEN })).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});

describe('Database Lab: personal tokens', () => {
  it('each user has their own, revoked individually without affecting the others', async () => {
    const { service } = engine();
    const dmitrys = await service.issue({ name: 'cli' }, DMITRY);
    const olgas = await service.issue({ name: 'cli' }, OLGA);
    expect((await service.verify(dmitrys.token)).owner).toBe('dmitry');
    expect((await service.verify(olgas.token)).owner).toBe('olga');

    await service.revoke(dmitrys.info.id, DMITRY);
    expect(await codeOf(service.verify(dmitrys.token))).toBe('token_revoked');
    expect((await service.verify(olgas.token)).owner).toBe('olga');
    expect((await service.verify(VERIFICATION_TOKEN)).type).toBe('verification');
  });

  it('expire in 1 year by default, and are shown only at creation', async () => {
    const { service, clock } = engine();
    const { token, info } = await service.issue({ name: 'any string, even with spaces' }, DMITRY);
    expect(info.expiresAt?.getTime()).toBe(clock.now() + 365 * DAY);
    expectNoSecret(await service.list({}, DMITRY), token);
    expectNoSecret(await service.get(info.id, NIK), token);
  });

  it('carry their owner’s platform functions, or only the ones granted', async () => {
    const { service } = engine();
    const full = await service.verify((await service.issue({ name: 'all-functions' }, DMITRY)).token);
    for (const scope of PLATFORM_FUNCTIONS) expect(full.can(need(scope))).toBe(true);

    const checkup = await service.verify(
      (await service.issue({ name: 'checkup', grants: [{ scope: 'checkup_report_create' }] }, DMITRY)).token,
    );
    expect(checkup.can(need('checkup_report_create'))).toBe(true);
    expect(() => checkup.assert(need('checkup_report_create'))).not.toThrow();
    expect(checkup.can(need('joe_session_create'))).toBe(false);
    expect(() => checkup.assert(need('joe_session_create'))).toThrow(
      expect.objectContaining({ code: 'insufficient_scope', details: { need: need('joe_session_create') } }),
    );
    // A function the owner may not call cannot be granted.
    expect(await codeOf(service.issue({ grants: [{ scope: 'billing_update' }] }, DMITRY))).toBe('insufficient_scope');
  });

  it('users manage only their own personal tokens; administrators manage everyone’s', async () => {
    const { service } = engine();
    const dmitrys = await service.issue({ name: 'cli' }, DMITRY);
    const olgas = await service.issue({ name: 'cli' }, OLGA);
    // Olga can neither see nor touch Dmitry's token.
    expect(await codeOf(service.get(dmitrys.info.id, OLGA))).toBe('not_found');
    expect(await codeOf(service.revoke(dmitrys.info.id, OLGA))).toBe('not_found');
    expect(await codeOf(service.rotate(dmitrys.info.id, OLGA))).toBe('not_found');
    expect(await codeOf(service.issue({ name: 'for-dmitry', owner: 'dmitry' }, OLGA))).toBe('forbidden');
    expect((await service.list({}, OLGA)).items.map((info) => info.id)).toEqual([olgas.info.id]);
    // The administrator can.
    await service.revoke(dmitrys.info.id, NIK);
    expect(await codeOf(service.verify(dmitrys.token))).toBe('token_revoked');
    const forOlga = await service.issue({ name: 'for-olga', owner: 'olga' }, NIK);
    expect(forOlga.info.owner).toBe('olga');
  });
});

describe('Database Lab: administrative tokens', () => {
  it('are impersonal, work in their organization only, and have full access there', async () => {
    const { service } = engine();
    const { token, info } = await service.issue({ type: 'administrative', name: 'dle-instance-1' }, NIK);
    expect(info).toMatchObject({ type: 'administrative', owner: null, tenant: ORG });
    const principal = await service.verify(token, { tenant: ORG });
    expect(principal).toMatchObject({ type: 'administrative', owner: null });
    for (const scope of PLATFORM_FUNCTIONS) expect(principal.can(need(scope))).toBe(true);
    expect(await codeOf(service.verify(token, { tenant: 'other-org' }))).toBe('token_invalid');
  });

  it('are created and managed by administrators only', async () => {
    const { service } = engine();
    expect(await codeOf(service.issue({ type: 'administrative', name: 'dle' }, DMITRY))).toBe('forbidden');
    const { token, info } = await service.issue({ type: 'administrative', name: 'dle' }, NIK);
    // Members do not see them, let alone rotate or revoke them.
    expect(await codeOf(service.list({ owner: null }, DMITRY))).toBe('forbidden');
    expect(await codeOf(service.get(info.id, DMITRY))).toBe('not_found');
    expect(await codeOf(service.rotate(info.id, DMITRY))).toBe('not_found');
    expect(await codeOf(service.revoke(info.id, DMITRY))).toBe('not_found');
    // Nor does another organization's administrator.
    expect(await codeOf(service.revoke(info.id, { tenant: 'other-org', user: 'vera' }))).toBe('not_found');
    expect((await service.verify(token)).type).toBe('administrative');

    expect((await service.list({ owner: null }, NIK)).items.map((item) => item.name)).toEqual(['dle']);
    const rotated = await service.rotate(info.id, NIK);
    expect(await codeOf(service.verify(token))).toBe('token_invalid');
    await service.revoke(info.id, NIK);
    expect(await codeOf(service.verify(rotated.token))).toBe('token_revoked');
  });
});
