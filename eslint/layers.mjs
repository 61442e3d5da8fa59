// Imports point one way: app/ → server/ → db/. A local rule rather than `no-restricted-imports`
// because it judges where an import lands, not how it is spelled: a relative path, or a tsconfig
// `paths` alias, from any depth.
//
// - db/ imports nothing of server/, app/ or scripts/ (the schema and the client stand alone).
// - server/ imports nothing of app/ or scripts/ (server/testing neither: the test harness is server
//   code too, and scripts/ are entry points, not libraries).
// - server/shared/ is what the browser shares with the server (poll timing, limits, row names): it
//   imports only itself and db/limits.ts, so a page that imports it pulls no server code along.
// - app/ imports from server/ only server/shared/, types (`import type`: erased, nothing reaches the
//   browser; the tRPC `AppRouter` type among them), and, in the files Next runs only on the server
//   (route handlers under app/api/; a layout, page, template, not-found or route file without
//   'use client'), the server code they run. Tests (*.test.ts) never reach the browser either.
//   Nothing of db/ or scripts/ but types.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** tsconfig `paths` as [prefix, target directory] pairs ("@/*": ["./*"] → ["@/", ROOT]). */
function aliases() {
  try {
    const text = fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8');
    const { compilerOptions = {} } = JSON.parse(text);
    const base = path.resolve(ROOT, compilerOptions.baseUrl ?? '.');
    return Object.entries(compilerOptions.paths ?? {}).flatMap(([from, [to] = []]) =>
      from.endsWith('*') && to?.endsWith('*') ? [[from.slice(0, -1), path.resolve(base, to.slice(0, -1))]] : [],
    );
  } catch {
    return [];
  }
}
const ALIASES = aliases();

/** The file an import names, relative to the repository ('server/errors'); undefined for a package. */
function target(fromFile, source) {
  let absolute;
  if (source.startsWith('.')) absolute = path.resolve(path.dirname(fromFile), source);
  else {
    const alias = ALIASES.find(([prefix]) => source.startsWith(prefix));
    if (!alias) return undefined;
    absolute = path.join(alias[1], source.slice(alias[0].length));
  }
  const relative = path.relative(ROOT, absolute).split(path.sep).join('/');
  return relative.startsWith('..') ? undefined : relative;
}

const under = (file, folder) => file === folder || file.startsWith(`${folder}/`);
const SHARED = 'server/shared';
const BROWSER_SAFE_DB = /^db\/limits(\.ts)?$/;

/** Next's special files: rendered on the server unless they say 'use client' (`.dev.tsx`: development only, next.config.mjs). */
const NEXT_SERVER_FILE = /(^|\/)(layout|page|template|not-found|default|route)(\.dev)?\.tsx?$/;
const USE_CLIENT = /^\s*(?:\/\/[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*['"]use client['"]/;

/** Whether `from` runs only on the server (Next never bundles it for the browser), given its text. */
const serverOnlyAppFile = (from, text) =>
  under(from, 'app/api') || /\.test\.tsx?$/.test(from) || (NEXT_SERVER_FILE.test(from) && !USE_CLIENT.test(text));

/** Why `from` may not import `to`, or undefined when it may. */
function refusal(from, to, typeOnly, text = '') {
  if (under(from, 'db')) {
    for (const layer of ['server', 'app', 'scripts'])
      if (under(to, layer)) return `db/ may not import ${layer}/: layers point app/ → server/ → db/`;
  }
  if (under(from, SHARED) && !under(to, SHARED) && !BROWSER_SAFE_DB.test(to) && !typeOnly)
    return `${SHARED}/ is imported by the browser: it may import only itself and db/limits.ts`;
  if (under(from, 'server')) {
    for (const layer of ['app', 'scripts'])
      if (under(to, layer)) return `server/ may not import ${layer}/: layers point app/ → server/ → db/`;
  }
  if (under(from, 'app') && !typeOnly) {
    if (under(to, 'scripts') || under(to, 'db')) return `app/ may import only types from ${to.split('/')[0]}/`;
    if (under(to, 'server') && !under(to, SHARED) && !serverOnlyAppFile(from, text))
      return `app/ may import from server/ only ${SHARED}/ and types (route handlers in app/api/ excepted): server code must not reach the browser`;
  }
  return undefined;
}

const typeOnlyImport = (node) =>
  node.importKind === 'type' ||
  node.exportKind === 'type' ||
  (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type'));

const oneWay = {
  meta: { type: 'problem', docs: { description: 'Imports point one way: app/ → server/ → db/' }, schema: [] },
  create(context) {
    const from = path.relative(ROOT, context.filename).split(path.sep).join('/');
    const check = (node, typeOnly) => {
      if (node.source?.type !== 'Literal' || typeof node.source.value !== 'string') return;
      const to = target(context.filename, node.source.value);
      const why = to && refusal(from, to, typeOnly, context.sourceCode.text);
      if (why) context.report({ node: node.source, message: `${node.source.value}: ${why}.` });
    };
    return {
      ImportDeclaration: (node) => check(node, typeOnlyImport(node)),
      ExportNamedDeclaration: (node) => check(node, typeOnlyImport(node)),
      ExportAllDeclaration: (node) => check(node, node.exportKind === 'type'),
      ImportExpression: (node) => check(node, false),
    };
  },
};

export default { rules: { 'one-way': oneWay } };
