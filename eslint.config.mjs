// ESLint for the whole repository: `npm run lint` (part of `npm test`). Flat config, ESLint 10 and
// typescript-eslint 8, both running on the Node 20.19 the project requires.
import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // Built output, dependencies, data and the bench's own install of Hive Gateway.
    ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'bench/hive/node_modules/**', 'bench/.data/**'],
  },
  {
    // A disable comment that no longer silences anything is a stale claim about the code.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A leading underscore marks what is left out on purpose (`const { _id, ...rest }`, an
      // express error handler's `_next`, whose arity express reads).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Methods that implement an async port (a store, an Apollo hook, a loader) are `async`
      // without awaiting anything; the rule would have them wrap their results in
      // Promise.resolve, which reads worse and changes nothing.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests read JSON answers whose shape is exactly what they assert: typing every body before
    // reading it would add casts, not safety. Everything else applies to tests as to the code.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Plain JavaScript (configs, the bench's Hive entry, the pages' scripts) is not type-checked.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.cjs', 'jest.config.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    // Served to the browser by the gateway: the explorer and the auditor's console.
    files: ['gateway/src/*/public/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'script' },
  },
  {
    // The explorer's page loads React, ReactDOM, GraphiQL and graphql-ws as scripts before this one.
    files: ['gateway/src/explorer/public/explorer.js'],
    languageOptions: { globals: { React: 'readonly', ReactDOM: 'readonly', GraphiQL: 'readonly', graphqlWs: 'readonly' } },
  },
);
