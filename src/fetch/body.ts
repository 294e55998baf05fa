import { type HttpAnswer, unreadableBody } from '../http/answers.js';
import { type BodyKind, bodyRefusal, readBody } from '../http/body.js';
import type { AmbientHeaders } from '../http/cross-site.js';
import type { HeaderRecord } from './request.js';

/**
 * @internal The body of a management or introspection request read from a
 * Fetch API `Request`, with the checks the Express and Fastify routes make:
 * the 415 check on the headers before anything is read, 413 past the limit
 * (from `Content-Length`, or counted while reading a stream without one),
 * then the same strict readers.
 */

/** What reading gave: the body (`undefined` when empty) or the answer that refuses the request. */
export type BodyOutcome = { readonly body: unknown } | { readonly answer: HttpAnswer };

class TooLarge extends Error {}

/** The body's bytes, at most `limit` of them; a larger body stops the stream and throws `TooLarge`. */
async function bytesOf(request: Request, limit: number): Promise<Uint8Array> {
  const stream = request.body;
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Stop reading: the rest of the body is never buffered.
      await reader.cancel().catch(() => undefined);
      throw new TooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Reads a route's body. A request built in process (a test, a Next.js route
 * handler) may carry a body without `Content-Length`; once read, its size
 * counts as announced, so a body without a `Content-Type` is refused like
 * one sent over HTTP/1.1.
 */
export async function readRequestBody(
  request: Request,
  headers: HeaderRecord,
  kind: BodyKind,
  limit: number,
  ambient?: AmbientHeaders,
): Promise<BodyOutcome> {
  const refusal = bodyRefusal(request.method, headers, kind, ambient);
  if (refusal !== null) return { answer: refusal };
  const declared = headers['content-length'];
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit) {
    return { answer: unreadableBody(413) };
  }
  let bytes: Uint8Array;
  try {
    bytes = await bytesOf(request, limit);
  } catch (error) {
    return { answer: unreadableBody(error instanceof TooLarge ? 413 : 400) };
  }
  if (bytes.byteLength > 0 && declared === undefined && headers['transfer-encoding'] === undefined) {
    const counted = bodyRefusal(
      request.method,
      { ...headers, 'content-length': String(bytes.byteLength) },
      kind,
      ambient,
    );
    if (counted !== null) return { answer: counted };
  }
  return { body: readBody(headers['content-type'], bytes) };
}
