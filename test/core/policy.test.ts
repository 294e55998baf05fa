import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { type ApplicablePolicy, resolveLifetime, resolveMaxTtl } from '../../src/core/policy.js';

const DAY = 86_400_000;
const arbPolicy: fc.Arbitrary<ApplicablePolicy> = fc.record({
  source: fc.oneof(
    fc.record({ kind: fc.constant('user' as const), name: fc.constantFrom('analyst', 'alice') }),
    fc.record({ kind: fc.constant('role' as const), name: fc.constantFrom('service_accounts', 'bi') }),
  ),
  maxTtl: fc.integer({ min: 1, max: 800 * DAY }),
});

describe('max-duration resolution (properties)', () => {
  it('is the maximum of the applicable policies capped by the ceiling, or the ceiling with none', () => {
    fc.assert(
      fc.property(
        fc.array(arbPolicy, { maxLength: 6 }),
        fc.integer({ min: DAY, max: 400 * DAY }),
        (policies, ceiling) => {
          const result = resolveMaxTtl(policies, ceiling);
          const longest = policies.length === 0 ? ceiling : Math.max(...policies.map((p) => p.maxTtl));
          expect(result.maxTtl).toBe(Math.min(longest, ceiling));
          expect(result.maxTtl).toBeLessThanOrEqual(ceiling);
          if (policies.length === 0) expect(result.source).toEqual({ kind: 'system' });
          else {
            // The explanation names a policy that really has the longest limit.
            const winner = policies.find((p) => p.source === result.source);
            expect(winner?.maxTtl).toBe(longest);
            expect(result.capped).toBe(longest > ceiling);
          }
        },
      ),
    );
  });

  it('adding a policy never shortens the limit (least restrictive wins)', () => {
    fc.assert(
      fc.property(fc.array(arbPolicy, { minLength: 1, maxLength: 5 }), arbPolicy, (policies, extra) => {
        const before = resolveMaxTtl(policies, 365 * DAY).maxTtl;
        expect(resolveMaxTtl([...policies, extra], 365 * DAY).maxTtl).toBeGreaterThanOrEqual(before);
      }),
    );
  });
});

describe('lifetime of a new token (properties)', () => {
  const defaults = { defaultTtl: 365 * DAY, allowNoExpiry: false };

  it('no request gets min(default, effective maximum)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 800 * DAY }), fc.integer({ min: 1, max: 800 * DAY }), (def, max) => {
        const limit = resolveMaxTtl([{ source: { kind: 'user', name: 'u' }, maxTtl: max }], 900 * DAY);
        expect(resolveLifetime(undefined, limit, { defaultTtl: def, allowNoExpiry: false })).toBe(Math.min(def, max));
      }),
    );
  });

  it('a request above the maximum is refused naming the limit, never shortened; at or below it is kept', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 800 * DAY }), fc.integer({ min: 1, max: 800 * DAY }), (requested, max) => {
        const limit = resolveMaxTtl([{ source: { kind: 'role', name: 'service_accounts' }, maxTtl: max }], 900 * DAY);
        if (requested <= max) {
          expect(resolveLifetime(requested, limit, defaults)).toBe(requested);
        } else {
          try {
            resolveLifetime(requested, limit, defaults);
            expect.unreachable();
          } catch (error) {
            expect(error).toBeInstanceOf(TokenError);
            expect((error as TokenError).code).toBe('duration_exceeds_policy');
            expect((error as TokenError).details.limit).toBe(max);
            expect((error as TokenError).message).toContain('service_accounts');
          }
        }
      }),
    );
  });

  it('no expiry only when allowed and no policy applies', () => {
    const system = resolveMaxTtl([], 365 * DAY);
    const withPolicy = resolveMaxTtl([{ source: { kind: 'user', name: 'analyst' }, maxTtl: DAY }], 365 * DAY);
    expect(resolveLifetime(null, system, { ...defaults, allowNoExpiry: true })).toBeNull();
    expect(() => resolveLifetime(null, system, defaults)).toThrow(TokenError);
    expect(() => resolveLifetime(null, withPolicy, { ...defaults, allowNoExpiry: true })).toThrow(/24h|1d/);
  });
});
