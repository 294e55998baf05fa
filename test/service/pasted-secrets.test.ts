/**
 * A live token or claim code of the service pasted where a name, comment or
 * user name is expected is refused by the service (so every surface gets
 * it: API, statements, CLI, page), naming the field and never repeating
 * the value; ordinary names, including long ones with underscores, pass.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comment, identifier, tokenName } from '../../src/core/input.js';
import { memoryDirectoryStore } from '../../src/stores/memory/index.js';
import { runOne } from '../sql/support.js';
import { ALICE, makeHarness } from '../support/service.js';
import { withoutDirectory } from './master-support.js';

async function refusal(
  work: Promise<unknown>,
): Promise<{ code: string; details: { field?: string }; message: string }> {
  try {
    await work;
  } catch (error) {
    return error as { code: string; details: { field?: string }; message: string };
  }
  throw new Error('accepted');
}

async function secrets() {
  const h = makeHarness(withoutDirectory({ directoryStore: memoryDirectoryStore() }));
  await h.service.directory.addUser({ tenant: 'acme', name: 'alice', admin: true }, 'system');
  const issued = await h.service.issue({ name: 'real' }, ALICE);
  const token = issued.token;
  const { code } = await h.service.share(issued.info.id, ALICE, { ttl: '1d' });
  return { h, token, code, id: issued.info.id };
}

describe('a token or claim code pasted as a name, comment or user name', () => {
  it('is refused on every call that stores one, naming the field and not repeating the value', async () => {
    const { h, token, code, id } = await secrets();
    const { service } = h;
    for (const secret of [token, code, `see ${token} here`, `${code}\n`]) {
      const calls: [string, () => Promise<unknown>][] = [
        ['name', () => service.issue({ name: secret }, ALICE)],
        ['comment', () => service.issue({ name: 'ok', comment: secret }, ALICE)],
        ['comment', () => service.updateComment(id, secret, ALICE)],
        ['patch.name', () => service.update(id, { name: secret }, ALICE)],
        ['patch.comment', () => service.update(id, { comment: secret }, ALICE)],
        ['input.name', () => service.directory.addUser({ tenant: 'acme', name: secret.trim() }, 'system')],
      ];
      for (const [field, call] of calls) {
        const error = await refusal(call());
        expect(error.code, field).toBe('invalid_request');
        expect(error.details.field, field).toBe(field);
        expect(error.message, field).not.toContain(secret.trim());
        expect(JSON.stringify(error), field).not.toContain(secret.trim().slice(-20));
      }
    }
    const names = (await service.list({}, ALICE)).items.map((item) => item.name);
    expect(names).toEqual(['real']);
  });

  it('is refused in a token statement as the service refuses it', async () => {
    const { h, token, code } = await secrets();
    for (const text of [`CREATE API TOKEN "${token}"`, `CREATE API TOKEN ci COMMENT '${code}'`]) {
      const error = await refusal(runOne(h.service, text, ALICE));
      expect(error.code, text).toBe('invalid_request');
      expect(error.message, text).not.toContain(token);
      expect(error.message, text).not.toContain(code);
    }
  });

  it("refuses a JWT (the JWT format's tokens and sessions) in a comment too", () => {
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.${'a'.repeat(43)}`;
    expect(() => comment(`pasted: ${jwt}`)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('leaves ordinary names alone, underscores and length included', () => {
    const ordinary = [
      'ci_pipeline',
      'acme_p_short',
      'tw_claim_for_the_billing_service_of_acme_corp',
      `acme_p_${'A'.repeat(26)}${'b'.repeat(36)}`,
      'eyJhbGciOi.not.a.jwt',
      'x'.repeat(100),
    ];
    for (const name of ordinary) {
      expect(tokenName(name)).toBe(name);
      expect(comment(name)).toBe(name);
    }
    expect(identifier('svc_account_for_the_nightly_export_job_of_acme_corp', 'user')).toBeTruthy();
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9_ ]{0,99}$/), (name) => {
        fc.pre(name.trim() === name);
        expect(tokenName(name)).toBe(name);
      }),
    );
  });
});

describe('the JWT shape refused (the shortest one is 40 characters)', () => {
  const part = (n: number) => 'x'.repeat(n);
  const shortest = `eyJ${part(8)}.eyJ${part(8)}.${part(16)}`;

  it('refuses the shortest JWT shape, at exactly the length below which nothing is looked for', () => {
    expect(shortest).toHaveLength(40);
    expect(() => comment(shortest)).toThrow(/holds a token or claim code/);
  });

  it('lets a dotted word through whose last part is too short to be a signature', () => {
    const unsigned = `eyJ${part(8)}.eyJ${part(8)}.${part(15)} and more text after it`;
    expect(comment(unsigned)).toBe(unsigned);
  });
});
