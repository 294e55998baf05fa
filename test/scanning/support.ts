/**
 * Material for the scanner tests: real tokens of every type issued by the
 * service under two prefixes, look-alikes that fail the checksum, and the
 * RE2 engine (re2js, a port of RE2 with Go's syntax) that gitleaks and
 * trufflehog compile their rules with.
 */
import { RE2JS } from 're2js';
import { base62Fixed, crc32Ascii } from '../../src/core/encoding.js';
import { ALICE, ANALYST, makeHarness } from '../support/service.js';

export interface IssuedSample {
  readonly token: string;
  readonly id: string;
  readonly prefix: string;
  readonly type: 'administrative' | 'personal' | 'master' | 'limited';
}

/** One token of each type under `prefix`, issued by a real service. */
async function issueAll(prefix: string): Promise<IssuedSample[]> {
  const { service } = makeHarness({ prefix });
  const master = await service.ensureMasterToken(ANALYST);
  if (!master.created) throw new Error('expected a new master token');
  const principal = await service.verify(master.token);
  const issued = [
    await service.issue({ type: 'administrative', name: 'infra' }, ALICE),
    await service.issue({ name: 'laptop' }, ANALYST),
    { token: master.token, info: master.info },
    await service.issue({ type: 'limited', grants: [{ scope: 'reports' }] }, { principal }),
  ];
  return issued.map(({ token, info }) => ({ token, id: info.id, prefix, type: info.type as IssuedSample['type'] }));
}

/** Real tokens: four types under `acme`, four under a 20-character prefix. */
export async function issuedTokens(): Promise<IssuedSample[]> {
  return [...(await issueAll('acme')), ...(await issueAll('p0123456789abcdefghi'))];
}

/** `head` (prefix, type code, id and secret) with its checksum appended: a well-formed token. */
export function withChecksum(head: string): string {
  return head + base62Fixed(crc32Ascii(head), 6);
}

/**
 * Strings with a token's shape whose checksum fails: made-up examples,
 * typos, a swapped type code, a changed prefix.
 */
export function lookAlikes(token: string): string[] {
  const body = token.slice(0, -6);
  const flip = (i: number) => token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
  const codeAt = token.indexOf('_') + 1;
  const otherCode = token[codeAt] === 'p' ? 'a' : 'p';
  return [
    `${body}000000`,
    flip(token.length - 1),
    flip(token.length - 20),
    flip(codeAt + 5),
    token.slice(0, codeAt) + otherCode + token.slice(codeAt + 1),
    (token[0] === 'z' ? 'y' : 'z') + token.slice(1),
    `acme_p_01JD3Z6Q9X8K7M5N4P3R2S1T0V${'aaaaaaaaaaBBBBBBBBBB0123456789'}abcdef`,
  ].filter((candidate) => candidate !== token);
}

/** Every RE2 match of `pattern` in `text`, as [start, end] pairs (UTF-16 indices for ASCII text). */
export function re2Matches(pattern: string, text: string): Array<[number, number]> {
  const matcher = RE2JS.compile(pattern).matcher(text);
  const found: Array<[number, number]> = [];
  while (matcher.find()) found.push([matcher.start(), matcher.end()]);
  return found;
}

/** Every JavaScript match of `pattern` in `text`, as [start, end] pairs. */
export function jsMatches(pattern: string, text: string): Array<[number, number]> {
  return [...text.matchAll(new RegExp(pattern, 'g'))].map((m) => [m.index, m.index + m[0].length]);
}

/** Shannon entropy in bits per character, as gitleaks and trufflehog compute it for a finding. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/** The contexts a leaked token turns up in; `{}` marks where it goes. */
export const CONTEXTS: readonly string[] = [
  '{}',
  'API_TOKEN={}\n',
  'export TOKEN="{}"',
  '{"token":"{}"}',
  "token: '{}'",
  'Authorization: Bearer {}\r\n',
  'https://api.example.com/v1?access_token={}&page=2',
  'see `{}` in the logs',
  '({})',
  '<td>{}</td>',
  'line one\n{}\nline three',
  'token={},other={}',
  'Ünïcödé text → {} ←',
];
