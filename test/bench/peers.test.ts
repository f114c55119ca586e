/** The pure parts of `npm run bench -- --peers`, and its HTTP caller against a loopback server; the peers themselves are never installed or started here. */
import { missingPeerPackages, PEER_PACKAGES } from '../../bench/peers/deps';
import { peerEnv } from '../../bench/peers/payment';
import { asWindowStats, cpuDelta } from '../../bench/peers/processes';
import { parseOptions, DEFAULTS } from '../../bench/lib/options';
import { peersTables } from '../../bench/lib/report';
import type { ResultRow } from '../../bench/lib/context';
import type { PeerRun } from '../../bench/peers/types';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { peerPayer } from '../../bench/peers/http-pay';

describe('peer packages', () => {
  it('asks for every pinned package that is absent or at another version, and nothing when all match', () => {
    const pinned = { a: '1.0.0', '@s/b': '2.1.0', c: '3.0.0' };
    expect(missingPeerPackages({ a: '1.0.0', '@s/b': '2.0.9' }, pinned)).toEqual(['@s/b@2.1.0', 'c@3.0.0']);
    expect(missingPeerPackages({ a: '1.0.0', '@s/b': '2.1.0', c: '3.0.0', extra: '9' }, pinned)).toEqual([]);
  });

  it('pins exact versions (no ranges)', () => {
    for (const version of Object.values(PEER_PACKAGES)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('peer process environment', () => {
  it('parses what the drivers set and lists every problem otherwise', () => {
    const env = { PEER_PORT: '9080', GATEWAY_URL: 'http://127.0.0.1:4010', DATABASE_URL: 'postgres://p@h:5432/db' };
    expect(peerEnv(env)).toEqual({ ...env, PEER_PORT: 9080, LOG_LEVEL: 'warn' });
    expect(() => peerEnv({ PEER_PORT: '0', DATABASE_URL: 'mysql://x/y' })).toThrow(
      /PEER_PORT.*GATEWAY_URL.*DATABASE_URL/,
    );
  });
});

describe('PostgreSQL CPU over a window', () => {
  it('adds each pid’s growth, counts a new pid from zero and ignores pids that left', () => {
    const start = new Map([
      [10, 1.5],
      [11, 0.25],
      [12, 4],
    ]);
    const end = new Map([
      [10, 2.0],
      [11, 0.25],
      [13, 0.125],
    ]);
    expect(cpuDelta(start, end)).toBe(0.625);
  });

  it('turns CPU seconds into % of one core', () => {
    expect(asWindowStats(1.5, 3)).toEqual({ cpuPct: 50, cpuSeconds: 1.5, rssMaxMiB: 0, rssEndMiB: 0 });
    expect(asWindowStats(1, 0).cpuPct).toBe(0);
  });
});

describe('--peers options', () => {
  it('is off by default and runs both peers when on', () => {
    const o = parseOptions([], {}, '/tmp/out');
    expect(o.peers).toBe(false);
    const on = parseOptions(['--peers'], {}, '/tmp/out');
    expect(on.peers).toBe(true);
    expect(on.peerSystems).toEqual(['restate', 'dbos']);
    expect(on.peersDatabaseUrl).toBe(DEFAULTS.peersDatabaseUrl);
  });

  it('takes a list of peers and a server URL, also as BENCH_* variables, and refuses unknown ones', () => {
    const o = parseOptions(
      ['--peers', '--peer-systems', 'dbos', '--peers-database-url', 'postgres://u@h:1/'],
      {},
      '/x',
    );
    expect(o.peerSystems).toEqual(['dbos']);
    expect(o.peersDatabaseUrl).toBe('postgres://u@h:1');
    expect(parseOptions([], { BENCH_PEERS: '1', BENCH_PEER_SYSTEMS: 'restate' }, '/x')).toMatchObject({
      peers: true,
      peerSystems: ['restate'],
    });
    expect(() => parseOptions(['--peer-systems', 'temporal'], {}, '/x')).toThrow(/unknown temporal/);
    expect(() => parseOptions(['--peers-database-url', 'postgres://u@h:1/db'], {}, '/x')).toThrow(/without a database/);
  });
});

describe('peers tables', () => {
  const base = (scenario: string, cpu: Record<string, number>): ResultRow => ({
    scenario,
    load: '10 callers × 15s',
    offered: 100,
    completed: 100,
    errors: 0,
    shed: 0,
    throughputPerSec: 50,
    latency: { count: 100, meanMs: 20, p50Ms: 18, p90Ms: 30, p99Ms: 40, maxMs: 50 },
    procs: {},
    cpuMsPerPayment: cpu,
    ledger: {
      succeeded: 100,
      exactlyOne: 100,
      duplicates: 0,
      missing: 0,
      maxChargesPerKey: 1,
      chargesPerKey: { '1': 100 },
      chargedWithoutSuccess: 0,
    },
    outcomes: { succeeded: 100 },
    loadAvg: [1.5, 1, 1],
  });
  const peer = (name: 'restate' | 'dbos', rows: ResultRow[], error?: string): PeerRun => ({
    peer: name,
    title: name === 'restate' ? 'Restate 1.0.0' : 'DBOS 2.0.0',
    durability: `${name} durability`,
    vsTemporal: `${name} gives and lacks`,
    counted: 'what was counted',
    rows,
    ...(error ? { error } : {}),
  });

  it('puts ours and each peer in one table, PostgreSQL in the total where a peer writes to it', () => {
    const ours = base('happy-closed', { worker: 30, server: 20, gateway: 1 });
    const restate = base('peer-restate', { server: 7, worker: 6, postgres: 1.5, postgresAll: 2, gateway: 1 });
    const md = peersTables([ours, base('happy-open', { worker: 1 }), restate], [peer('restate', [restate])]);
    const lines = md.split('\n');
    expect(lines[0]).toContain('engine + app/worker + PostgreSQL (own db) = total');
    expect(lines[2]).toMatch(
      /^\| Temporal \(ours\) \| 10 callers × 15s \| 100 \/ 100 \| 50\.0 \| 18\.0 \| 40\.0 \| 20\.0 \+ 30\.0 \+ – = 50\.0 \|/,
    );
    expect(lines[3]).toMatch(
      /^\| Restate 1\.0\.0 \| .* \| 7\.0 \+ 6\.0 \+ 1\.5 = 14\.5 \| 2\.0 \| 1\.0 \| 1 for all 100 \|/,
    );
    expect(md).not.toContain('happy-open');
    expect(md).toContain('| Restate 1.0.0 | restate durability | restate gives and lacks |');
    expect(md).toContain('CPU counted: what was counted');
  });

  it('says a peer was not measured, and why, instead of leaving it out', () => {
    const md = peersTables([], [peer('dbos', [], 'npm install of x failed: E403 | forbidden\nmore')]);
    expect(md).toContain('| DBOS 2.0.0 | not measured |');
    expect(md).toContain('npm install of x failed: E403 \\| forbidden');
    expect(md).not.toContain('more');
  });
});

describe('the caller side of a peer payment', () => {
  it('posts the payment as JSON and returns the answer; any other status is an error naming the peer', async () => {
    const seen: unknown[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], body: JSON.parse(body) });
        const refused = req.url === '/refuse';
        res.writeHead(refused ? 503 : 200, { 'content-type': 'application/json' });
        res.end(refused ? 'busy' : JSON.stringify({ status: 'succeeded', chargeId: 'ch_1', charges: 1 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const payer = peerPayer('test peer');
    try {
      const input = { paymentId: 'p1', amount: 1999 };
      await expect(payer.pay(`http://127.0.0.1:${port}/pay`, input)).resolves.toEqual({
        status: 'succeeded',
        chargeId: 'ch_1',
        charges: 1,
      });
      await expect(payer.pay(`http://127.0.0.1:${port}/refuse`, input)).rejects.toThrow('test peer 503: busy');
      expect(seen).toEqual([
        { method: 'POST', url: '/pay', type: 'application/json', body: input },
        { method: 'POST', url: '/refuse', type: 'application/json', body: input },
      ]);
    } finally {
      await payer.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
