/** How the workflow code is bundled: the same for the worker, the test harness and the replayers. */

/** Where they all find the workflow code. */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * The workflow modules are evaluated once per worker thread and shared by every run in it, instead of once per run
 * (the SDK's reusable V8 context keeps a module cache per run otherwise): less memory per cached run and less CPU
 * per new run (issue 19). Safe because workflows/ and shared/ keep no per-run state at module scope: handlers and
 * state live inside the workflow functions and the objects each run creates; module-level tables are only read
 * (the SDK freezes exported ones; a non-exported Map or Set is read-only by convention, which no tool checks);
 * the one module-level cache (currency exponents) memoises a pure function; the one global RegExp is used only
 * with `replace`, which resets its `lastIndex`. ESLint refuses a module-scope `let`/`var` there.
 * test/worker/shared-modules.test.ts checks that the modules are shared, and that parked runs keep their own state.
 */
export const WORKFLOW_BUNDLER_OPTIONS = { preloadModules: [WORKFLOWS_PATH] };
