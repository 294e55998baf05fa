/**
 * Tables of bad options for the HTTP helpers, shared by the configuration
 * tests of every framework: each row's options and the field the
 * `TokenError('invalid_request')` must name.
 */
import { expect } from 'vitest';
import { TokenError } from '../../../src/core/errors.js';

/** The field of the `TokenError('invalid_request')` a build throws; fails on success or any other error. */
export function refusedField(build: () => unknown): string | undefined {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(TokenError);
    expect((error as TokenError).code).toBe('invalid_request');
    return (error as TokenError).details.field;
  }
  throw new Error('expected the options to be refused');
}

/** Options of `tokenAuth` and the Fastify plugin, each refused with the field named. */
export const AUTH_CASES: readonly (readonly [Record<string, unknown>, string])[] = [
  [{ realm: 'say "hi"' }, 'realm'],
  [{ realm: 42 }, 'realm'],
  [{ optional: 'yes' }, 'optional'],
  [{ record: 'yes' }, 'record'],
  [{ onRecordError: 'log' }, 'onRecordError'],
  [{ logger: console.warn }, 'logger'],
  [{ logger: { warn: () => undefined } }, 'logger'],
  [{ tenant: 'two words' }, 'tenant'],
  [{ tenant: 42 }, 'tenant'],
  [{ header: 'Bad Header' }, 'header'],
  [{ header: 5 }, 'header'],
  [{ header: 'authorization' }, 'header'],
  [{ cookie: 'a;b' }, 'cookie'],
  [{ query: 1 }, 'query'],
  [{ maxTokenLength: 10 }, 'maxTokenLength'],
  [{ maxTokenLength: '4096' }, 'maxTokenLength'],
  [{ authorization: false }, 'authorization'],
  [{ authorization: 'no' }, 'authorization'],
  [{ realms: 'x' }, 'options.realms'],
];

export const GUARD_CASES: readonly (readonly [unknown, unknown, string])[] = [
  [undefined, undefined, 'need'],
  [null, undefined, 'need'],
  [{ bucket: 'x' }, undefined, 'need'],
  [[], undefined, 'need'],
  [[{ scope: 'a' }, { bucket: 'x', access: 'delete' }], undefined, 'need[1]'],
  [{ scope: 'a' }, { realm: '"' }, 'realm'],
  [{ scope: 'a' }, { realmz: 'x' }, 'options.realmz'],
];

export const MANAGEMENT_CASES: readonly (readonly [Record<string, unknown>, string])[] = [
  [{ actor: 'me' }, 'actor'],
  [{ realm: '' }, 'realm'],
  [{ bodyLimit: '64 parsecs' }, 'bodyLimit'],
  [{ bodyLimit: 0 }, 'bodyLimit'],
  [{ bodyLimit: '2gb' }, 'bodyLimit'],
  [{ bodyLimit: 1.5 }, 'bodyLimit'],
  [{ ambientHeaders: 'x-corp' }, 'ambientHeaders'],
  [{ ambientHeaders: ['authorization'] }, 'ambientHeaders[0]'],
  [{ ambientHeaders: ['x-ok', 'bad name'] }, 'ambientHeaders[1]'],
  [{ acter: () => null }, 'options.acter'],
];

export const GOOD_SECRET = 'a-client-secret-of-at-least-32-characters';

export const INTROSPECTION_CASES: readonly (readonly [Record<string, unknown>, string])[] = [
  [{ authorize: true }, 'authorize'],
  [{ anyTenant: 'yes' }, 'anyTenant'],
  [{ realm: 'line\nbreak' }, 'realm'],
  [{ anyTenants: true }, 'options.anyTenants'],
  [{ clients: 'resource-server' }, 'clients'],
  [{ clients: [null] }, 'clients[0]'],
  [{ clients: [{ secret: GOOD_SECRET }] }, 'clients[0].id'],
  [{ clients: [{ id: 'has space', secret: GOOD_SECRET }] }, 'clients[0].id'],
  [{ clients: [{ id: 'a', secret: 'too-short' }] }, 'clients[0].secret'],
  [{ clients: [{ id: 'a' }] }, 'clients[0]'],
  [{ clients: [{ id: 'a', secret: GOOD_SECRET, tenant: 'a b' }] }, 'clients[0].tenant'],
  [{ clients: [{ id: 'a', secret: GOOD_SECRET, scope: 'x' }] }, 'clients[0].scope'],
  [{ clients: [{ id: 'a', jwks: [] }], assertionAudience: 'https://as' }, 'clients[0].jwks'],
  [
    { clients: [{ id: 'a', jwks: [{ kty: 'oct', k: 'c2VjcmV0' }] }], assertionAudience: 'https://as' },
    'clients[0].jwks[0]',
  ],
  [
    { clients: [{ id: 'a', jwks: [{ kty: 'EC', d: 'private' }] }], assertionAudience: 'https://as' },
    'clients[0].jwks[0]',
  ],
  [{ clients: [{ id: 'a', jwks: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] }] }, 'clients[0].jwks'],
  [
    {
      clients: [
        { id: 'a', secret: GOOD_SECRET },
        { id: 'a', secret: GOOD_SECRET },
      ],
    },
    'clients[1].id',
  ],
  [{ assertionAudience: [] }, 'assertionAudience'],
  [{ assertionAudience: 'with space' }, 'assertionAudience'],
  [{ issuer: 'https://auth.example.com' }, 'issuer'],
  [{ issuer: 'https://auth.example.com/{tenant} x' }, 'issuer'],
  [{ issuer: 42 }, 'issuer'],
];
