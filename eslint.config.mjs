// ESLint (flat config): typescript-eslint's recommended rules, plus the type-aware rules that catch
// promises nobody awaits, on the whole TypeScript tree. Formatting is Prettier's job, not ESLint's.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';
import layers from './eslint/layers.mjs';

export default tseslint.config(
  { ignores: ['node_modules/', '.next/', '.data/', 'dist/', 'test-results/', 'playwright-report/', 'next-env.d.ts', 'patches/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mts}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  // Imports point one way, app/ → server/ → db/ (what each folder may import: eslint/layers.mjs).
  {
    files: ['app/**', 'server/**', 'db/**'],
    plugins: { layers },
    rules: { 'layers/one-way': 'error' },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  prettier,
);
