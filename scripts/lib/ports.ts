/**
 * Checks that the ports a start needs are free before anything is started, and names what holds a taken one:
 * a start over a stack left running would print its banner over bind errors and talk to the old processes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';

export interface WantedPort {
  port: number;
  /** What we want it for, e.g. "HTTP API (API_PORT)". */
  use: string;
}

export class PortsTakenError extends Error {}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    // No host: the wildcard address, so a holder on any interface (0.0.0.0, ::, 127.0.0.1) is found.
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** "pid 1234: node worker.ts", from `ss` (iproute2) and /proc; "an unknown process" when neither can tell. */
export function holderOf(port: number): string {
  try {
    const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
    const pid = /pid=(\d+)/.exec(out)?.[1];
    if (!pid) return 'a process this user cannot see (try: sudo ss -ltnp)';
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return `pid ${pid}: ${cmdline.slice(0, 200)}`;
  } catch {
    return 'an unknown process';
  }
}

/** Throws PortsTakenError listing every taken port, its use, and its holder. */
export async function assertPortsFree(wanted: WantedPort[]): Promise<void> {
  const taken: string[] = [];
  for (const w of wanted) {
    if (!(await isFree(w.port))) taken.push(`  port ${w.port} (${w.use}) is held by ${holderOf(w.port)}`);
  }
  if (taken.length > 0) {
    throw new PortsTakenError(
      `Cannot start: ${taken.length === 1 ? 'a port is' : 'ports are'} already in use:\n${taken.join('\n')}\n` +
        'Stop that process (an earlier start still running?) or choose other ports with the environment variables.',
    );
  }
}
