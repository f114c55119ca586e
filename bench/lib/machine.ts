/** What the numbers were measured on. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { TEMPORAL_CLI_VERSION } from '../../scripts/lib/temporal-cli';
import type { Machine } from './report';

export function describeMachine(binary: string): Machine {
  let cli = TEMPORAL_CLI_VERSION;
  try {
    // A go-installed binary calls itself 0.0.0-DEV; the server and UI versions it embeds are still useful.
    const out = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
    cli = `${TEMPORAL_CLI_VERSION} (${out.replace(/^temporal version\s*/, '')})`;
  } catch {
    // keep the pinned version
  }
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    temporalCli: cli,
    kernel: os.release(),
  };
}
