/**
 * Finds the Go toolchain and builds a pinned Go command into the git-ignored tools/bin. Shared by the Temporal
 * CLI (npm start, npm test) and the Temporal server (npm run cluster): one Go build cache, one error message.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
export const TOOLS_BIN = path.join(ROOT, 'tools', 'bin');

export class GoToolError extends Error {}

export function findGo(needs: string, fallback: string): string {
  for (const candidate of ['go', '/usr/local/go/bin/go', '/usr/lib/go/bin/go']) {
    if (spawnSync(candidate, ['version'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  throw new GoToolError(
    `Go was not found. ${needs} is built from source with Go >= 1.25: install Go ` +
      '(https://go.dev/doc/install, or `apt-get install golang` if your release ships >= 1.25), ' +
      `or ${fallback}.`,
  );
}

/** `go install pkg@version ...` with GOBIN=dir; output goes to the terminal (a first build takes minutes). */
export function goInstall(go: string, packages: string[], version: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync(go, ['install', ...packages.map((p) => `${p}@${version}`)], {
    stdio: 'inherit',
    env: { ...process.env, GOBIN: dir },
  });
}
