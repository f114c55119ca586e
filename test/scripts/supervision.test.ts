/**
 * The supervisors of `npm start` and `npm run cluster`, as real processes: killed hard (SIGKILL, which no handler
 * sees), every process they started must go and free its port, and a start whose ports are taken must stop before
 * starting anything, naming the port and the process that holds it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parentPid } from '../../bench/lib/proc';
import { freePort } from '../../scripts/lib/free-port';
import { dropDatabase } from '../../scripts/lib/postgres';
import { shiftedPorts } from '../../scripts/lib/temporal-server';
import { TEST_PG } from '../support/cluster';
import { TEST_ENCRYPTION_KEYS_ENV } from '../support/encryption';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `node --import tsx <script>`: the supervisor itself, no launcher in between (unless `launcher` is set). */
function run(script: string, env: Record<string, string>, launcher = false): Started {
  const [command, args] = launcher ? [TSX, [script]] : [process.execPath, ['--import', 'tsx', script]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, PAYLOAD_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS_ENV, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function until(what: string, ok: () => boolean, s: Started, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${s.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every live process below `root` (children, grandchildren: tsx's node, esbuild, ...). */
function descendants(root: number): number[] {
  const pids = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
  const byParent = new Map<number, number[]>();
  for (const pid of pids) {
    const ppid = parentPid(pid);
    if (ppid !== undefined) byParent.set(ppid, [...(byParent.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const walk = (p: number) => (byParent.get(p) ?? []).forEach((c) => (found.push(c), walk(c)));
  walk(root);
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return parentPid(pid) !== undefined && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

async function expectAllGone(pids: number[], ports: number[]): Promise<void> {
  const deadline = Date.now() + 45_000;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    left = pids.filter(alive);
  }
  const survivors = left.map((pid) => {
    try {
      return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')}`;
    } catch {
      return String(pid);
    }
  });
  expect(survivors).toEqual([]);
  const held: number[] = [];
  for (const p of ports) if (!(await portFree(p))) held.push(p);
  expect(held).toEqual([]);
}

async function startEnv(dir: string): Promise<{ env: Record<string, string>; ports: number[] }> {
  const ports = {
    TEMPORAL_PORT: await freePort(),
    TEMPORAL_UI_PORT: await freePort(),
    GATEWAY_PORT: await freePort(),
    SECONDARY_GATEWAY_PORT: await freePort(),
    API_PORT: await freePort(),
    WORKER_METRICS_PORT: await freePort(),
  };
  const env = {
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    TEMPORAL_DB_FILE: path.join(dir, 'temporal.db'),
    AUDIT_DATA_DIR: path.join(dir, 'audit'),
  };
  return { env, ports: Object.values(ports) };
}

const spawnedPids: number[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const pid of spawnedPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'dp-supervision-'));
  dirs.push(d);
  return d;
}

const answers = (url: string) =>
  fetch(url).then(
    (r) => r.ok,
    () => false,
  );

/** Until every port is held: each service is up (not just spawned) when the supervisor is killed. */
async function untilAllListening(s: Started, ports: number[]): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const free = [];
    for (const p of ports) if (await portFree(p)) free.push(p);
    if (free.length === 0) return;
    if (Date.now() > deadline) throw new Error(`ports ${free.join(', ')} never listened:\n${s.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Starts, waits until every service listens, SIGKILLs `victim` (supervisor or launcher), expects all gone. */
async function killHard(
  s: Started,
  victim: () => number,
  ports: number[],
  apiPort: string,
  notListening: number[] = [],
): Promise<void> {
  await until('the banner', () => s.output().includes('Stop:'), s);
  await untilAllListening(
    s,
    ports.filter((p) => !notListening.includes(p)),
  );
  expect(await answers(`http://127.0.0.1:${apiPort}/health`)).toBe(true);
  const tree = descendants(s.child.pid as number);
  spawnedPids.push(...tree);
  expect(tree.length).toBeGreaterThanOrEqual(4); // Temporal, gateway, worker(s), API at least
  process.kill(victim(), 'SIGKILL');
  await expectAllGone(tree, ports);
}

/**
 * `npm start` on free ports, once its banner is out. Ports are picked free and then bound by other processes, so a
 * suite running beside this one can take one in between (seen: the dev server's gRPC port): such a start is
 * stopped and made again on new ports, at most three times. Any other failure to start fails the test.
 */
async function startOnFreePorts(launcher: boolean) {
  for (let attempt = 1; ; attempt++) {
    const { env, ports } = await startEnv(tempDir());
    const s = run('scripts/start.ts', env, launcher);
    spawnedPids.push(s.child.pid as number);
    await until('the banner', () => s.output().includes('Stop:') || s.child.exitCode !== null, s).catch(
      () => undefined,
    );
    if (s.output().includes('Stop:')) return { s, env, ports };
    const raced = /address already in use/.test(s.output());
    const tree = descendants(s.child.pid as number);
    for (const pid of [s.child.pid as number, ...tree]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (!raced || attempt === 3) throw new Error(`npm start did not come up (attempt ${attempt}):\n${s.output()}`);
  }
}

describe('npm start supervisor', () => {
  it('takes every child with it when it is SIGKILLed, and frees every port', async () => {
    const { s, env, ports } = await startOnFreePorts(false);
    await killHard(s, () => s.child.pid as number, ports, env.API_PORT);
  }, 300_000);

  it('stops everything when its launcher (tsx, as under npm) is SIGKILLed', async () => {
    const { s, env, ports } = await startOnFreePorts(true);
    await killHard(s, () => s.child.pid as number, ports, env.API_PORT);
  }, 300_000);

  it('refuses to start on a taken port, naming it and its holder, and starts nothing', async () => {
    const { env } = await startEnv(tempDir());
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(Number(env.API_PORT), '127.0.0.1', resolve));
    try {
      const s = run('scripts/start.ts', env);
      const tree: number[] = [];
      const watch = setInterval(() => tree.push(...descendants(s.child.pid as number)), 50);
      const code = await s.exited;
      clearInterval(watch);
      expect(code).toBe(1);
      expect(s.output()).toContain(`port ${env.API_PORT} (HTTP API (API_PORT)) is held by pid ${process.pid}: `);
      expect(s.output()).not.toContain('Stop:');
      // Nothing was started: no Temporal, no service (tsx's esbuild helper may come and go).
      expect(tree.filter((pid) => !/esbuild/.test(cmdline(pid)))).toEqual([]);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 60_000);
});

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return 'esbuild'; // gone already: it was the short-lived helper at most
  }
}

/** npm run cluster's environment on free ports and in databases of its own, and the ports it must hold. */
async function clusterEnv() {
  const name = `dp_test_sup_${randomBytes(3).toString('hex')}`;
  const base = await lowPortBlock();
  const block = shiftedPorts(base);
  const env: Record<string, string> = {
    TEMPORAL_PORT: String(base),
    TEMPORAL_METRICS_PORT: String(await freePort()),
    GATEWAY_PORT: String(await freePort()),
    API_PORT: String(await freePort()),
    WORKER_METRICS_PORT: String(await freePortPair()),
    TEMPORAL_DB_NAME: name,
    TEMPORAL_VISIBILITY_DB_NAME: `${name}_visibility`,
    AUDIT_DB_NAME: `${name}_audit`,
  };
  const { metrics: _unused, ...internal } = block; // the metrics port is TEMPORAL_METRICS_PORT instead
  const ports = [
    ...Object.values(internal),
    ...['TEMPORAL_METRICS_PORT', 'GATEWAY_PORT', 'API_PORT', 'WORKER_METRICS_PORT'].map((k) => Number(env[k])),
    Number(env.WORKER_METRICS_PORT) + 1,
  ];
  // Temporal's worker service has a configured gRPC port but serves nothing on it.
  return { env, ports, notListening: [block.worker], databases: [name, `${name}_visibility`, `${name}_audit`] };
}

const API_KEY = { authorization: 'Bearer dev_api_key_change_me' };

describe('npm run cluster supervisor', () => {
  it('takes the Temporal server and both workers with it when it is SIGKILLed', async () => {
    const { env, ports, notListening, databases } = await clusterEnv();
    try {
      const s = run('scripts/cluster.ts', env);
      await killHard(s, () => s.child.pid as number, ports, env.API_PORT, notListening);
    } finally {
      for (const db of databases) await dropDatabase(TEST_PG, db);
    }
  }, 180_000);

  it('stops everything on Ctrl-C (SIGINT), and a second run reuses the databases: the payment is still there', async () => {
    const { env, ports, notListening, databases } = await clusterEnv();
    try {
      const first = run('scripts/cluster.ts', env);
      await until('the banner', () => first.output().includes('Stop:'), first);
      await untilAllListening(
        first,
        ports.filter((p) => !notListening.includes(p)),
      );
      // The same idempotency key makes the resend safe: it answers the one payment, whichever call started it.
      const created = await retryWhileBusy(3, () =>
        fetch(`http://127.0.0.1:${env.API_PORT}/payments?wait=30s`, {
          method: 'POST',
          headers: { ...API_KEY, 'content-type': 'application/json', 'idempotency-key': 'supervision-reuse' },
          body: JSON.stringify({
            amount: 1999,
            currency: 'USD',
            paymentMethod: { type: 'card', number: '4242424242424242' },
          }),
        }),
      );
      const payment = (await created.json()) as { paymentId: string; status: string };
      expect([201, 200]).toContain(created.status);
      expect(payment.status).toBe('succeeded');
      const tree = descendants(first.child.pid as number);
      spawnedPids.push(...tree);
      first.child.kill('SIGINT');
      expect(await first.exited).toBe(0);
      expect(first.output()).toContain('[supervisor] stopped');
      await expectAllGone(tree, ports);

      const second = run('scripts/cluster.ts', env);
      await until('the banner', () => second.output().includes('Stop:'), second);
      await untilAllListening(
        second,
        ports.filter((p) => !notListening.includes(p)),
      );
      spawnedPids.push(...descendants(second.child.pid as number));
      const read = await retryWhileBusy(5, () =>
        fetch(`http://127.0.0.1:${env.API_PORT}/payments/${payment.paymentId}`, { headers: API_KEY }),
      );
      expect(read.status).toBe(200);
      expect(await read.json()).toMatchObject({ paymentId: payment.paymentId, status: 'succeeded' });
      second.child.kill('SIGINT');
      expect(await second.exited).toBe(0);
    } finally {
      for (const db of databases) await dropDatabase(TEST_PG, db);
    }
  }, 240_000);
});

/**
 * The API answers 503 ("retry") when Temporal did not answer within its wait: on a cold cluster the first payment's
 * workflow task, or the first read of a closed run, can outlast one wait while other suites load the machine. Any
 * other status is returned at once; a 503 after `tries` calls is returned too, and fails the test's expectation.
 */
async function retryWhileBusy(tries: number, call: () => Promise<Response>): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const response = await call();
    if (response.status !== 503 || attempt === tries) return response;
    await response.body?.cancel();
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** A frontend port whose whole shifted block (npm run cluster's internal ports) is free and below 32768. */
async function lowPortBlock(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 10_000);
    if ((await Promise.all(Object.values(shiftedPorts(base)).map(portFree))).every(Boolean)) return base;
  }
}

async function freePortPair(): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (await portFree(p + 1)) return p;
  }
}
