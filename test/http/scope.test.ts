/**
 * Grants as RFC 6749 §3.3 scope tokens (docs/http.md, "Scope tokens"): the
 * introspection `scope` lists exactly the needs `principal.can()` allows,
 * in valid scope-token syntax, and guards name their needs in the same
 * encoding. The expected tokens come from the documented table, written
 * out here apart from the implementation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grantsAllow } from '../../src/core/grants.js';
import { createPrincipal } from '../../src/core/principal.js';
import type { Grant, GrantSet, Need } from '../../src/core/types.js';
import { checkGuard, grantGuard } from '../../src/http/authenticate.js';
import { activeIntrospection } from '../../src/http/introspection-answer.js';
import { grantsOfScope, scopeOf } from '../../src/http/scope.js';

// RFC 6749 §3.3: scope = scope-token *( SP scope-token ), scope-token = 1*NQCHAR.
const SCOPE_SYNTAX = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;

/**
 * Names that stress the encoding: colons (a scope named like a bucket
 * token), the full-access word, letters outside ASCII, and every special
 * character names may hold.
 */
const NAMES = ['main', 'bucket:main:read', 'all', 'café', '数据', 'a.b_c-d/e@f+g', 'x:y'] as const;
const name = fc.constantFrom(...NAMES);

const arbGrant: fc.Arbitrary<Grant> = fc.oneof(
  fc.record({ bucket: name, access: fc.constantFrom('read' as const, 'write' as const) }),
  fc.record({ component: name }),
  fc.record({
    component: name,
    actions: fc.subarray(['run', 'configure'] as const, { minLength: 1 }).map((actions) => [...actions]),
  }),
  fc.record({ scope: name }),
);
const arbGrantSet: fc.Arbitrary<GrantSet> = fc.oneof(
  { weight: 1, arbitrary: fc.constant('all' as const) },
  { weight: 6, arbitrary: fc.array(arbGrant, { maxLength: 8 }) },
);

/** Every need over the name pool. */
const EVERY_NEED: readonly Need[] = NAMES.flatMap((n): Need[] => [
  { bucket: n, access: 'read' },
  { bucket: n, access: 'write' },
  { component: n, action: 'run' },
  { component: n, action: 'configure' },
  { scope: n },
]);

/** The documented encoding: kind prefix, name with non-ASCII characters percent-encoded as UTF-8. */
function documentedToken(need: Need): string {
  const encode = (text: string): string =>
    [...text].map((c) => (c.charCodeAt(0) > 0x7e ? encodeURIComponent(c) : c)).join('');
  if ('bucket' in need) return `bucket:${encode(need.bucket)}:${need.access}`;
  if ('component' in need) return `component:${encode(need.component)}:${need.action}`;
  return `scope:${encode(need.scope)}`;
}

function principalWith(grants: GrantSet) {
  return createPrincipal({
    tokenId: '01J0000000000000000000000A',
    type: grants === 'all' ? 'administrative' : 'limited',
    tenant: 'acme',
    owner: grants === 'all' ? null : 'bob',
    name: 'scoped',
    grants,
    ownerIsAdmin: false,
    expiresAt: null,
    meta: null,
  });
}

describe('scope tokens of introspection answers', () => {
  it('list exactly the needs can() allows, each once, in RFC 6749 syntax; nothing allowed → no scope', () => {
    fc.assert(
      fc.property(arbGrantSet, (grants) => {
        const principal = principalWith(grants);
        const { scope } = activeIntrospection(principal);
        if (grants === 'all') {
          expect(scope).toBe('all');
          return;
        }
        const allowed = EVERY_NEED.filter((need) => principal.can(need)).map(documentedToken);
        if (allowed.length === 0) {
          expect(scope).toBeUndefined();
          return;
        }
        expect(scope).toMatch(SCOPE_SYNTAX);
        const tokens = scope!.split(' ');
        expect(new Set(tokens).size).toBe(tokens.length);
        expect([...tokens].sort()).toEqual([...allowed].sort());
      }),
      { numRuns: 300 },
    );
  });

  it('never print a grant as the full-access token, and print distinct needs as distinct tokens', () => {
    const tokens = EVERY_NEED.map((need) => activeIntrospection(principalWith([needGrant(need)])).scope!.split(' '));
    const own = EVERY_NEED.map((_need, index) => tokens[index]!.at(-1));
    expect(own).not.toContain('all');
    expect(new Set(own).size).toBe(EVERY_NEED.length);
  });
});

/** The narrowest grant that allows a need. */
function needGrant(need: Need): Grant {
  if ('component' in need) return { component: need.component, actions: [need.action] };
  return need;
}

describe('guards name their needs in the same encoding', () => {
  it('in the scope attribute of the 403 challenge, names outside ASCII included', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(...EVERY_NEED), { minLength: 1, maxLength: 4 }), (needs) => {
        const guard = grantGuard(needs);
        const answer = checkGuard(principalWith([]), guard, 'api');
        const expected = needs.map(documentedToken).join(' ');
        expect(answer?.status).toBe(403);
        expect(answer?.headers['www-authenticate']).toBe(
          `Bearer realm="api", error="insufficient_scope", scope="${expected}"`,
        );
      }),
    );
  });
});

describe('the remote verifier reads the encoding back', () => {
  it('grantsOfScope(scopeOf(grants)) allows exactly what the grants allow, names outside ASCII included', () => {
    fc.assert(
      fc.property(arbGrantSet, (grants) => {
        const scope = scopeOf(grants);
        const read = scope === undefined ? [] : grantsOfScope(scope);
        for (const need of EVERY_NEED) expect(grantsAllow(read, need)).toBe(grantsAllow(grants, need));
      }),
    );
  });

  it("keeps another platform's scope tokens as scopes of their own text", () => {
    expect(grantsOfScope('read:users  profile')).toEqual([{ scope: 'profile' }, { scope: 'read:users' }]);
    expect(grantsOfScope('all')).toBe('all');
  });
});
