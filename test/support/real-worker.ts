/**
 * The real worker process (`tsx worker.ts`), configured only by its environment, for tests that need what only the
 * process does (its Prometheus endpoint, its runtime options). A worker that dies fails the test with its output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childPids } from '../../bench/lib/proc';
import { TEST_ENCRYPTION_KEYS_ENV } from './encryption';

const ROOT = path.resolve(__dirname, '../..');
/** Past the worker's own bound on its stop (worker.ts: 40 s from the signal), with a margin. */
const STOP_DEADLINE_MS = 45_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

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
        // The worker bounds its own stop (40 s from the signal); past that it is hung, and its output says where.
        const stopped = await Promise.race([exited.then(() => true), sleep(STOP_DEADLINE_MS).then(() => false)]);
        if (!stopped) {
          // Under tsx's launcher the worker is the launcher's child: kill it first, or it would be left running.
          for (const pid of child.pid === undefined ? [] : childPids(child.pid)) killQuietly(pid);
          child.kill('SIGKILL');
          await exited;
          rmSync(auditDir, { recursive: true, force: true });
          throw new Error(
            `worker did not exit ${STOP_DEADLINE_MS} ms after SIGINT; its output:\n${output.slice(-4000)}`,
          );
        }
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

/** SIGKILL to a process that may already be gone. */
function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}
