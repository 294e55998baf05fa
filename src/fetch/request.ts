import type { HttpAnswer } from '../http/answers.js';
import type { RequestParts } from '../http/extract.js';

/**
 * @internal A Fetch API `Request` as the framework-neutral HTTP layer reads
 * it, and an answer as a `Response`. `Headers` joins a repeated field into
 * one value (`a, b`), where Node's `rawHeaders` keeps each: the fields token
 * extraction reads are split back (see `requestParts`), so a repeated
 * header is refused here exactly as on Express and Fastify.
 */

/** Header fields by lower-case name, as the body and cross-site checks read them. */
export type HeaderRecord = Readonly<Record<string, string>>;

/** The headers of a request as a plain record (names are lower case in `Headers`). */
export function headerRecord(request: Request): HeaderRecord {
  const record: Record<string, string> = Object.create(null);
  for (const [name, value] of request.headers) record[name] = value;
  return record;
}

/**
 * A joined `Authorization` value split into the fields it was joined from:
 * at each comma followed by nothing or by a new scheme (a token and then a
 * space or the end). Bearer and Basic credentials hold no comma, and the
 * commas between the parameters of other schemes (`Digest realm="a", nonce=…`)
 * are followed by `name=`, so they stay.
 */
const JOINED_CREDENTIALS = /,[ \t]*(?=$|[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:[ \t]|$))/;

/**
 * The parts token extraction reads. `Authorization` is split back into the
 * fields `Headers` joined, so that two of them are a repeated header (400),
 * not one malformed value. Cookies are split at commas, since servers join
 * repeated `Cookie` fields with one (HTTP/2 with `; `); cookie values hold
 * no comma (RFC 6265 §4.1.1), so the reader sees what Node's `rawHeaders`
 * shows.
 */
export function requestParts(request: Request, headers: HeaderRecord = headerRecord(request)): RequestParts {
  const rawHeaders: string[] = [];
  for (const name of Object.keys(headers)) {
    const value = headers[name]!;
    if (name === 'cookie' || name === 'authorization') {
      const parts = value.split(name === 'cookie' ? /,[ \t]*/ : JOINED_CREDENTIALS);
      for (const part of parts) rawHeaders.push(name, part);
    } else {
      rawHeaders.push(name, value);
    }
  }
  return { rawHeaders, url: pathAndQuery(request.url) };
}

/** The request target as a server saw it: path and query string, without the origin. */
export function pathAndQuery(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

/** An answer as a `Response`; an answer without a body gets none (and no `Content-Type`). */
export function toResponse(answer: HttpAnswer, head = false): Response {
  const headers = new Headers(answer.headers);
  if (answer.body === undefined || head) return new Response(null, { status: answer.status, headers });
  headers.set('content-type', 'application/json; charset=utf-8');
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers });
}
