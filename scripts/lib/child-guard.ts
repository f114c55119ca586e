/**
 * Children die with their supervisor. Each long-lived child is started through util-linux's `setpriv
 * --pdeathsig SIGTERM`, so the kernel sends it SIGTERM when the supervisor dies, even by SIGKILL (which no
 * handler of ours can see). SIGTERM, not SIGKILL: tsx passes it on to the node process it runs, and every
 * service drains on SIGTERM. Without setpriv (not Linux) the command runs unguarded.
 */
import { existsSync } from 'node:fs';

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export function guardedSpawnArgs(command: string, args: string[]): [string, string[]] {
  if (!SETPRIV) return [command, args];
  return [SETPRIV, ['--pdeathsig', 'SIGTERM', '--', command, ...args]];
}
