import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * @internal The page's files: the HTML shell, its stylesheet and its script
 * modules, read once from the `assets` folder next to this module
 * (`src/web/assets`, copied to `dist/assets` by the build). They are served
 * from the page's own origin, so the page makes no request anywhere else.
 */

/** One file, ready to send. */
export interface Asset {
  readonly body: Buffer;
  readonly type: string;
  /** A strong validator of the content (RFC 9110 §8.8.3). */
  readonly etag: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Where this module lives: `__dirname` in the CommonJS build, `import.meta.url` in ESM. */
function moduleDir(): string {
  return typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
}

function assetDir(): string {
  const dir = join(moduleDir(), 'assets');
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`tokenward/web: the page's files are missing from ${dir}; reinstall the package`);
  }
  return dir;
}

/** The HTML template and every servable file by name. */
export interface PageAssets {
  readonly template: string;
  readonly files: ReadonlyMap<string, Asset>;
}

export function loadAssets(): PageAssets {
  const dir = assetDir();
  const files = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type === undefined) continue;
    const body = readFileSync(join(dir, name));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    files.set(name, { body, type, etag });
  }
  return { template: readFileSync(join(dir, 'index.html'), 'utf8'), files };
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
