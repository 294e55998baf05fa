/**
 * The gitleaks and trufflehog rules shipped in scanners/: parsed as the
 * tools parse them, compiled with an RE2 engine (the Go syntax both tools
 * use, which has no lookaround or backreferences), and run the way the
 * tools run a rule: keyword prefilter, regex, entropy threshold.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { parse as parseToml } from 'smol-toml';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { findTokens } from '../../src/core/scanning/find.js';
import { TOKEN_PATTERN, tokenPattern } from '../../src/core/scanning/pattern.js';
import {
  CONTEXTS,
  type IssuedSample,
  issuedTokens,
  jsMatches,
  lookAlikes,
  re2Matches,
  shannonEntropy,
} from './support.js';

interface Rule {
  readonly regex: string;
  readonly keywords: readonly string[];
  readonly entropy: number;
}

const gitleaks = parseToml(readFileSync('scanners/gitleaks.toml', 'utf8')) as unknown as {
  title: string;
  extend: { useDefault: boolean };
  rules: Array<Rule & { id: string; description: string; tags: string[] }>;
};
const trufflehog = parseYaml(readFileSync('scanners/trufflehog.yaml', 'utf8')) as {
  detectors: Array<{
    name: string;
    description: string;
    keywords: string[];
    regex: Record<string, string>;
    entropy: number;
  }>;
};

// Fields trufflehog's CustomRegex message knows; anything else fails to load.
const TRUFFLEHOG_FIELDS = [
  'name',
  'keywords',
  'regex',
  'verify',
  'description',
  'exclude_regexes_capture',
  'exclude_words',
  'entropy',
  'exclude_regexes_match',
  'primary_regex_name',
  'validations',
];

const RULES: ReadonlyArray<[string, Rule]> = [
  ['gitleaks', gitleaks.rules[0]!],
  [
    'trufflehog',
    {
      regex: trufflehog.detectors[0]!.regex.token!,
      keywords: trufflehog.detectors[0]!.keywords,
      entropy: trufflehog.detectors[0]!.entropy,
    },
  ],
];

/** What the tool reports for `text`: keyword prefilter (case-insensitive), RE2 matches, entropy floor. */
function toolFindings(rule: Rule, text: string): string[] {
  const lower = text.toLowerCase();
  if (!rule.keywords.some((keyword) => lower.includes(keyword.toLowerCase()))) return [];
  return re2Matches(rule.regex, text)
    .map(([start, end]) => text.slice(start, end))
    .filter((finding) => shannonEntropy(finding) >= rule.entropy);
}

describe('scanners/gitleaks.toml', () => {
  it('extends the default rules with one tokenward rule', () => {
    expect(gitleaks.extend.useDefault).toBe(true);
    expect(gitleaks.rules).toHaveLength(1);
    expect(gitleaks.rules[0]).toMatchObject({ id: 'tokenward-token', regex: TOKEN_PATTERN });
  });
});

describe('scanners/trufflehog.yaml', () => {
  it('is one custom detector with only fields trufflehog knows', () => {
    expect(trufflehog.detectors).toHaveLength(1);
    const detector = trufflehog.detectors[0]!;
    for (const key of Object.keys(detector)) expect(TRUFFLEHOG_FIELDS).toContain(key);
    expect(detector.name).toMatch(/^\w+$/);
    expect(detector.regex).toEqual({ token: TOKEN_PATTERN });
    // trufflehog refuses a detector without keywords or with an empty one.
    expect(detector.keywords.length).toBeGreaterThan(0);
    for (const keyword of detector.keywords) expect(keyword).not.toBe('');
  });
});

describe.each(RULES)('the %s rule', (_tool, rule) => {
  let issued: IssuedSample[];
  beforeAll(async () => {
    issued = await issuedTokens();
  });

  it('compiles as RE2, which refuses lookaround and backreferences', () => {
    expect(() => RE2JS.compile(rule.regex)).not.toThrow();
    expect(() => RE2JS.compile(tokenPattern({ prefix: ['acme', 'globex'] }))).not.toThrow();
    // The engine is strict: the lookbehind form of the same rule would not load.
    expect(() => RE2JS.compile('(?<![A-Za-z0-9_])[a-z0-9]{1,20}_')).toThrow();
  });

  it('reports every issued token in every context', () => {
    for (const sample of issued) {
      for (const context of CONTEXTS) {
        const text = context.replaceAll('{}', sample.token);
        const findings = toolFindings(rule, text);
        expect(findings).toEqual(Array(context.split('{}').length - 1).fill(sample.token));
      }
    }
  });

  it('matches exactly where the JavaScript pattern matches (property)', () => {
    const piece = fc.oneof(
      fc.constantFrom(...issued.map((sample) => sample.token)),
      fc.constantFrom(...issued.flatMap((sample) => lookAlikes(sample.token))),
      fc.constantFrom(' ', '\n', '_', 'x', '=', '"', '-', '.', 'é'),
      fc.string({ unit: fc.constantFrom(...'abcp_lm019AZ'), maxLength: 30 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 15 }), (pieces) => {
        const text = pieces.join('');
        expect(re2Matches(rule.regex, text)).toEqual(jsMatches(TOKEN_PATTERN, text));
      }),
      { numRuns: 300 },
    );
  });

  it('sets an entropy floor below every issued token and above placeholders', () => {
    for (const sample of issued) expect(shannonEntropy(sample.token)).toBeGreaterThan(rule.entropy);
    for (const placeholder of [
      `acme_p_${'A'.repeat(26)}${'a'.repeat(36)}`,
      `demo_l_${'0'.repeat(26)}${'x'.repeat(36)}`,
    ]) {
      expect(re2Matches(rule.regex, placeholder)).toHaveLength(1);
      expect(toolFindings(rule, placeholder)).toEqual([]);
    }
  });

  it('reports nothing in random text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        expect(toolFindings(rule, text)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('cannot check the checksum, which findTokens does for its findings', () => {
    const sample = issued[1]!;
    const fake = lookAlikes(sample.token)[1]!;
    expect(toolFindings(rule, `TOKEN=${fake}`)).toEqual([fake]);
    expect(findTokens(`TOKEN=${fake}`)).toEqual([]);
  });
});
