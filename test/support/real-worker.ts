/**
 * The real worker process (`tsx worker.ts`), configured only by its environment, for tests that need what only the
 * process does (its Prometheus endpoint, its runtime options). A worker that dies fails the test with its output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEST_ENCRYPTION_KEYS_ENV } from './encryption';

const ROOT = path.resolve(__dirname, '../..');

export interface RealWorker {
  process: ChildProcess;
  output(): string;
  /** Rejects when the process exits: race it against what the test waits for. */
  died: Promise<never>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** One process (`node --import tsx`) instead of tsx's launcher and its node child: a SIGKILL hits the worker. */
  singleProcess?: boolean;
}

export function spawnWorker(env: Record<string, string | undefined>, options: SpawnOptions = {}): RealWorker {
  const auditDir = mkdtempSync(path.join(os.tmpdir(), 'dp-worker-audit-'));
  let output = '';
  const [command, args] = options.singleProcess
    ? [process.execPath, ['--import', 'tsx', 'worker.ts']]
    : [path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['worker.ts']];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...withoutDatabaseUrl(process.env),
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
      AUDIT_DATA_DIR: auditDir,
      PAYLOAD_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS_ENV,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const died = new Promise<never>((_, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited (${code}):\n${output}`)));
  });
  died.catch(() => undefined);
  return {
    process: child,
    output: () => output,
    died,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT');
        await exited;
      }
      rmSync(auditDir, { recursive: true, force: true });
    },
  };
}

/** The embedded PGlite audit: the spawned worker must not share a PostgreSQL set in the environment. */
function withoutDatabaseUrl(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { DATABASE_URL: _ignored, ...rest } = env;
  return rest;
}
