// Calls to the page's own routes and to the management API mounted under
// `<base>/api`. Every body is JSON: the server refuses forms, and sending
// `Content-Type: application/json` is what a cross-site form cannot do.

const base = document.body.dataset.base ?? '';

/** An error answer of the server: `code` is its `error` member (`forbidden`, `duration_exceeds_policy`, …). */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error ?? 'internal_error';
    this.field = body?.field;
    this.limit = body?.limit;
  }
}

async function call(method, path, body) {
  const init = { method, headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' };
  if (method !== 'GET') {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  const data = text === '' ? null : JSON.parse(text);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const api = {
  get: (path) => call('GET', path),
  post: (path, body) => call('POST', path, body),
  patch: (path, body) => call('PATCH', path, body),
  put: (path, body) => call('PUT', path, body),
  delete: (path) => call('DELETE', path),
};

/** `?a=1&b=2` from an object, leaving out undefined members. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** A path segment, encoded. */
export const seg = (value) => encodeURIComponent(value);
