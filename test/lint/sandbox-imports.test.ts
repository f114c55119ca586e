/**
 * The workflow-sandbox import rule is an allow-list: this proves it refuses what it must and lets through the rest.
 * And workflow modules, shared by every run on a worker thread, may hold no `let`/`var` at module scope.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const root = path.resolve(__dirname, '../..');

const IMPORTS = '@typescript-eslint/no-restricted-imports';

async function problems(code: string, file = 'workflows/probe.ts', ruleId = IMPORTS): Promise<string[]> {
  // The rule's options as the project's own config resolves them for a workflow file (not a copy of them).
  const project = (await new ESLint({ cwd: root }).calculateConfigForFile(path.join(root, file))) as {
    rules: Record<string, unknown[]>;
  };
  // A rule the project does not set for this file is off there.
  const rule = project.rules[ruleId] ?? 'off';
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { '@typescript-eslint': tseslint.plugin },
        rules: { [ruleId]: rule as ['error', unknown] | 'off' },
      },
    ],
  });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.map((m) => `${m.line}:${m.ruleId ?? m.message}`);
}

describe('workflow sandbox imports', () => {
  it('allows the workflow package, siblings, shared/ and type-only imports', async () => {
    const code = [
      "import { proxyActivities } from '@temporalio/workflow';",
      "import type { RetryPolicy } from '@temporalio/common';",
      "import { reject } from './refuse';",
      "import { gatewayChargeKey } from '../shared/idempotency';",
      "import type { PaymentActivities } from '../activities';",
      "import type { Logger } from 'pino';",
    ].join('\n');
    expect(await problems(code)).toEqual([]);
  });

  it.each([
    ["import pino from 'pino';", 'a Node-side package'],
    ["import { readFileSync } from 'node:fs';", 'a Node built-in'],
    ["import { createActivities } from '../activities';", 'a value from activities'],
    ["import { loadConfig } from '../config';", 'config'],
    ["import { anything } from '../a-folder-added-later/x';", 'a folder nobody listed'],
    ["import { Client } from '@temporalio/client';", 'another Temporal package'],
  ])('refuses %s (%s)', async (line) => {
    expect(await problems(line)).toEqual(['1:@typescript-eslint/no-restricted-imports']);
  });

  it('holds for shared/ too', async () => {
    expect(await problems("import pino from 'pino';", 'shared/probe.ts')).toEqual([
      '1:@typescript-eslint/no-restricted-imports',
    ]);
  });
});

describe('workflow module scope', () => {
  const SYNTAX = 'no-restricted-syntax';

  it.each([
    ['let attempts = 0;', 'workflows/probe.ts'],
    ['export var seen = new Set<string>();', 'workflows/probe.ts'],
    ['let cached: string | undefined;', 'shared/probe.ts'],
  ])('refuses %s in %s', async (line, file) => {
    expect(await problems(line, file, SYNTAX)).toEqual([`1:${SYNTAX}`]);
  });

  it('allows constants at module scope and any variable inside a function', async () => {
    const code = [
      'export const RETRIES = 3;',
      "const NAMES = new Set(['a']);",
      'export function run(): number {',
      '  let n = 0;',
      '  for (let i = 0; i < RETRIES; i++) n += NAMES.size;',
      '  return n;',
      '}',
    ].join('\n');
    expect(await problems(code, 'workflows/probe.ts', SYNTAX)).toEqual([]);
  });

  it('does not apply outside the sandbox', async () => {
    expect(await problems('let state = 0;', 'activities/probe.ts', SYNTAX)).toEqual([]);
  });
});
