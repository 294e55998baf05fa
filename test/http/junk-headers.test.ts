/**
 * A table of junk in the headers that carry tokens, sent byte for byte over
 * a raw socket (fetch would normalize most of it away), against both
 * frameworks. Every row states the exact status, and no answer may contain
 * anything the request sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOB, CAROL, issue, makeFixture, REALM } from './support/fixture.js';
import { getWith, header, type RawResponse, rawRequest } from './support/raw.js';
import { FRAMEWORKS, type RunningServer } from './support/servers.js';

/** How a row must be answered. */
type Expected =
  | 'ok' // 200, authenticated as bob
  | 'missing' // 401, bare challenge
  | 'invalid_token' // 401 error="invalid_token"
  | 'invalid_request' // 400 error="invalid_request"
  | 'rejected_by_parser' // 400 from the HTTP parser itself, before any app code
  | 'too_large'; // 431 from the HTTP parser

interface Row {
  readonly name: string;
  /** Header lines (or raw bytes of them) for the given valid token of bob and of carol. */
  readonly lines: (bob: string, carol: string) => (string | Buffer)[];
  readonly expected: Expected;
  /** Text that must not appear anywhere in the answer. */
  readonly secret?: (bob: string, carol: string) => string;
}

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');
const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

const ROWS: readonly Row[] = [
  { name: 'no header at all', lines: () => [], expected: 'missing' },
  { name: 'empty Authorization', lines: () => ['Authorization: '], expected: 'invalid_request' },
  { name: 'Bearer without a token', lines: () => ['Authorization: Bearer'], expected: 'invalid_request' },
  { name: 'Bearer and a trailing space', lines: () => ['Authorization: Bearer '], expected: 'invalid_request' },
  {
    name: '8 KB token',
    lines: () => [`Authorization: Bearer ${'a'.repeat(8192)}`],
    expected: 'invalid_token',
    secret: () => 'a'.repeat(64),
  },
  { name: '20 KB header', lines: () => [`Authorization: Bearer ${'a'.repeat(20_000)}`], expected: 'too_large' },
  {
    name: 'non-ASCII (latin-1 bytes)',
    lines: () => [latin1('Authorization: Bearer t\u00f6k\u00e9n-abc')],
    expected: 'invalid_request',
  },
  { name: 'non-ASCII (UTF-8 bytes)', lines: () => [utf8('Authorization: Bearer токен')], expected: 'invalid_request' },
  {
    name: 'bare CR inside the value',
    lines: (bob) => [`Authorization: Bearer ${bob}\rX-Injected: 1`],
    expected: 'rejected_by_parser',
    secret: () => 'X-Injected',
  },
  {
    name: 'bare LF inside the value',
    lines: (bob) => [`Authorization: Bearer ${bob}\nX-Injected: 1`],
    expected: 'rejected_by_parser',
    secret: () => 'X-Injected',
  },
  {
    name: 'NUL inside the value',
    lines: (bob) => [`Authorization: Bearer ${bob}\u0000x`],
    expected: 'rejected_by_parser',
  },
  {
    name: 'CRLF then a second Authorization (repeated header)',
    lines: (bob, carol) => [`Authorization: Bearer ${bob}\r\nAuthorization: Bearer ${carol}`],
    expected: 'invalid_request',
  },
  {
    name: 'the same Authorization header twice',
    lines: (bob) => [`Authorization: Bearer ${bob}`, `Authorization: Bearer ${bob}`],
    expected: 'invalid_request',
  },
  {
    name: 'an empty Authorization and a good one',
    lines: (bob) => ['Authorization: ', `Authorization: Bearer ${bob}`],
    expected: 'invalid_request',
  },
  {
    name: 'Verification-Token header twice',
    lines: (bob) => [`Verification-Token: ${bob}`, `Verification-Token: ${bob}`],
    expected: 'invalid_request',
  },
  { name: 'empty Verification-Token', lines: () => ['Verification-Token: '], expected: 'invalid_request' },
  {
    name: 'two credentials in one header',
    lines: (bob, carol) => [`Authorization: Bearer ${bob}, Bearer ${carol}`],
    expected: 'invalid_request',
  },
  {
    name: 'two words after Bearer',
    lines: (bob) => [`Authorization: Bearer ${bob} extra`],
    expected: 'invalid_request',
  },
  { name: 'padding inside the token', lines: () => ['Authorization: Bearer abc=def'], expected: 'invalid_request' },
  { name: 'quoted token', lines: (bob) => [`Authorization: Bearer "${bob}"`], expected: 'invalid_request' },
  { name: 'wrong scheme: Basic', lines: () => ['Authorization: Basic YWxpY2U6c2VjcmV0'], expected: 'missing' },
  { name: 'wrong scheme: Token', lines: (bob) => [`Authorization: Token ${bob}`], expected: 'missing' },
  { name: 'scheme glued to the token', lines: (bob) => [`Authorization: Bearer${bob}`], expected: 'missing' },
  { name: 'lower-case scheme', lines: (bob) => [`Authorization: bearer ${bob}`], expected: 'ok' },
  { name: 'upper-case scheme', lines: (bob) => [`Authorization: BEARER ${bob}`], expected: 'ok' },
  { name: 'mixed-case header name and scheme', lines: (bob) => [`aUtHoRiZaTiOn: BeArEr ${bob}`], expected: 'ok' },
  { name: 'tab after the scheme', lines: (bob) => [`Authorization: Bearer\t${bob}`], expected: 'invalid_request' },
  {
    name: 'tab and space after the scheme',
    lines: (bob) => [`Authorization: Bearer \t${bob}`],
    expected: 'invalid_request',
  },
  { name: 'two spaces after the scheme (1*SP)', lines: (bob) => [`Authorization: Bearer  ${bob}`], expected: 'ok' },
  {
    name: 'spaces and tabs around the value (optional whitespace)',
    lines: (bob) => [`Authorization: \t Bearer ${bob} \t`],
    expected: 'ok',
  },
  {
    name: 'two different auth_token cookies',
    lines: (bob, carol) => [`Cookie: auth_token=${bob}; auth_token=${carol}`],
    expected: 'invalid_request',
  },
  {
    name: 'auth_token in two Cookie headers, same value',
    lines: (bob) => [`Cookie: auth_token=${bob}`, `Cookie: theme=dark; auth_token="${bob}"`],
    expected: 'ok',
  },
  { name: 'empty auth_token cookie', lines: () => ['Cookie: auth_token='], expected: 'invalid_request' },
  {
    name: 'Authorization and a different Verification-Token',
    lines: (bob, carol) => [`Authorization: Bearer ${bob}`, `Verification-Token: ${carol}`],
    expected: 'invalid_request',
  },
];

function check(response: RawResponse, expected: Expected): void {
  const challenge = header(response, 'www-authenticate');
  switch (expected) {
    case 'ok':
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ owner: 'bob' });
      break;
    case 'missing':
      expect(response.status).toBe(401);
      expect(challenge).toBe(`Bearer realm="${REALM}"`);
      break;
    case 'invalid_token':
      expect(response.status).toBe(401);
      expect(challenge).toBe(`Bearer realm="${REALM}", error="invalid_token"`);
      break;
    case 'invalid_request':
      expect(response.status).toBe(400);
      expect(challenge).toBe(`Bearer realm="${REALM}", error="invalid_request"`);
      expect(JSON.parse(response.body)).toMatchObject({ error: 'invalid_request' });
      break;
    case 'rejected_by_parser':
      expect(response.status).toBe(400);
      expect(challenge).toBeUndefined();
      break;
    case 'too_large':
      expect(response.status).toBe(431);
      break;
  }
}

describe.each(FRAMEWORKS)('junk token headers with %s', (_name, start) => {
  const fixture = makeFixture();
  let server: RunningServer;
  let bob: string;
  let carol: string;

  beforeAll(async () => {
    server = await start({ service: fixture.service });
    bob = (await issue(fixture.service, BOB)).token;
    carol = (await issue(fixture.service, CAROL)).token;
  });
  afterAll(() => server.close());

  it.each(ROWS)('$name → $expected', async (row) => {
    const lines = row.lines(bob, carol);
    const head = getWith('/api/me', []).replace(/\r\n\r\n$/, '\r\n');
    const request = Buffer.concat([
      latin1(head),
      ...lines.map((line) => Buffer.concat([typeof line === 'string' ? latin1(line) : line, latin1('\r\n')])),
      latin1('\r\n'),
    ]);
    const response = await rawRequest(server.url, request);
    check(response, row.expected);
    const answer = `${response.head}\r\n\r\n${response.body}`;
    // No token, whether valid or junk, ever comes back.
    expect(answer).not.toContain(bob);
    expect(answer).not.toContain(carol);
    if (row.secret !== undefined) expect(answer).not.toContain(row.secret(bob, carol));
  });
});
