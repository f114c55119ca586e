/**
 * Run as its own process by test/worker/shared-modules.test.ts (the SDK's sandbox installs process-wide hooks):
 * builds the workflow bundle with or without the production bundler options, loads it into the SDK's reusable V8
 * context as a worker thread does, and prints, before any run exists, whether our workflow modules are already
 * in the context's shared module cache and frozen. Argument: `preload` or `plain`.
 */
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { parseWorkflowCode } from '@temporalio/worker/lib/worker';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import { WORKFLOW_BUNDLER_OPTIONS, WORKFLOWS_PATH } from '../../worker/workflow-bundle';

/** Exposes the context the SDK keeps protected. */
class Probe extends ReusableVMWorkflowCreator {
  moduleCache(): Record<string, { exports?: object } | undefined> {
    return (this.context as unknown as { __webpack_module_cache__: Record<string, { exports?: object }> })
      .__webpack_module_cache__;
  }
}

const PROBED = ['workflows/index.ts', 'workflows/payment.ts', 'shared/declines.ts', 'shared/payment-summary.ts'];

async function main(mode: string): Promise<void> {
  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    ...(mode === 'preload' ? WORKFLOW_BUNDLER_OPTIONS : {}),
    logger: new DefaultLogger('WARN'),
  });
  const ids = [...bundle.code.matchAll(/^\/\*\*\*\/ "([^"]+)"/gm)].map((m) => m[1]);
  // As the worker loads a bundle: its code with the source map split out.
  const probe = await Probe.create(parseWorkflowCode(bundle.code), 5_000, new Set());
  const cache = probe.moduleCache();
  const modules = PROBED.map((name) => {
    const id = ids.find((i) => i.endsWith(`/${name}`));
    const record = id === undefined ? undefined : cache[id];
    return {
      name,
      inBundle: id !== undefined,
      shared: record !== undefined,
      frozen: Boolean(record?.exports && Object.isFrozen(record.exports)),
    };
  });
  await probe.destroy();
  process.stdout.write(`${JSON.stringify(modules)}\n`);
}

main(process.argv[2] ?? 'preload').then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  },
);
