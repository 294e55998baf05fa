/**
 * Lifecycle hooks, the injected logger and the tracer (issue 13): each hook
 * once per change, after it is stored, with the token's info and never its
 * secret; a hook that throws or rejects changes nothing and is logged; the
 * verification-failed hook carries the code and the named token id only;
 * spans around calls carry ids and codes, never arguments.
 */
import { describe, expect, it } from 'vitest';
import { opaqueFormat } from '../../src/core/format.js';
import type { Logger } from '../../src/core/logger.js';
import type { TokenHooks, TokenTracer } from '../../src/service/types.js';
import { codeOf } from '../support/errors.js';
import { ALICE, ANALYST, BOB, makeHarness } from '../support/service.js';

type Call = { readonly hook: string; readonly payload: Record<string, unknown> };

function recordingHooks(): { hooks: TokenHooks; calls: Call[] } {
  const calls: Call[] = [];
  const record =
    (hook: string) =>
    (payload: unknown): void => {
      calls.push({ hook, payload: payload as Record<string, unknown> });
    };
  const hooks: TokenHooks = {
    onIssued: record('onIssued'),
    onRotated: record('onRotated'),
    onRevoked: record('onRevoked'),
    onClaimed: record('onClaimed'),
    onUpdated: record('onUpdated'),
    onImported: record('onImported'),
    onVerificationFailed: record('onVerificationFailed'),
  };
  return { hooks, calls };
}

function recordingLogger(): Logger & { lines: unknown[][] } {
  const lines: unknown[][] = [];
  return {
    lines,
    warn: (...args) => void lines.push(['warn', ...args]),
    error: (...args) => void lines.push(['error', ...args]),
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('lifecycle hooks', () => {
  it('fire once per change with the token as it was left, the actor and the time; never a secret', async () => {
    const { hooks, calls } = recordingHooks();
    const h = makeHarness({ hooks });
    const issued = await h.service.issue({ name: 'ci' }, ANALYST);
    const rotated = await h.service.rotate(issued.info.id, ANALYST);
    await h.service.update(issued.info.id, { comment: 'nightly', enabled: true }, ANALYST);
    const shared = await h.service.share(issued.info.id, ANALYST);
    const claimed = await h.service.claim(shared.code);
    await h.service.revoke(issued.info.id, ANALYST);
    await h.service.issue({ name: 'a' }, BOB);
    await h.service.issue({ name: 'b' }, BOB);
    expect(await h.service.revokeAll({ user: 'bob' }, ALICE)).toBe(2);
    await settle();
    expect(calls.map((call) => call.hook)).toEqual([
      'onIssued',
      'onRotated',
      'onUpdated',
      'onClaimed',
      'onRevoked',
      'onIssued',
      'onIssued',
      'onRevoked',
      'onRevoked',
    ]);
    expect(calls[0]!.payload).toMatchObject({
      token: { id: issued.info.id, name: 'ci', status: 'active' },
      actor: 'user:analyst',
      at: new Date(h.clock.now()),
    });
    expect(calls[2]!.payload).toMatchObject({ fields: ['comment'], token: { comment: 'nightly' } });
    expect(calls[3]!.payload).toMatchObject({ actor: 'claim:user:analyst' });
    expect(calls[4]!.payload).toMatchObject({ token: { status: 'revoked' } });
    expect(
      calls
        .slice(-2)
        .map((call) => (call.payload.token as { name: string }).name)
        .sort(),
    ).toEqual(['a', 'b']);
    const everything = JSON.stringify(calls);
    for (const secret of [issued.token, rotated.token, claimed.token, shared.code]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('verification failures: the code and the id the string named, never the string', async () => {
    const { hooks, calls } = recordingHooks();
    const h = makeHarness({ hooks });
    const issued = await h.service.issue({ ttl: '1h' }, ANALYST);
    // A well-formed string (checksum and all) for the token's id with another secret.
    const wrongSecret = await opaqueFormat('acme').encode({
      id: issued.info.id,
      secret: 'A'.repeat(30),
      type: 'personal',
      tenant: 'acme',
      owner: 'analyst',
      issuedAt: h.clock.now(),
      expiresAt: null,
    });
    await codeOf(h.service.verify('garbage'));
    await codeOf(h.service.verify(wrongSecret));
    h.clock.advance(3_600_000);
    await codeOf(h.service.verify(issued.token));
    await settle();
    const failures = calls.filter((call) => call.hook === 'onVerificationFailed');
    expect(failures.map((call) => [call.payload.code, call.payload.tokenId])).toEqual([
      ['token_invalid', null],
      ['token_invalid', issued.info.id],
      ['token_expired', issued.info.id],
    ]);
    expect(JSON.stringify(calls)).not.toContain(issued.token.slice(-20));
  });

  it('a hook that throws or rejects changes nothing and is logged with its name and code', async () => {
    const logger = recordingLogger();
    const h = makeHarness({
      logger,
      hooks: {
        onIssued: () => {
          throw new TypeError('boom');
        },
        onRevoked: () => Promise.reject(Object.assign(new Error('later'), { code: 'EHOOK' })),
      },
    });
    const issued = await h.service.issue({}, ANALYST);
    expect(issued.info.status).toBe('active');
    await h.service.revoke(issued.info.id, ANALYST);
    await settle();
    expect(logger.lines).toEqual([
      ['error', 'the onIssued hook failed', { hook: 'onIssued', code: 'TypeError' }],
      ['error', 'the onRevoked hook failed', { hook: 'onRevoked', code: 'EHOOK' }],
    ]);
    // A logger that throws does not turn the call into a failure either.
    const broken = makeHarness({
      logger: {
        warn: () => {
          throw new Error('logger down');
        },
        error: () => {
          throw new Error('logger down');
        },
      },
      hooks: {
        onIssued: () => {
          throw new Error('x');
        },
      },
    });
    await expect(broken.service.issue({}, ANALYST)).resolves.toMatchObject({ info: { status: 'active' } });
  });

  it('options: hooks must be functions of known names; logger and tracer must have their methods', () => {
    for (const [options, field] of [
      [{ hooks: { onIssue: () => {} } }, 'hooks.onIssue'],
      [{ hooks: { onIssued: 'yes' } }, 'hooks.onIssued'],
      [{ logger: { warn: () => {} } }, 'logger'],
      [{ tracer: {} }, 'tracer'],
      [{ expiryWarnings: ['1d', '1d'] }, 'expiryWarnings'],
      [{ expiryWarnings: ['soon'] }, 'expiryWarnings[0]'],
    ] as const) {
      expect(() => makeHarness(options as never)).toThrow(expect.objectContaining({ details: { field } }));
    }
  });
});

describe('tracer', () => {
  function recordingTracer(): TokenTracer & {
    spans: { name: string; attributes: Record<string, unknown>; failed?: string }[];
  } {
    const spans: { name: string; attributes: Record<string, unknown>; failed?: string }[] = [];
    return {
      spans,
      async trace(name, work) {
        const span: { name: string; attributes: Record<string, unknown>; failed?: string } = { name, attributes: {} };
        spans.push(span);
        return work({
          setAttribute: (key, value) => {
            span.attributes[key] = value;
          },
          fail: (code) => {
            span.failed = code;
          },
        });
      },
    };
  }

  it('wraps every asynchronous call in a span with the token id, tenant and type, or the failure code', async () => {
    const tracer = recordingTracer();
    const h = makeHarness({ tracer });
    const issued = await h.service.issue({ name: 'traced' }, ANALYST);
    await h.service.verify(issued.token);
    await codeOf(h.service.verify('garbage'));
    const handle = h.service.startMaintenance({ runAtStart: false });
    await handle.stop();
    expect(tracer.spans).toEqual([
      {
        name: 'tokenward.issue',
        attributes: {
          'tokenward.token.id': issued.info.id,
          'tokenward.tenant': 'acme',
          'tokenward.token.type': 'personal',
        },
      },
      {
        name: 'tokenward.verify',
        attributes: {
          'tokenward.token.id': issued.info.id,
          'tokenward.tenant': 'acme',
          'tokenward.token.type': 'personal',
        },
      },
      { name: 'tokenward.verify', attributes: {}, failed: 'token_invalid' },
    ]);
    expect(JSON.stringify(tracer.spans)).not.toContain(issued.token);
  });
});
