/**
 * Keeps docs/architecture.md true: every module of src/ belongs to a layer,
 * imports only what its layer may import, and stays small. A new folder of
 * src/ fails here until it is given a place in LAYERS (and in the document).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

interface Layer {
  /** Folders (ending in `/`) or files of src/ that make up the layer. */
  readonly paths: readonly string[];
  /** Other layers whose values it may import. */
  readonly imports: readonly string[];
  /** Other layers it may import types from (`import type`), and nothing else. */
  readonly types?: readonly string[];
  /** Packages and Node built-ins it may import. */
  readonly packages: readonly string[];
}

/** The table of docs/architecture.md, "What may import what". */
const LAYERS: Readonly<Record<string, Layer>> = {
  core: { paths: ['src/core/'], imports: [], packages: ['@noble/hashes', 'ulid'] },
  service: { paths: ['src/service/'], imports: ['core'], packages: [] },
  'stores/shared': { paths: ['src/stores/shared/'], imports: ['core'], packages: [] },
  'stores/memory': { paths: ['src/stores/memory/'], imports: ['core', 'stores/shared'], packages: [] },
  'stores/sqlite': {
    paths: ['src/stores/sqlite/'],
    imports: ['core', 'stores/shared'],
    packages: ['better-sqlite3', 'node:fs', 'node:path'],
  },
  'stores/postgres': { paths: ['src/stores/postgres/'], imports: ['core', 'stores/shared'], packages: ['pg'] },
  http: { paths: ['src/http/'], imports: ['core'], types: ['service'], packages: ['jose', '@noble/hashes'] },
  express: { paths: ['src/express/'], imports: ['core', 'http'], packages: ['express'] },
  fastify: { paths: ['src/fastify/'], imports: ['core', 'http'], packages: ['fastify', 'fastify-plugin'] },
  fetch: { paths: ['src/fetch/'], imports: ['core', 'http'], packages: [] },
  hono: { paths: ['src/hono/'], imports: ['core', 'http', 'fetch'], packages: ['hono'] },
  jwt: { paths: ['src/jwt/'], imports: ['core'], packages: ['jose'] },
  sql: { paths: ['src/sql/'], imports: ['core'], types: ['service'], packages: [] },
  secretlint: { paths: ['src/secretlint/'], imports: ['core'], packages: ['@secretlint/types'] },
  node: { paths: ['src/node/'], imports: ['core'], packages: ['node:crypto'] },
  otel: { paths: ['src/otel/'], imports: ['core'], packages: ['@opentelemetry/api'] },
  testing: { paths: ['src/testing/'], imports: ['core'], packages: ['node:assert', 'better-sqlite3', 'pg'] },
  // Applications built on the library (the tokens web page): anything but the conformance suite.
  web: {
    paths: ['src/web/'],
    imports: ['core', 'service', 'stores/memory', 'stores/sqlite', 'stores/postgres', 'http', 'express', 'jwt', 'sql'],
    packages: ['express', 'node:crypto', 'node:fs', 'node:path', 'node:url', 'node:http'],
  },
  // The `tokenward` executable (Node only; nothing imports it): drivers and express are loaded when a command needs them.
  cli: {
    paths: ['src/cli/'],
    imports: ['core', 'service', 'stores/sqlite', 'stores/postgres', 'express', 'sql', 'web'],
    packages: [
      'pg',
      'express',
      'node:crypto',
      'node:fs',
      'node:path',
      'node:util',
      'node:readline',
      'node:os',
      'node:net',
      'node:stream',
    ],
  },
  // The root entry point: the core, the service, the memory store and the remote verifier.
  root: { paths: ['src/index.ts'], imports: ['core', 'service', 'stores/memory', 'http'], packages: [] },
};

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

function layerOf(file: string): string | undefined {
  const path = file.split('\\').join('/');
  return Object.keys(LAYERS).find((name) =>
    LAYERS[name]!.paths.some((prefix) => (prefix.endsWith('/') ? path.startsWith(prefix) : path === prefix)),
  );
}

interface Import {
  readonly specifier: string;
  /** True for `import type`, `export type` and imports whose every name is a type. */
  readonly typeOnly: boolean;
  readonly line: number;
}

/** The imports and re-exports of a module, as TypeScript parses them (comments and strings are not imports). */
function importsOf(file: string, source: ts.SourceFile): Import[] {
  const found: Import[] = [];
  const add = (node: ts.Node, specifier: ts.Expression | undefined, typeOnly: boolean): void => {
    if (specifier === undefined || !ts.isStringLiteral(specifier)) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ specifier: specifier.text, typeOnly, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allTypes =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            named !== undefined &&
            ts.isNamedImports(named) &&
            named.elements.length > 0 &&
            named.elements.every((element) => element.isTypeOnly)));
      add(node, node.moduleSpecifier, allTypes);
    } else if (ts.isExportDeclaration(node)) {
      const clause = node.exportClause;
      const allTypes =
        node.isTypeOnly ||
        (clause !== undefined &&
          ts.isNamedExports(clause) &&
          clause.elements.length > 0 &&
          clause.elements.every((element) => element.isTypeOnly));
      add(node, node.moduleSpecifier, allTypes);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal as ts.Expression, true);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    ) {
      add(node, node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  void file;
  return found;
}

/** The package a bare specifier names: `@scope/name` or `name` (`node:x` as written). */
function packageOf(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier.split('/')[0]!;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** True when every top-level statement only declares types: such files may be longer. */
function declaresOnlyTypes(source: ts.SourceFile): boolean {
  return source.statements.every(
    (statement) =>
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      (ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly === true) ||
      (ts.isExportDeclaration(statement) && statement.isTypeOnly),
  );
}

/** Lines of a function that hold code: blank lines and comments do not count. */
function codeLines(text: string): number {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('//')).length;
}

/** The imports of `file` its layer may not make, one line each. */
function wrongImports(file: string, source: ts.SourceFile): string[] {
  const name = layerOf(file);
  if (name === undefined) return [];
  const layer = LAYERS[name]!;
  const wrong: string[] = [];
  for (const { specifier, typeOnly, line } of importsOf(file, source)) {
    const at = `${file}:${line} (${name}) imports '${specifier}'`;
    if (!specifier.startsWith('.')) {
      if (!layer.packages.includes(packageOf(specifier))) wrong.push(`${at}: not a package of its layer`);
      continue;
    }
    const target = relative('.', resolve(dirname(file), specifier)).replace(/\.js$/, '.ts');
    const other = layerOf(target);
    if (other === undefined) wrong.push(`${at}: outside every layer`);
    else if (other === name || layer.imports.includes(other)) continue;
    else if (typeOnly && layer.types?.includes(other)) continue;
    else wrong.push(`${at}: ${name} may not import ${typeOnly ? 'types of ' : ''}${other}`);
  }
  return wrong;
}

const MAX_MODULE_LINES = 400;
const MAX_FUNCTION_LINES = 80;

const files = sources('src').map((file) => {
  const text = readFileSync(file, 'utf8');
  return { file, text, source: ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true) };
});

describe('architecture (docs/architecture.md)', () => {
  it('names every layer folder of src/ in docs/architecture.md, and no folder that is gone', () => {
    const doc = readFileSync('docs/architecture.md', 'utf8');
    const folders = Object.values(LAYERS).flatMap((layer) => layer.paths.filter((path) => path.endsWith('/')));
    const missing = folders.filter((folder) => !doc.includes(folder) && !doc.includes(folder.replace(/[^/]+\/$/, '')));
    expect(missing).toEqual([]);
    for (const [, named] of doc.matchAll(/`(src\/[a-z/]+\/)`/g)) {
      expect(
        folders.some((folder) => folder.startsWith(named!)),
        named,
      ).toBe(true);
    }
  });

  it('gives every module of src/ a layer', () => {
    expect(files.map(({ file }) => file).filter((file) => layerOf(file) === undefined)).toEqual([]);
  });

  it('imports only what each layer may import', () => {
    expect(files.flatMap(({ file, source }) => wrongImports(file, source))).toEqual([]);
  });

  it(`keeps every module under ${MAX_MODULE_LINES} lines (files declaring only types excepted)`, () => {
    const long = files
      .filter(({ text, source }) => text.split('\n').length > MAX_MODULE_LINES && !declaresOnlyTypes(source))
      .map(({ file, text }) => `${file}: ${text.split('\n').length} lines`);
    expect(long).toEqual([]);
  });

  it(`keeps every function under ${MAX_FUNCTION_LINES} lines of code`, () => {
    const long: string[] = [];
    for (const { file, source } of files) {
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
          const lines = codeLines(node.getText(source));
          if (lines > MAX_FUNCTION_LINES) {
            const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
            long.push(`${file}:${line}: ${lines} lines`);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(long).toEqual([]);
  });
});

describe('the architecture check itself', () => {
  const wrongIn = (file: string, code: string): string[] =>
    wrongImports(file, ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true));

  it('refuses an import that goes the wrong way, and allows the ones the table allows', () => {
    expect(wrongIn('src/core/x.ts', "import { issue } from '../service/issue.js';")).toHaveLength(1);
    expect(wrongIn('src/core/x.ts', "import type { Actor } from '../service/types.js';")).toHaveLength(1);
    expect(wrongIn('src/core/x.ts', "import { x } from 'jose';")).toHaveLength(1);
    expect(wrongIn('src/stores/memory/x.ts', "import { tokenAuth } from '../../http/authenticate.js';")).toHaveLength(
      1,
    );
    expect(wrongIn('src/stores/memory/x.ts', "import { x } from '../sqlite/rows.js';")).toHaveLength(1);
    expect(wrongIn('src/http/x.ts', "import { verify } from '../service/verify.js';")).toHaveLength(1);
    expect(wrongIn('src/http/x.ts', "import type { Actor } from '../service/types.js';")).toEqual([]);
    expect(wrongIn('src/express/x.ts', "import type { Actor } from '../service/types.js';")).toHaveLength(1);
    expect(wrongIn('src/express/x.ts', "import { answer } from '../http/answers.js';")).toEqual([]);
    expect(wrongIn('src/service/x.ts', "import { race } from '../testing/fixtures.js';")).toHaveLength(1);
    expect(wrongIn('src/testing/x.ts', "import { it } from 'vitest';")).toHaveLength(1);
    expect(wrongIn('src/stores/postgres/x.ts', "import { paging } from '../shared/paging.js';")).toEqual([]);
  });

  it('sees a wrong import, a type-only import and a package', () => {
    const source = ts.createSourceFile(
      'src/core/example.ts',
      [
        "import { x } from '../service/index.js';",
        "import type { Y } from '../service/types.js';",
        "import { type Z } from '../http/options.js';",
        "export { w } from './w.js';",
        "// import { no } from '../express/index.js';",
        'const s = \'import { no } from "pg"\';',
        "const later = await import('pg');",
      ].join('\n'),
      ts.ScriptTarget.Latest,
      true,
    );
    expect(importsOf('src/core/example.ts', source)).toEqual([
      { specifier: '../service/index.js', typeOnly: false, line: 1 },
      { specifier: '../service/types.js', typeOnly: true, line: 2 },
      { specifier: '../http/options.js', typeOnly: true, line: 3 },
      { specifier: './w.js', typeOnly: false, line: 4 },
      { specifier: 'pg', typeOnly: false, line: 7 },
    ]);
    expect(layerOf('src/core/example.ts')).toBe('core');
    expect(layerOf('src/index.ts')).toBe('root');
    expect(layerOf('src/elsewhere/x.ts')).toBeUndefined();
    expect(packageOf('@noble/hashes/sha2.js')).toBe('@noble/hashes');
    expect(packageOf('node:assert/strict')).toBe('node:assert');
    expect(codeLines('function f() {\n  // why\n\n  /* a\n b */\n  return 1;\n}')).toBe(3);
  });
});
