import { toBase64Url, utf8 } from '../core/encoding.js';
import { sha256 } from '../core/sha256.js';
import { PAGE_FILES } from './assets-bundle.js';

/**
 * @internal The page's files: the HTML shell, its stylesheet and its script
 * modules, carried in the module itself (`assets-bundle.ts`, generated from
 * `src/web/assets` by scripts/embed-web-assets.mjs), so serving them reads
 * no file and needs no `node:` module. They are served from the page's own
 * origin, so the page makes no request anywhere else.
 */

/** One file, ready to send. */
export interface Asset {
  readonly body: string;
  readonly type: string;
  /** A strong validator of the content (RFC 9110 §8.8.3): 22 base64url digits of its SHA-256. */
  readonly etag: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The HTML template and every servable file by name. */
export interface PageAssets {
  readonly template: string;
  readonly files: ReadonlyMap<string, Asset>;
}

export function loadAssets(): PageAssets {
  const files = new Map<string, Asset>();
  for (const [name, body] of Object.entries(PAGE_FILES)) {
    const type = TYPES[name.slice(name.lastIndexOf('.'))];
    if (type === undefined) continue;
    const etag = `"${toBase64Url(sha256(utf8(body))).slice(0, 22)}"`;
    files.set(name, { body, type, etag });
  }
  return { template: PAGE_FILES['index.html']!, files };
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/** The page for one mount point: its base path and title go in as escaped text. */
export function renderPage(template: string, base: string, title: string): string {
  return template.replaceAll('%BASE%', escapeHtml(base)).replaceAll('%TITLE%', escapeHtml(title));
}
