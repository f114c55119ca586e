// Two worlds: workflow code runs in Temporal's deterministic sandbox, everything else is plain Node.
import tseslint from 'typescript-eslint';

const sandboxForbidden = {
  patterns: [
    { group: ['node:*'], message: 'Workflow code is sandboxed: no Node built-ins.' },
    {
      group: ['pino', 'pg', '@electric-sql/*', 'fastify*', 'prom-client', 'cockatiel', 'commander', 'zod'],
      message: 'Not sandbox-safe; workflows import only @temporalio/workflow and shared/.',
    },
    {
      group: ['@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing'],
      message: 'Only @temporalio/workflow inside workflows.',
    },
    {
      group: [
        '**/config',
        '**/config/**',
        '**/logging/**',
        '**/client/**',
        '**/worker',
        '**/audit/**',
        '**/gateway-sandbox/**',
        '**/scripts/**',
      ],
      message: 'Workflows must not import Node-side modules.',
    },
    {
      group: ['**/activities', '**/activities/**'],
      allowTypeImports: true,
      message: 'Use `import type` for activities in workflows.',
    },
  ],
  paths: [
    'fs',
    'path',
    'crypto',
    'http',
    'https',
    'net',
    'os',
    'child_process',
    'process',
    'events',
    'stream',
    'timers',
    'worker_threads',
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
    rules: { 'no-restricted-imports': ['error', sandboxForbidden] },
  },
  {
    files: ['scripts/**/*.ts', 'test/**/*.ts', 'client/cli.ts', 'cli/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
