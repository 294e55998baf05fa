import { connect } from 'node:net';

/** A response read off the socket as sent. */
export interface RawResponse {
  readonly status: number;
  /** Header lines as `[lower-case name, value]`, in order, repeats kept. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
  /** The whole response head, for "nothing echoed" checks. */
  readonly head: string;
}

/** The first value of a header, or undefined. */
export function header(response: RawResponse, name: string): string | undefined {
  return response.headers.find(([key]) => key === name)?.[1];
}

/**
 * Sends a request written byte for byte (so repeated headers, CR/LF tricks
 * and non-ASCII bytes reach the server exactly as given) and reads the
 * response until the server closes the connection.
 */
export function rawRequest(baseUrl: string, request: string | Buffer): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const status = Number(statusLine.split(' ')[1]);
      const headers = lines.map((line): [string, string] => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
      });
      let body = split === -1 ? '' : text.slice(split + 4);
      if (headers.some(([key, value]) => key === 'transfer-encoding' && value === 'chunked')) body = dechunk(body);
      resolve({ status, headers, body, head });
    });
    socket.end(request);
  });
}

function dechunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    if (lineEnd === -1) return out;
    const size = Number.parseInt(rest.slice(0, lineEnd), 16);
    if (!(size > 0)) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

/** A GET request with the given extra header lines, closing the connection afterwards. */
export function getWith(path: string, headerLines: readonly string[]): string {
  return [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headerLines, '', ''].join('\r\n');
}
