/**
 * Runs long-lived child processes with prefixed output, restarts one that dies unexpectedly (with a
 * growing delay, so a crash loop does not spin), and stops them all in reverse order on shutdown. Children die
 * with the supervisor even when it is killed hard (child-guard.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { prefixedWriter } from './log-lines';
import { stopChild } from './temporal-dev-server';
import { guardedSpawnArgs } from './child-guard';

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

interface Running {
  spec: ServiceSpec;
  child: ChildProcess;
  restarts: number;
}

export class Supervisor {
  private readonly services: Running[] = [];
  private stopping = false;

  constructor(private readonly write: (s: string) => void) {}

  start(spec: ServiceSpec, restarts = 0): void {
    const [command, args] = guardedSpawnArgs(spec.command, spec.args);
    const child = spawn(command, args, {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const prefix = `[${spec.name}]`.padEnd(11);
    child.stdout?.on('data', prefixedWriter(prefix, this.write));
    child.stderr?.on('data', prefixedWriter(prefix, this.write));
    const entry: Running = { spec, child, restarts };
    const index = this.services.findIndex((s) => s.spec.name === spec.name);
    if (index >= 0) this.services[index] = entry;
    else this.services.push(entry);
    child.once('exit', (code, signal) => this.onExit(entry, code, signal));
  }

  private onExit(entry: Running, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    const delay = Math.min(30_000, 1_000 * 2 ** entry.restarts);
    this.write(`[supervisor] ${entry.spec.name} exited (code ${code}, signal ${signal}); restarting in ${delay} ms\n`);
    setTimeout(() => {
      if (!this.stopping) this.start(entry.spec, entry.restarts + 1);
    }, delay);
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const s of [...this.services].reverse()) await stopChild(s.child, 25_000);
  }
}

/**
 * Resolves after SIGINT or SIGTERM once everything is stopped: the services in reverse order (the API first, so no
 * request arrives while a worker or the gateway is going away), then Temporal.
 */
export function stopOnSignal(
  supervisor: Supervisor,
  temporal: { stop: () => Promise<void> },
  write: (s: string) => void,
  onStopping: () => void = () => undefined,
): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      onStopping();
      write(`\n[supervisor] ${signal}: stopping API, workers, gateway, then Temporal...\n`);
      await supervisor.stopAll();
      await temporal.stop();
      write('[supervisor] stopped\n');
      resolve();
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
    // `npm run x` runs us under npm and tsx: if one of them is killed hard we are re-parented, and stop too.
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid !== parent) void stop('parent process gone');
    }, 1_000);
    watch.unref();
  });
}
