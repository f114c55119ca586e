/**
 * Runs long-lived child processes with prefixed output, restarts one that dies unexpectedly (with a
 * growing delay, so a crash loop does not spin), and stops them all in reverse order on shutdown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { prefixedWriter } from './log-lines';
import { stopChild } from './temporal-dev-server';

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
    const child = spawn(spec.command, spec.args, {
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
