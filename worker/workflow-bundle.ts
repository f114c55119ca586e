/** How the workflow code is bundled, the same for the worker, the test harness and the replayers. */
/** Where every worker, test harness and replayer finds the workflow code. */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * The workflow modules are evaluated once per worker thread and shared by every run in it, instead of once per run
 * (the SDK's reusable V8 context keeps a module cache per run otherwise): less memory per cached run and less CPU
 * per new run (issue 19). Safe because workflows/ and shared/ keep no per-run state at module scope: handlers and
 * state live inside the workflow functions, module-level tables are read-only (the SDK deep-freezes the exports),
 * and the one module-level cache (currency exponents) memoises a pure function. ESLint refuses a top-level `let`
 * there; test/worker/shared-modules.test.ts runs payments side by side on one worker thread.
 */
export const WORKFLOW_BUNDLER_OPTIONS = { preloadModules: [WORKFLOWS_PATH] };
