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

/**
 * A `let` or `var` at module scope would be shared by every run on the thread, so it is refused there. A module-level
 * `const` holding a Map, Set, array or object is not caught: such tables must only be read (worker/workflow-bundle.ts).
 */
const moduleScopeVariables = [
  'Program > VariableDeclaration',
  'Program > ExportNamedDeclaration > VariableDeclaration',
].map((parent) => ({
  selector: `${parent}[kind!='const']`,
  message: 'Workflow modules are shared by every run on a worker thread: no `let`/`var` at module scope.',
}));

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
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', sandboxImports],
      // Every run on a worker thread shares these modules (worker/workflow-bundle.ts): no per-run state at module scope.
      'no-restricted-syntax': ['error', ...moduleScopeVariables],
    },
  },
  {
    files: ['scripts/**/*.ts', 'test/**/*.ts', 'cli/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
