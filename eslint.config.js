// @ts-check
// ESLint 9 flat config. TypeScript sources are linted with type information (typescript-eslint's
// project service finds the nearest tsconfig.json of each file); plain JS and `*.config.*` files are
// linted without it, because they belong to no tsconfig project. Cross-package imports resolve to
// the built `dist/*.d.ts`, so run `npm run build` (or `npm ci`) before `npm run lint`.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const TS_FILES = ['**/*.ts', '**/*.mts', '**/*.cts', '**/*.tsx'];
const JS_FILES = ['**/*.js', '**/*.mjs', '**/*.cjs'];
/** Tool configuration files: they need a default export and sit outside every tsconfig project. */
const TS_CONFIG_FILES = ['**/*.config.ts', '**/*.config.mts', '**/*.config.cts'];
const CONFIG_FILES = [...TS_CONFIG_FILES, '**/*.config.js', '**/*.config.mjs', '**/*.config.cjs'];
/** Tests and the code that exists only for them (contract suites, fixtures, test servers). */
const TEST_FILES = ['**/*.test.ts', '**/*.test.tsx', 'e2e/**/*.ts', 'packages/testing/src/**/*.ts', '**/test-support/**/*.ts'];

/**
 * Workspaces whose tests are left out of `tsconfig.json` (to break a build cycle) and type-checked by
 * a `tsconfig.test.json` beside it. The project service only finds `tsconfig.json`, so those test
 * files get their program from `tsconfig.test.json` explicitly.
 */
const TEST_TSCONFIGS = ['packages', 'apps']
  .flatMap((group) =>
    (existsSync(join(import.meta.dirname, group)) ? readdirSync(join(import.meta.dirname, group)) : []).map((name) => `${group}/${name}`),
  )
  .concat(['e2e', 'bench'])
  .filter((dir) => existsSync(join(import.meta.dirname, dir, 'tsconfig.test.json')));

/** The globals a Node.js ESM script may use; listed here rather than pulled from the `globals` package. */
const NODE_GLOBALS = /** @type {const} */ ({
  process: 'readonly',
  console: 'readonly',
  Buffer: 'readonly',
  URL: 'readonly',
  URLSearchParams: 'readonly',
  setTimeout: 'readonly',
  clearTimeout: 'readonly',
  setInterval: 'readonly',
  clearInterval: 'readonly',
  setImmediate: 'readonly',
  queueMicrotask: 'readonly',
  structuredClone: 'readonly',
  fetch: 'readonly',
  AbortController: 'readonly',
  TextEncoder: 'readonly',
  TextDecoder: 'readonly',
});

/** House style: no default exports (named exports keep one name for one thing across the repo). */
const NO_DEFAULT_EXPORT = [
  {
    selector: 'ExportDefaultDeclaration',
    message: 'Use a named export: the house style has no default exports.',
  },
  {
    selector: "ExportNamedDeclaration > ExportSpecifier[exported.name='default']",
    message: 'Use a named export: the house style has no default exports.',
  },
];

export default defineConfig(
  globalIgnores(['**/dist/', '**/node_modules/', '**/coverage/', 'bench/results/', '**/.shipmate/', '**/*.tsbuildinfo']),

  // Everything: ESLint's recommended rules (typescript-eslint turns off the ones TypeScript covers).
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  // TypeScript sources: type-aware rules.
  {
    files: TS_FILES,
    ignores: CONFIG_FILES,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      'no-restricted-syntax': ['error', ...NO_DEFAULT_EXPORT],
      // Off: Fastify handlers, hooks and plugins are `async` by contract (an async handler's return
      // value is the reply), so an `async` function without `await` is the idiom there, not a bug.
      '@typescript-eslint/require-await': 'off',
    },
  },

  // Package entry points: explicit exports only (house style: no `export *` from an entry point).
  {
    files: ['packages/*/src/index.ts', 'apps/*/src/index.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...NO_DEFAULT_EXPORT,
        {
          selector: 'ExportAllDeclaration',
          message: 'List the exports: a package entry point does not `export *`.',
        },
      ],
    },
  },

  // Tests: reaching into parsed JSON bodies and asserting on them is the point, so the unsafe-*
  // family and non-null assertions are allowed. `any`, floating promises and default exports are not.
  {
    files: TEST_FILES,
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },

  ...TEST_TSCONFIGS.map((dir) => ({
    files: [`${dir}/src/**/*.test.ts`, `${dir}/src/**/*.test.tsx`],
    languageOptions: {
      parserOptions: { projectService: false, project: [`./${dir}/tsconfig.test.json`], tsconfigRootDir: import.meta.dirname },
    },
  })),

  // TypeScript tool configs (vitest.config.ts, …): syntax rules only, default export allowed.
  {
    files: TS_CONFIG_FILES,
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
    },
  },

  // Plain JavaScript (this file, bin launchers): no type information, Node globals.
  {
    files: JS_FILES,
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: NODE_GLOBALS,
    },
  },
);
