/**
 * Go-built tools (the Temporal CLI, stripe-mock, Temporal's server): find Go, `go install` a pinned module version into the
 * git-ignored tools/bin once, and stamp the version beside the binary (a go-installed binary does not know
 * its own tag). The SDKs' own downloads need the internet, which we cannot assume.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
export const TOOLS_BIN = path.join(ROOT, 'tools', 'bin');

/** A tool cannot be found or built; the message says what to install or set. */
export class ToolError extends Error {}

export interface GoTool {
  /** Binary name in tools/bin. */
  name: string;
  /** The module path `go install` takes. */
  module: string;
  version: string;
}

export const toolBinary = (tool: GoTool) => path.join(TOOLS_BIN, tool.name);
const stampOf = (tool: GoTool) => path.join(TOOLS_BIN, `${tool.name}.version`);

export function isInstalled(tool: GoTool): boolean {
  const stamp = stampOf(tool);
  return existsSync(toolBinary(tool)) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === tool.version;
}

/** `alternative`: what else the user may do, e.g. ", or set TEMPORAL_CLI=… to use a binary you already have". */
export function findGo(forWhat: string, alternative = ''): string {
  for (const candidate of ['go', '/usr/local/go/bin/go', '/usr/lib/go/bin/go']) {
    if (spawnSync(candidate, ['version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  throw new ToolError(
    `Go was not found. ${forWhat} is built from source with Go >= 1.25: install Go ` +
      `(https://go.dev/doc/install, or \`apt-get install golang\` if your release ships >= 1.25)${alternative}.`,
  );
}

/** Builds `tool` into tools/bin unless it is already there at its pinned version. Returns the binary's path. */
export function goInstall(tool: GoTool, log: (line: string) => void, alternative = ''): string {
  if (isInstalled(tool)) return toolBinary(tool);
  const go = findGo(`${tool.name} ${tool.version}`, alternative);
  log(`Building ${tool.name} ${tool.version} with ${go} (first run only; may take a few minutes)...`);
  goInstallPackages(go, [tool.module], tool.version, TOOLS_BIN);
  writeFileSync(stampOf(tool), `${tool.version}\n`);
  return toolBinary(tool);
}

/** `go install pkg@version ...` with GOBIN=dir; output goes to the terminal (a first build takes minutes). */
export function goInstallPackages(go: string, packages: string[], version: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  const targets = packages.map((p) => `${p}@${version}`);
  try {
    execFileSync(go, ['install', ...targets], { stdio: 'inherit', env: { ...process.env, GOBIN: dir } });
  } catch (err) {
    throw new ToolError(`go install ${targets.join(' ')} failed: ${(err as Error).message}`);
  }
}
