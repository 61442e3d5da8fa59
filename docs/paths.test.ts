import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README and docs/ name files of this repository, in backticks (`server/queue/rules.ts`) and in
 * links (`[the API](docs/api.md#errors)`, images). Code moves; prose does not follow by itself. This
 * test reads every such name and fails, naming file and line, when it points at nothing.
 *
 * What counts as a repository path (strict, so a stale name fails; quiet, so prose does not):
 * - in backticks outside fenced code blocks: a name without spaces, placeholders (`<id>`), globs
 *   (`*.spec.ts`), URLs or schemes (`node:`, `postgres://`), that is not a URL path (`/api/trpc`) and
 *   either starts with a top-level entry of the repository (`db/migrations/`) or ends in a file
 *   extension (`x/y.ts`; a bare `seat-map.ts` must exist somewhere in the tree). Relative to the root.
 * - in links and images: any target that is not a URL or a same-page anchor, relative to the file
 *   that links; a `#anchor` on a Markdown target must be one of its headings.
 * Paths under a git-ignored folder (`.data/`, `dist/`, `test-results/`) are made at run time, and
 * paths outside the repository (`../shared/seeds/`) are not ours to check: both are skipped.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const EXTENSIONS = /\.(ts|tsx|mts|mjs|cjs|js|json|sql|md|css|svg|png|patch|ya?ml|sh)$/;
/** Characters no path of ours contains: placeholders, globs, schemes, anchors, template literals, prose. */
const NOT_A_PATH = /[\s<>*{}?=:#$…,;'"|()`]/;

/** Top-level folders git ignores (`.data/`, `dist/`): what is in them is made at run time. */
function ignoredTopLevel(): Set<string> {
  const lines = fs.readFileSync(path.join(ROOT, '.gitignore'), 'utf8').split('\n');
  return new Set(
    lines
      .map((l) => l.trim())
      .filter((l) => /^\/?[^*/!#]+\/$/.test(l))
      .map((l) => l.replace(/^\/|\/$/g, '')),
  );
}

const SKIPPED_DIRS = new Set(['.git', 'node_modules', ...ignoredTopLevel()]);

/** Every file name in the tree (bare names in prose must be one of them). */
function fileNames(dir = ROOT, names = new Set<string>()): Set<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) fileNames(path.join(dir, entry.name), names);
    } else names.add(entry.name);
  }
  return names;
}

export interface Reference {
  /** Where it is named: `README.md:12`. */
  at: string;
  /** As written. */
  name: string;
  kind: 'code' | 'link';
}

/** The Markdown with fenced code blocks blanked out (line numbers kept): shell sessions and trees are not prose. */
function withoutFences(markdown: string): string {
  let fence: string | null = null;
  return markdown
    .split('\n')
    .map((line) => {
      const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence === null && marker) {
        fence = marker;
        return '';
      }
      if (fence !== null) {
        if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
        return '';
      }
      return line;
    })
    .join('\n');
}

/** Code spans and link targets of a Markdown text, with their line numbers. */
export function referencesIn(file: string, markdown: string): Reference[] {
  const text = withoutFences(markdown);
  const at = (offset: number) => `${file}:${text.slice(0, offset).split('\n').length}`;
  // A code span: a run of backticks, then the shortest text (within a paragraph: spans may wrap a
  // line, not cross a blank one) closed by a run of the same length.
  const spans = /(?<!`)(`+)((?:(?!\n[ \t]*\n)[\s\S])+?)(?<!`)\1(?!`)/g;
  const refs: Reference[] = [...text.matchAll(spans)].map((m) => ({
    at: at(m.index),
    name: m[2]!.replace(/\s+/g, ' ').trim(),
    kind: 'code',
  }));
  const prose = text.replace(spans, (span) => span.replace(/[^\n]/g, ' '));
  for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    refs.push({ at: at(m.index), name: m[1]!, kind: 'link' });
  }
  return refs.sort((a, b) => Number(a.at.split(':')[1]) - Number(b.at.split(':')[1]));
}

/** Whether a code span names a repository path (see the top of this file). */
export function looksLikeRepoPath(name: string, topLevel: ReadonlySet<string>): boolean {
  if (name === '' || NOT_A_PATH.test(name) || /^[/@~-]/.test(name) || name.includes('\\')) return false;
  const [first] = name.split('/');
  if (name.includes('/')) return topLevel.has(first!) || first === '..' || first === '.' || EXTENSIONS.test(name);
  return EXTENSIONS.test(name) && !/^\d/.test(name);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2. */
export function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of withoutFences(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** What is wrong with one reference, or null when it is fine or not a repository path. */
function problemWith(ref: Reference, file: string, topLevel: ReadonlySet<string>, names: ReadonlySet<string>): string | null {
  let target = ref.name;
  let anchor: string | undefined;
  let base = ROOT;
  if (ref.kind === 'link') {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return null; // a URL, mailto:
    if (target.startsWith('#')) {
      anchor = target.slice(1);
      target = path.basename(file);
    } else [target, anchor] = target.split('#') as [string, string | undefined];
    base = path.dirname(path.join(ROOT, file));
    target = decodeURI(target);
  } else {
    if (!looksLikeRepoPath(target, topLevel)) return null;
    if (!target.includes('/')) return names.has(target) ? null : `${ref.at}: \`${target}\` is no file of this repository`;
  }
  const absolute = path.resolve(base, target);
  const relative = path.relative(ROOT, absolute);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return null; // outside the repository
  if (SKIPPED_DIRS.has(relative.split(path.sep)[0]!)) return null; // made at run time
  if (!fs.existsSync(absolute))
    return `${ref.at}: ${ref.kind === 'link' ? `link to ${ref.name}` : `\`${ref.name}\``}: ${relative} does not exist`;
  if (target.endsWith('/') && !fs.statSync(absolute).isDirectory()) return `${ref.at}: \`${ref.name}\` is not a folder`;
  if (anchor && absolute.endsWith('.md') && !anchorsOf(fs.readFileSync(absolute, 'utf8')).has(anchor)) {
    return `${ref.at}: link to ${ref.name}: ${relative} has no heading #${anchor}`;
  }
  return null;
}

/** README.md and every Markdown file under docs/. */
function documents(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join('docs', f));
  return ['README.md', ...docs.sort()];
}

describe('the matcher', () => {
  const top = new Set(['server', 'db', 'e2e', 'docs', 'README.md']);
  it.each([
    'server/queue/line-cache.ts',
    'db/migrations/',
    'e2e/fixtures.ts',
    'app/api/trpc/[trpc]/route.ts',
    'servr/queue/x.ts',
    'seat-map.ts',
    'postgres+3.4.9.patch',
    '../shared/seeds/',
  ])('takes `%s` for a path', (name) => expect(looksLikeRepoPath(name, top)).toBe(true));
  it.each([
    '/api/trpc',
    '/concerts/[id]/draw',
    'queue_ticket_<concertId>',
    'e2e/sale-day*.spec.ts',
    'npm run dev',
    'node:cluster',
    'postgres://…',
    'porsager/postgres#1154',
    '@trpc/react-query',
    'application/jsonl',
    'T1.<code>.<HMAC>',
    '${seed}:${ticket}',
    'x-queue-ticket',
    'admin.sale.stats',
    '0.27',
  ])('does not take `%s` for a path', (name) => expect(looksLikeRepoPath(name, top)).toBe(false));

  it('reads code spans and link targets outside fenced blocks, with their lines', () => {
    const md = 'See `db/schema.ts` and [the API](docs/api.md#errors).\n```\nserver/gone.ts\n```\n![x](screenshots/a.png) `` `a/b.ts` ``';
    expect(referencesIn('README.md', md)).toEqual([
      { at: 'README.md:1', name: 'db/schema.ts', kind: 'code' },
      { at: 'README.md:1', name: 'docs/api.md#errors', kind: 'link' },
      { at: 'README.md:5', name: '`a/b.ts`', kind: 'code' },
      { at: 'README.md:5', name: 'screenshots/a.png', kind: 'link' },
    ]);
  });

  it('reads a code span that wraps a line as one, so the spans after it pair up', () => {
    expect(referencesIn('docs/x.md', 'the title (`#128 · Concert\nTickets`), then `db/schema.ts`').map((r) => [r.at, r.name])).toEqual([
      ['docs/x.md:1', '#128 · Concert Tickets'],
      ['docs/x.md:2', 'db/schema.ts'],
    ]);
  });

  it("names headings' anchors as GitHub does", () => {
    expect([...anchorsOf('# API (tRPC 11 over HTTP at `/api/trpc`)\n## Errors\n## Errors\n### Operator procedures (`admin.*`)')]).toEqual([
      'api-trpc-11-over-http-at-apitrpc',
      'errors',
      'errors-1',
      'operator-procedures-admin',
    ]);
  });
});

it('every repository path that README.md and docs/ name exists', () => {
  const topLevel = new Set(fs.readdirSync(ROOT));
  for (const dir of SKIPPED_DIRS) topLevel.add(dir);
  const names = fileNames();
  const problems = documents().flatMap((file) =>
    referencesIn(file, fs.readFileSync(path.join(ROOT, file), 'utf8'))
      .map((ref) => problemWith(ref, file, topLevel, names))
      .filter((p): p is string => p !== null),
  );
  expect(problems).toEqual([]);
});
