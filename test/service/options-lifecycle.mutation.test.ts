/**
 * The options of issue 13 (src/service/options-lifecycle.ts) against written
 * answers (issue 15): defaults, every hook name, the expiry-warning limits
 * (10 accepted, 11 refused, repeats refused, shortest first), and the legacy
 * prefixes that would catch the service's own strings, each naming its field.
 */
import { describe, expect, it } from 'vitest';
import { consoleLogger } from '../../src/core/logger.js';
import { lifecycleSettings } from '../../src/service/options-lifecycle.js';
import { refusalOf } from '../support/refusal.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const HOOKS = [
  'onIssued',
  'onRotated',
  'onRevoked',
  'onClaimed',
  'onUpdated',
  'onImported',
  'onVerificationFailed',
  'onExpiring',
];

describe('lifecycleSettings', () => {
  it('defaults: no legacy prefixes, no hooks, the console logger, no tracer, warnings at 1d and 7d', () => {
    expect(lifecycleSettings({}, 'acme')).toEqual({
      legacyPrefixes: [],
      hooks: {},
      logger: consoleLogger,
      tracer: undefined,
      expiryWarnings: [DAY, 7 * DAY],
    });
    expect(lifecycleSettings({}, 'acme').logger).toBe(consoleLogger);
  });

  it('takes every hook name, as a frozen copy', () => {
    const given = Object.fromEntries(HOOKS.map((name) => [name, () => undefined]));
    const { hooks } = lifecycleSettings({ hooks: given }, 'acme');
    expect(Object.keys(hooks).sort()).toEqual([...HOOKS].sort());
    expect(hooks).not.toBe(given);
    expect(Object.isFrozen(hooks)).toBe(true);
  });

  it.each(HOOKS)('refuses %s when it is not a function, naming it', (name) => {
    expect(refusalOf(() => lifecycleSettings({ hooks: { [name]: 'log' } }, 'acme'))).toEqual({
      code: 'invalid_request',
      field: `hooks.${name}`,
    });
  });

  it('refuses an unknown hook and hooks that are not an object', () => {
    expect(refusalOf(() => lifecycleSettings({ hooks: { onCreated: () => 1 } }, 'acme')).field).toBe('hooks.onCreated');
    expect(refusalOf(() => lifecycleSettings({ hooks: [] }, 'acme')).field).toBe('hooks');
  });

  it('keeps the logger and tracer given', () => {
    const logger = { warn: () => undefined, error: () => undefined };
    const tracer = { trace: () => undefined };
    const settings = lifecycleSettings({ logger, tracer }, 'acme');
    expect(settings.logger).toBe(logger);
    expect(settings.tracer).toBe(tracer);
    expect(refusalOf(() => lifecycleSettings({ logger: { warn: () => 1 } }, 'acme')).field).toBe('logger');
    expect(refusalOf(() => lifecycleSettings({ tracer: {} }, 'acme')).field).toBe('tracer');
  });

  it('sorts warnings shortest first', () => {
    expect(lifecycleSettings({ expiryWarnings: ['7d', '1h', '1d', 30 * DAY] }, 'acme').expiryWarnings).toEqual([
      HOUR,
      DAY,
      7 * DAY,
      30 * DAY,
    ]);
  });

  it('takes 10 warnings and refuses 11, repeats and a non-list, naming the field', () => {
    const ten = Array.from({ length: 10 }, (_, index) => `${index + 1}h`);
    expect(lifecycleSettings({ expiryWarnings: ten }, 'acme').expiryWarnings).toHaveLength(10);
    expect(lifecycleSettings({ expiryWarnings: [] }, 'acme').expiryWarnings).toEqual([]);
    for (const bad of [[...ten, '11h'], ['1d', '24h'], '1d', { 0: '1d' }]) {
      expect(refusalOf(() => lifecycleSettings({ expiryWarnings: bad }, 'acme'))).toEqual({
        code: 'invalid_request',
        field: 'expiryWarnings',
      });
    }
    expect(refusalOf(() => lifecycleSettings({ expiryWarnings: ['1d', 'soon'] }, 'acme')).field).toBe(
      'expiryWarnings[1]',
    );
  });

  it('keeps legacy prefixes apart from verification tokens and the token prefix', () => {
    const engine = 'engine-verification-token-0123456789';
    const settings = lifecycleSettings({ legacyPrefixes: ['sk_live_'], verificationTokens: [engine] }, 'acme');
    expect(settings.legacyPrefixes).toEqual(['sk_live_']);
    // A verification token, bare or as an entry, that starts with a legacy prefix.
    for (const entries of [
      ['x'.repeat(20), 'sk_live_0123456789abcdef'],
      ['x'.repeat(20), { secret: 'sk_live_0123456789abcdef' }],
    ]) {
      expect(
        refusalOf(() => lifecycleSettings({ legacyPrefixes: ['sk_live_'], verificationTokens: entries }, 'acme')),
      ).toEqual({
        code: 'invalid_request',
        field: 'verificationTokens[1]',
      });
    }
    // A legacy prefix that starts with a verification token, bare or as an entry (the token is not caught above).
    for (const entry of [engine, { secret: engine }]) {
      expect(
        refusalOf(() =>
          lifecycleSettings({ legacyPrefixes: ['sk_', `${engine}-more`], verificationTokens: [entry] }, 'acme'),
        ),
      ).toEqual({ code: 'invalid_request', field: 'legacyPrefixes[1]' });
    }
    // The token prefix: `acme_` and anything starting with it.
    for (const prefix of ['acme_', 'acme_p', 'acm']) {
      expect(refusalOf(() => lifecycleSettings({ legacyPrefixes: [prefix] }, 'acme')).field).toBe('legacyPrefixes[0]');
    }
    expect(lifecycleSettings({ legacyPrefixes: ['acmf_'] }, 'acme').legacyPrefixes).toEqual(['acmf_']);
    // Without legacy prefixes nothing is compared; entries that are not a list are the verification tokens' own check.
    expect(lifecycleSettings({ verificationTokens: ['sk_live_0123456789abcdef'] }, 'acme').legacyPrefixes).toEqual([]);
    expect(
      lifecycleSettings({ legacyPrefixes: ['sk_'], verificationTokens: 'sk_live_0123456789abcdef' }, 'acme')
        .legacyPrefixes,
    ).toEqual(['sk_']);
  });

  it('names legacyPrefixes when they are not a list, and the overlapping string in the message', () => {
    expect(refusalOf(() => lifecycleSettings({ legacyPrefixes: 'sk_' }, 'acme'))).toEqual({
      code: 'invalid_request',
      field: 'legacyPrefixes',
    });
    expect(() => lifecycleSettings({ legacyPrefixes: ['acme_'] }, 'acme')).toThrow('the token prefix acme_');
    const engine = 'engine-verification-token-0123456789';
    expect(() =>
      lifecycleSettings(
        { legacyPrefixes: ['sk_', `${engine}-more`], verificationTokens: ['x'.repeat(20), engine] },
        'acme',
      ),
    ).toThrow('verificationTokens[1]');
  });

  it('leaves verification entries that are not strings to their own check', () => {
    for (const entries of [[42], [{ secret: 42 }], [null]]) {
      expect(
        lifecycleSettings({ legacyPrefixes: ['sk_'], verificationTokens: entries }, 'acme').legacyPrefixes,
      ).toEqual(['sk_']);
    }
  });
});
