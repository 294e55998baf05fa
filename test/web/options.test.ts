/**
 * `tokenPage` checks its options when it is built: every bad one is a
 * `TokenError('invalid_request')` naming it, never a page that fails at its
 * first request.
 */
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../src/index.js';
import { type TokenPageOptions, tokenPage } from '../../src/web/index.js';
import { pageService, TENANT } from './support.js';

const service = await pageService();
const base = { tenant: TENANT, signIn: { demoUsers: ['alice'] } };

function refusal(options: unknown, ...given: unknown[]): TokenError {
  try {
    tokenPage((given.length === 0 ? service : given[0]) as never, options as TokenPageOptions);
  } catch (error) {
    if (error instanceof TokenError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
}

describe('tokenPage options', () => {
  const cases: [string, unknown, string][] = [
    ['no options', undefined, 'options'],
    ['a string', 'acme', 'options'],
    ['an unknown option', { ...base, realm: 'x' }, 'options.realm'],
    ['no tenant', { signIn: { demoUsers: ['alice'] } }, 'tenant'],
    ['a tenant with a space', { ...base, tenant: 'a b' }, 'tenant'],
    ['nobody to act', { tenant: TENANT }, 'signIn'],
    ['an empty sign-in', { tenant: TENANT, signIn: {} }, 'signIn'],
    ['an unknown sign-in member', { tenant: TENANT, signIn: { password: true } }, 'signIn.password'],
    ['demo users not a list', { tenant: TENANT, signIn: { demoUsers: 'alice' } }, 'signIn.demoUsers'],
    ['a bad demo user', { tenant: TENANT, signIn: { demoUsers: ['alice', 'a b'] } }, 'signIn.demoUsers[1]'],
    ['token sign-in not a boolean', { tenant: TENANT, signIn: { token: 'yes' } }, 'signIn.token'],
    ['actAs and signIn together', { ...base, actAs: { user: 'alice' } }, 'actAs'],
    ['actAs without a user', { tenant: TENANT, actAs: {} }, 'actAs.user'],
    ['actAs a bare string', { tenant: TENANT, actAs: 'alice' }, 'actAs'],
    ['allowedOrigins not a list', { ...base, allowedOrigins: 'https://a.example' }, 'allowedOrigins'],
    ['allowedOrigins empty', { ...base, allowedOrigins: [] }, 'allowedOrigins'],
    [
      'an origin with a path',
      { ...base, allowedOrigins: ['https://a.example', 'https://b.example/x'] },
      'allowedOrigins[1]',
    ],
    ['an origin with credentials', { ...base, allowedOrigins: ['https://u:p@a.example'] }, 'allowedOrigins[0]'],
    ['an origin of another scheme', { ...base, allowedOrigins: ['ftp://a.example'] }, 'allowedOrigins[0]'],
    ['not a URL', { ...base, allowedOrigins: ['a.example'] }, 'allowedOrigins[0]'],
    ['a share URL with a fragment', { ...base, shareUrl: 'https://a.example/#x' }, 'shareUrl'],
    ['a share URL of another scheme', { ...base, shareUrl: 'javascript:alert(1)' }, 'shareUrl'],
    ['allowNoExpiry not a boolean', { ...base, allowNoExpiry: 1 }, 'allowNoExpiry'],
    ['a bad sessionTtl', { ...base, sessionTtl: '8 hours' }, 'sessionTtl'],
    ['a bad tokenSessionTtl', { ...base, tokenSessionTtl: -1 }, 'tokenSessionTtl'],
    ['a store without delete', { ...base, sessionStore: { get() {}, set() {} } }, 'sessionStore'],
    ['a cookie name with a space', { ...base, cookieName: 'tw page' }, 'cookieName'],
    ['a cookie name with a semicolon', { ...base, cookieName: 'tw;x' }, 'cookieName'],
    ['a title on two lines', { ...base, title: 'API\ntokens' }, 'title'],
    ['a clock that is not a function', { ...base, now: 5 }, 'now'],
  ];
  for (const [what, options, field] of cases) {
    it(`refuses ${what}, naming ${field}`, () => {
      const error = refusal(options);
      expect(error.code).toBe('invalid_request');
      expect(error.details.field).toBe(field);
    });
  }

  it('refuses anything but a token service', () => {
    for (const given of [undefined, null, {}, 'service']) {
      expect(refusal(base, given).details.field).toBe('service');
    }
  });

  it('does not touch the options it is given', () => {
    const options = Object.freeze({ ...base, signIn: Object.freeze({ demoUsers: Object.freeze(['alice']) }) });
    expect(() => tokenPage(service, options)).not.toThrow();
  });
});
