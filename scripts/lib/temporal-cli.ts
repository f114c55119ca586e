/**
 * Finds or builds the Temporal CLI. Pinned to v1.5.1: the newest tag that `go install` can build
 * (later tags use a `replace` directive). The SDK's own download needs the internet, which we cannot assume.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findGo, goInstall, GoToolError, TOOLS_BIN } from './go';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const MODULE = 'github.com/temporalio/cli/cmd/temporal';
const BINARY = path.join(TOOLS_BIN, 'temporal');
// A go-installed binary reports "0.0.0-DEV", so we stamp the version we asked for beside it.
const STAMP = path.join(TOOLS_BIN, 'temporal.version');

export class TemporalCliError extends GoToolError {}

/** The binary to run: $TEMPORAL_CLI if set, else the provisioned one. Throws a clear error if absent. */
export function temporalCliPath(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.TEMPORAL_CLI;
  if (override) {
    if (!existsSync(override)) throw new TemporalCliError(`TEMPORAL_CLI=${override} does not exist.`);
    return override;
  }
  if (!isProvisioned()) {
    throw new TemporalCliError(
      `Temporal CLI ${TEMPORAL_CLI_VERSION} not found at ${BINARY}. Run "npm run provision" (needs Go >= 1.25) ` +
        'or set TEMPORAL_CLI=/path/to/temporal.',
    );
  }
  return BINARY;
}

export function isProvisioned(): boolean {
  return existsSync(BINARY) && existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === TEMPORAL_CLI_VERSION;
}

/** Builds the CLI into tools/bin unless it is already there at the pinned version. Returns the path. */
export function provisionTemporalCli(log: (line: string) => void): string {
  if (process.env.TEMPORAL_CLI) return temporalCliPath();
  if (isProvisioned()) return BINARY;
  const go = findGo('The Temporal CLI', 'set TEMPORAL_CLI=/path/to/temporal to use a binary you already have');
  log(`Building Temporal CLI ${TEMPORAL_CLI_VERSION} with ${go} (first run only; takes a few minutes)...`);
  goInstall(go, [MODULE], TEMPORAL_CLI_VERSION, TOOLS_BIN);
  writeFileSync(STAMP, `${TEMPORAL_CLI_VERSION}\n`);
  return BINARY;
}
