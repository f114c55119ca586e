// Two worlds: workflow code runs in Temporal's deterministic sandbox, everything else is plain Node.
import tseslint from 'typescript-eslint';

/**
 * Workflow code and the `shared/` code it imports run in Temporal's deterministic sandbox. An allow-list, so a
 * new folder is outside the sandbox until someone decides otherwise: values may come only from
 * `@temporalio/workflow`, `@temporalio/common` (the sandbox-safe core it re-exports), sibling files and `shared/`.
 * Anything else may be imported with `import type`, which leaves nothing in the bundle.
 */
const sandboxImports = {
  patterns: [
    {
      regex: '^(?!@temporalio/(workflow|common)$|\\./|\\.\\./shared/)',
      allowTypeImports: true,
      message:
        'Workflow code is sandboxed: values only from @temporalio/workflow, sibling files and shared/ (else `import type`).',
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'tools/**', '.data/**', 'dist/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'shared/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', sandboxImports] },
  },
  {
    files: ['scripts/**/*.ts', 'test/**/*.ts', 'cli/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
