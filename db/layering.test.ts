import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * Layers point one way (app/ → server/ → db/): `npm run lint` refuses an import that points back
 * (eslint/layers.mjs). Planted imports are linted with the project's own configuration, as if they
 * were files of these folders; only the layering rule runs, without type information, so the check
 * takes a moment rather than a type-checked program.
 */
const eslint = new ESLint({
  ruleFilter: ({ ruleId }) => ruleId === 'layers/one-way',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
});

async function layeringErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => m.message);
}

describe('imports point one way', () => {
  it.each([
    ['db/planted.ts', "import { DomainError } from '@/server/errors';", 'db/ may not import server/'],
    ['db/migrations/planted.ts', "export * from '../../app/_i18n/messages';", 'db/ may not import app/'],
    ['db/planted.ts', "import { npmStartNodeArgs } from '@/scripts/seed';", 'db/ may not import scripts/'],
    ['server/queue/planted.ts', "import { messages } from '../../app/_i18n/messages';", 'server/ may not import app/'],
    ['server/planted.ts', "const seed = await import('@/scripts/seed');", 'server/ may not import scripts/'],
    ['server/testing/planted.ts', "import { main } from '../../scripts/build';", 'server/ may not import scripts/'],
    ['server/shared/planted.ts', "import { env } from '@/env';", 'server/shared/ is imported by the browser'],
    ['app/queue/planted.tsx', "import { issueToken } from '../../server/queue/issue';", 'app/ may import from server/ only'],
    ['app/planted.ts', "import { connect } from '@/db/client';", 'app/ may import only types from db/'],
    // The same, through the '@/…' alias.
    ['db/planted.ts', "import { DomainError } from '@/server/errors';", 'db/ may not import server/'],
    ['server/planted.ts', "import { main } from '@/scripts/build';", 'server/ may not import scripts/'],
    ['server/planted.ts', "import { messages } from '@/app/_i18n/messages';", 'server/ may not import app/'],
    // A client component is bundled for the browser, whatever its file name.
    ['app/queue/page.tsx', "'use client';\nimport { getDatabase } from '@/server/database';", 'app/ may import from server/ only'],
  ])('%s: %s fails the lint', async (file, code, why) => {
    expect(await layeringErrors(file, code)).toEqual([expect.stringContaining(why)]);
  });

  it.each([
    ['server/planted.ts', "import { connect } from '@/db/client';"],
    ['app/queue/planted.tsx', "import type { AppRouter } from '../../server/trpc/root';"],
    ['app/queue/planted.tsx', "import { type TokenView } from '../../server/queue/views';"],
    ['app/queue/planted.tsx', "import { nextPollDelayMs } from '../../server/shared/timing';"],
    ['app/api/planted/route.ts', "import { handleFetch } from '../../../server/http/trpc-handlers';"],
    ['server/shared/planted.ts', "import { MAX_BALANCE } from '../../db/limits';"],
    ['app/queue/planted.tsx', "import { nextPollDelayMs } from '@/server/shared/timing';"],
    // Next renders these on the server only: a layout or page without 'use client', and tests.
    ['app/queue/layout.tsx', "import { getDatabase } from '@/server/database';"],
    ['app/queue/page.tsx', "import { getDatabase } from '@/server/database';"],
    ['app/queue/page.dev.tsx', "import { getDatabase } from '@/server/database';"],
    ['app/queue/planted.test.ts', "import { getDatabase } from '@/server/database';"],
  ])('%s: %s passes', async (file, code) => {
    expect(await layeringErrors(file, code)).toEqual([]);
  });

  it('holds in the tree as it is', async () => {
    const results = await eslint.lintFiles(['app', 'server', 'db']);
    expect(results.flatMap((r) => r.messages.map((m) => `${r.filePath}: ${m.message}`))).toEqual([]);
  });
});
