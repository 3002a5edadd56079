// Lint, and the layer rules of DESIGN §3 enforced by no-restricted-imports:
//   main → api → services → db → shared;  renderer → shared;  preload → shared.
// Only electron/main, electron/preload and the IPC transport may import
// 'electron', so services and db run in plain Node tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const electronModule = { name: 'electron', message: 'Only electron/main, electron/preload and electron/api/ipc.ts may import electron.' };
const layer = (regex, message) => ({ regex, message });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', 'test-results/**', 'playwright-report/**', '.test-reports/**', 'demo-data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.cjs', 'scripts/**/*.mjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronModule],
        patterns: [
          layer('^node:', 'shared/ runs in the renderer too: no Node modules.'),
          layer('(^|/)(electron|renderer|test)/', 'shared/ imports nothing outside shared/.'),
          layer('^(react|react-dom|better-sqlite3)', 'shared/ has no UI or database code.'),
        ],
      }],
    },
  },
  {
    files: ['electron/db/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronModule],
        patterns: [layer('^\\.\\./(services|api|main|preload|cli)(/|$)', 'db/ is the bottom layer: it may import only shared/.')],
      }],
    },
  },
  {
    files: ['electron/services/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronModule],
        patterns: [layer('^\\.\\./(api|main|preload|cli)(/|$)', 'services/ may import db/ and shared/ only.')],
      }],
    },
  },
  {
    files: ['electron/api/**/*.ts'],
    ignores: ['electron/api/ipc.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronModule],
        patterns: [layer('^(\\.\\./)+(main|preload|cli)(/|$)', 'api/ must not reach up into main, preload or the CLI.')],
      }],
    },
  },
  {
    files: ['electron/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [layer('^\\.\\./(api|services|db|main|cli)(/|$)', 'The preload exposes the contract only: it imports shared/ and electron.')],
      }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronModule],
        patterns: [
          layer('^node:', 'The renderer is sandboxed: no Node modules.'),
          layer('(^|/)(electron|test|scripts)/', 'The renderer imports shared/ and its own files only.'),
          layer('^(better-sqlite3|fs|path|child_process|os|crypto)$', 'The renderer is sandboxed: no Node modules.'),
        ],
      }],
    },
  },
);
