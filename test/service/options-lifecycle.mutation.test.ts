/**
 * The options of issue 13 (src/service/options-lifecycle.ts) against written
 * answers (issue 15): defaults, every hook name, the expiry-warning limits
 * (10 accepted, 11 refused, repeats refused, shortest first), and the legacy
 * prefixes that would catch the service's own strings, each naming its field.
 */
import { describe, expect, it } from 'vitest';
import { consoleLogger } from '../../src/core/logger.js';
import { verificationSnapshot } from '../../src/core/verification-tokens.js';
import { lifecycleSettings } from '../../src/service/options-lifecycle.js';
import { refusalOf } from '../support/refusal.js';

/** As the service calls it: with the snapshot of `verificationTokens`, read once before. */
function settingsOf(given: Record<string, unknown>, prefix: string) {
  return lifecycleSettings(given, prefix, verificationSnapshot(given.verificationTokens, 'verificationTokens'));
}

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
    expect(settingsOf({}, 'acme')).toEqual({
      legacyPrefixes: [],
      hooks: {},
      logger: consoleLogger,
      tracer: undefined,
      expiryWarnings: [DAY, 7 * DAY],
    });
    expect(settingsOf({}, 'acme').logger).toBe(consoleLogger);
  });

  it('takes every hook name, as a frozen copy', () => {
    const given = Object.fromEntries(HOOKS.map((name) => [name, () => undefined]));
    const { hooks } = settingsOf({ hooks: given }, 'acme');
    expect(Object.keys(hooks).sort()).toEqual([...HOOKS].sort());
    expect(hooks).not.toBe(given);
    expect(Object.isFrozen(hooks)).toBe(true);
  });

  it.each(HOOKS)('refuses %s when it is not a function, naming it', (name) => {
    expect(refusalOf(() => settingsOf({ hooks: { [name]: 'log' } }, 'acme'))).toEqual({
      code: 'invalid_request',
      field: `hooks.${name}`,
    });
  });

  it('refuses an unknown hook and hooks that are not an object', () => {
    expect(refusalOf(() => settingsOf({ hooks: { onCreated: () => 1 } }, 'acme')).field).toBe('hooks.onCreated');
    expect(refusalOf(() => settingsOf({ hooks: [] }, 'acme')).field).toBe('hooks');
  });

  it('keeps the logger and tracer given', () => {
    const logger = { warn: () => undefined, error: () => undefined };
    const tracer = { trace: () => undefined };
    const settings = settingsOf({ logger, tracer }, 'acme');
    expect(settings.logger).toBe(logger);
    expect(settings.tracer).toBe(tracer);
    expect(refusalOf(() => settingsOf({ logger: { warn: () => 1 } }, 'acme')).field).toBe('logger');
    expect(refusalOf(() => settingsOf({ tracer: {} }, 'acme')).field).toBe('tracer');
  });

  it('sorts warnings shortest first', () => {
    expect(settingsOf({ expiryWarnings: ['7d', '1h', '1d', 30 * DAY] }, 'acme').expiryWarnings).toEqual([
      HOUR,
      DAY,
      7 * DAY,
      30 * DAY,
    ]);
  });

  it('takes 10 warnings and refuses 11, repeats and a non-list, naming the field', () => {
    const ten = Array.from({ length: 10 }, (_, index) => `${index + 1}h`);
    expect(settingsOf({ expiryWarnings: ten }, 'acme').expiryWarnings).toHaveLength(10);
    expect(settingsOf({ expiryWarnings: [] }, 'acme').expiryWarnings).toEqual([]);
    for (const bad of [[...ten, '11h'], ['1d', '24h'], '1d', { 0: '1d' }]) {
      expect(refusalOf(() => settingsOf({ expiryWarnings: bad }, 'acme'))).toEqual({
        code: 'invalid_request',
        field: 'expiryWarnings',
      });
    }
    expect(refusalOf(() => settingsOf({ expiryWarnings: ['1d', 'soon'] }, 'acme')).field).toBe('expiryWarnings[1]');
  });

  it('keeps legacy prefixes apart from verification tokens and the token prefix', () => {
    const engine = 'engine-verification-token-0123456789';
    const settings = settingsOf({ legacyPrefixes: ['sk_live_'], verificationTokens: [engine] }, 'acme');
    expect(settings.legacyPrefixes).toEqual(['sk_live_']);
    // A verification token, bare or as an entry, that starts with a legacy prefix.
    for (const entries of [
      ['x'.repeat(20), 'sk_live_0123456789abcdef'],
      ['x'.repeat(20), { secret: 'sk_live_0123456789abcdef' }],
    ]) {
      expect(
        refusalOf(() => settingsOf({ legacyPrefixes: ['sk_live_'], verificationTokens: entries }, 'acme')),
      ).toEqual({
        code: 'invalid_request',
        field: 'verificationTokens[1]',
      });
    }
    // A legacy prefix that starts with a verification token, bare or as an entry (the token is not caught above).
    for (const entry of [engine, { secret: engine }]) {
      expect(
        refusalOf(() => settingsOf({ legacyPrefixes: ['sk_', `${engine}-more`], verificationTokens: [entry] }, 'acme')),
      ).toEqual({ code: 'invalid_request', field: 'legacyPrefixes[1]' });
    }
    // The token prefix: `acme_` and anything starting with it.
    for (const prefix of ['acme_', 'acme_p', 'acm']) {
      expect(refusalOf(() => settingsOf({ legacyPrefixes: [prefix] }, 'acme')).field).toBe('legacyPrefixes[0]');
    }
    expect(settingsOf({ legacyPrefixes: ['acmf_'] }, 'acme').legacyPrefixes).toEqual(['acmf_']);
    // Without legacy prefixes nothing is compared.
    expect(settingsOf({ verificationTokens: ['sk_live_0123456789abcdef'] }, 'acme').legacyPrefixes).toEqual([]);
  });

  it('names legacyPrefixes when they are not a list, and the overlapping string in the message', () => {
    expect(refusalOf(() => settingsOf({ legacyPrefixes: 'sk_' }, 'acme'))).toEqual({
      code: 'invalid_request',
      field: 'legacyPrefixes',
    });
    expect(() => settingsOf({ legacyPrefixes: ['acme_'] }, 'acme')).toThrow('the token prefix acme_');
    const engine = 'engine-verification-token-0123456789';
    expect(() =>
      settingsOf({ legacyPrefixes: ['sk_', `${engine}-more`], verificationTokens: ['x'.repeat(20), engine] }, 'acme'),
    ).toThrow('verificationTokens[1]');
  });

  it('checks the secrets of the snapshot it is given, not the options object again', () => {
    // The service reads verificationTokens once; a getter would answer the legacy check anything.
    const engine = 'engine-verification-token-0123456789';
    const snapshot = verificationSnapshot([engine], 'verificationTokens');
    const given = { legacyPrefixes: ['engine-'], verificationTokens: ['x'.repeat(20)] };
    expect(refusalOf(() => lifecycleSettings(given, 'acme', snapshot)).field).toBe('verificationTokens[0]');
    expect(lifecycleSettings(given, 'acme', []).legacyPrefixes).toEqual(['engine-']);
  });
});
