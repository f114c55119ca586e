/**
 * Finds or builds the Temporal CLI. Pinned to v1.5.1: the newest tag that `go install` can build
 * (later tags use a `replace` directive).
 */
import { existsSync } from 'node:fs';
import { goInstall, isInstalled, ToolError, toolBinary, type GoTool } from './go-tools';

export { TOOLS_BIN } from './go-tools';
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const TOOL: GoTool = {
  name: 'temporal',
  module: 'github.com/temporalio/cli/cmd/temporal',
  version: TEMPORAL_CLI_VERSION,
};
const BINARY = toolBinary(TOOL);

export class TemporalCliError extends ToolError {}

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
  return isInstalled(TOOL);
}

/** Builds the CLI into tools/bin unless it is already there at the pinned version. Returns the path. */
export function provisionTemporalCli(log: (line: string) => void): string {
  if (process.env.TEMPORAL_CLI) return temporalCliPath();
  return goInstall(TOOL, log, ', or set TEMPORAL_CLI=/path/to/temporal to use a binary you already have');
}
