/**
 * The peers' packages, installed on demand into bench/peers/.deps (git-ignored) with `npm install --prefix`, once,
 * so the project's own `npm install` stays lean and its package.json / package-lock.json never name them. Pinned:
 * a run on another day measures the same versions unless someone changes PEER_PACKAGES.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const PEER_DEPS_DIR = path.join(__dirname, '.deps');

/** Exact versions; the Restate server package brings its binary in a per-platform optional dependency. */
export const PEER_PACKAGES = {
  '@restatedev/restate-server': '1.7.12',
  '@restatedev/restate-sdk': '1.17.2',
  '@dbos-inc/dbos-sdk': '5.3.0',
} as const;

export type PeerPackage = keyof typeof PEER_PACKAGES;

/** `name@version` specs of the pinned packages that are absent or at another version. Pure. */
export function missingPeerPackages(
  installed: Readonly<Record<string, string | undefined>>,
  pinned: Readonly<Record<string, string>> = PEER_PACKAGES,
): string[] {
  return Object.entries(pinned)
    .filter(([name, version]) => installed[name] !== version)
    .map(([name, version]) => `${name}@${version}`);
}

function installedVersion(dir: string, name: string): string | undefined {
  const file = path.join(dir, 'node_modules', name, 'package.json');
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version;
}

/** Installs whatever of PEER_PACKAGES is missing; throws with npm's own words when the registry refuses. */
export function ensurePeerDeps(log: (line: string) => void, dir = PEER_DEPS_DIR): void {
  const installed = Object.fromEntries(Object.keys(PEER_PACKAGES).map((n) => [n, installedVersion(dir, n)]));
  const missing = missingPeerPackages(installed);
  if (missing.length === 0) return;
  mkdirSync(dir, { recursive: true });
  // Its own package.json, so npm never walks up to the project's and installs there.
  const manifest = path.join(dir, 'package.json');
  if (!existsSync(manifest)) writeFileSync(manifest, '{ "name": "bench-peers-deps", "private": true }\n');
  log(`peers: npm install --prefix ${path.relative(process.cwd(), dir)} ${missing.join(' ')}`);
  try {
    execFileSync(
      'npm',
      ['install', '--prefix', dir, '--save-exact', '--no-audit', '--no-fund', '--loglevel=error', ...missing],
      { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: { ...process.env, SCARF_ANALYTICS: 'false' } },
    );
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`peers: npm install of ${missing.join(' ')} failed: ${(e.stderr || e.message).trim()}`);
  }
  const still = missingPeerPackages(
    Object.fromEntries(Object.keys(PEER_PACKAGES).map((n) => [n, installedVersion(dir, n)])),
  );
  if (still.length) throw new Error(`peers: still missing after npm install: ${still.join(' ')}`);
}

/** `require` rooted in the peers' folder, for the processes that load a peer's SDK. */
export function peerRequire(dir = PEER_DEPS_DIR): NodeJS.Require {
  return createRequire(path.join(dir, 'package.json'));
}

export function peerVersion(name: PeerPackage, dir = PEER_DEPS_DIR): string {
  return installedVersion(dir, name) ?? 'not installed';
}

/** The restate-server binary of this platform, shipped inside the registry package's platform dependency. */
export function restateServerBinary(dir = PEER_DEPS_DIR): string {
  const platformPackage = `@restatedev/restate-server-${process.platform}-${process.arch}`;
  const binary = path.join(dir, 'node_modules', platformPackage, 'bin', 'restate-server');
  if (!existsSync(binary)) {
    throw new Error(`peers: ${platformPackage} has no bin/restate-server under ${dir} (no binary for this platform?)`);
  }
  return binary;
}
