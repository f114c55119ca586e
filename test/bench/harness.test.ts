/** The benchmark harness's pure parts: no timing is asserted here, only the arithmetic and the rules. */
import { spawn } from 'node:child_process';
import { temporal } from '@temporalio/proto';
import { NaiveGatewayCaller } from '../../bench/lib/baseline';
import { phasesOf, PHASES } from '../../bench/lib/history';
import { checkLedger, type LedgerCharge } from '../../bench/lib/ledger';
import { histogramDelta, parsePrometheus, quantile } from '../../bench/lib/metrics';
import { parseOptions, DEFAULTS } from '../../bench/lib/options';
import { childPids, parseProcStat, parseStatCpuTicks, parseStatPpid, parseStatusRssBytes } from '../../bench/lib/proc';
import { updateBenchmarksMd, BEGIN, END } from '../../bench/lib/report';
import {
  arrivalOffsets,
  highestHeldRate,
  newLatencyHistogram,
  nextRate,
  ratio,
  recordMs,
  stepVerdict,
  summarize,
  type StepOutcome,
} from '../../bench/lib/stats';
import { faultSpecs } from '../../bench/scenarios/faults';
import { floorRatio } from '../../bench/scenarios/floor';
import type { ResultRow } from '../../bench/lib/context';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGatewaySandbox } from '../../gateway-sandbox/server';
import { FAST_DURABLE_SETTINGS } from '../../scripts/lib/temporal-dev-server';
import { eventually } from '../support/wait';

describe('histogram summary', () => {
  it('reports percentiles in ms from microsecond recordings', () => {
    const h = newLatencyHistogram();
    for (let ms = 1; ms <= 100; ms++) recordMs(h, ms);
    const s = summarize(h);
    expect(s.count).toBe(100);
    expect(s.p50Ms).toBeCloseTo(50, 0);
    expect(s.p90Ms).toBeCloseTo(90, 0);
    expect(s.p99Ms).toBeCloseTo(99, 0);
    expect(s.maxMs).toBeCloseTo(100, 0);
    expect(s.meanMs).toBeCloseTo(50.5, 0);
  });

  it('keeps sub-millisecond latencies (the baseline) distinct from zero', () => {
    const h = newLatencyHistogram();
    recordMs(h, 0.25);
    expect(summarize(h).p50Ms).toBeCloseTo(0.25, 2);
  });

  it('summarizes an empty histogram as zeros', () => {
    expect(summarize(newLatencyHistogram())).toEqual({ count: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, maxMs: 0 });
  });
});

describe('open-loop schedule and rate stepping', () => {
  it('spaces arrivals evenly at the rate', () => {
    expect(arrivalOffsets(4, 1000)).toEqual([0, 250, 500, 750]);
    expect(arrivalOffsets(25, 2000)).toHaveLength(50);
    expect(arrivalOffsets(0, 1000)).toEqual([]);
  });

  const step = (rate: number, p99Ms: number, extra: Partial<StepOutcome> = {}): StepOutcome => ({
    rate,
    offered: rate * 10,
    completed: rate * 10,
    errors: 0,
    shed: 0,
    throughputPerSec: rate,
    latency: { count: rate * 10, meanMs: p99Ms / 2, p50Ms: p99Ms / 3, p90Ms: p99Ms / 2, p99Ms, maxMs: p99Ms },
    ...extra,
  });
  const rule = { p99TargetMs: 1000, minThroughputShare: 0.9 };

  it('holds a step only with p99 under target, no errors, nothing shed and throughput kept up', () => {
    expect(stepVerdict(step(25, 200), rule)).toEqual({ held: true });
    expect(stepVerdict(step(25, 1000), rule).held).toBe(false);
    expect(stepVerdict(step(25, 200, { errors: 1 }), rule).reason).toMatch(/errors/);
    expect(stepVerdict(step(25, 200, { shed: 3 }), rule).reason).toMatch(/not started or not answered/);
    expect(stepVerdict(step(100, 200, { throughputPerSec: 80 }), rule).reason).toMatch(/throughput/);
  });

  it('steps up until a step breaks, then stops', () => {
    const rates = [25, 50, 100, 200];
    expect(nextRate(rates, [], rule)).toBe(25);
    expect(nextRate(rates, [step(25, 100)], rule)).toBe(50);
    expect(nextRate(rates, [step(25, 100), step(50, 1500)], rule)).toBeUndefined();
    expect(
      nextRate(
        rates,
        rates.map((r) => step(r, 100)),
        rule,
      ),
    ).toBeUndefined();
  });

  it('reports the highest rate held', () => {
    expect(highestHeldRate([step(25, 100), step(50, 400), step(100, 2000)], rule)).toBe(50);
    expect(highestHeldRate([step(25, 3000)], rule)).toBeUndefined();
  });

  it('computes ratios to the baseline', () => {
    expect(ratio(100, 2)).toBe(50);
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(1, 800)).toBe(0.0013);
    expect(ratio(1, 0)).toBeUndefined();
  });
});

describe('ledger duplicate counting', () => {
  const charge = (key: string, id = `ch_${Math.random()}`): LedgerCharge => ({
    id,
    idempotency_key: key,
    status: 'succeeded',
    amount: 1999,
  });

  it('counts charges per key for succeeded payments and flags duplicates and missing charges', () => {
    const charges = [charge('a:v1'), charge('b:v1'), charge('b:v1'), charge('d:v1'), charge('other:v1')];
    const keys = new Map([
      ['a:v1', true],
      ['b:v1', true],
      ['c:v1', true],
      ['d:v1', false],
    ]);
    expect(checkLedger(charges, keys)).toEqual({
      succeeded: 3,
      exactlyOne: 1,
      duplicates: 1,
      missing: 1,
      maxChargesPerKey: 2,
      chargesPerKey: { '0': 1, '1': 2, '2': 1 },
      chargedWithoutSuccess: 1,
    });
  });
});

describe('fault specs', () => {
  it('makes the drop probability conditional on the 503 not firing', () => {
    const [s503, drop] = faultSpecs(0.2, 0.05);
    expect(s503).toMatchObject({ kind: 'status', status: 503, probability: 0.2 });
    expect(drop.kind).toBe('commit_then_drop');
    expect(drop.probability).toBeCloseTo(0.0625, 6);
    expect(faultSpecs(0, 0)).toEqual([]);
  });
});

describe('Prometheus parsing', () => {
  const before = parsePrometheus(
    [
      '# TYPE x histogram',
      'x_bucket{op="a",le="10"} 1',
      'x_bucket{op="a",le="100"} 2',
      'x_bucket{op="a",le="+Inf"} 2',
      'x_sum{op="a"} 60',
      'x_count{op="a"} 2',
    ].join('\n'),
  );
  const after = parsePrometheus(
    [
      'x_bucket{op="a",le="10"} 3',
      'x_bucket{op="a",le="100"} 6',
      'x_bucket{op="a",le="+Inf"} 6',
      'x_sum{op="a"} 200',
      'x_count{op="a"} 6',
    ].join('\n'),
  );

  it('gives the growth of a histogram between two scrapes', () => {
    const d = histogramDelta(before, after, 'x');
    expect(d).toMatchObject({ count: 4, sum: 140, mean: 35 });
    expect(d?.p50).toBeCloseTo(10, 5);
  });

  it('interpolates quantiles inside buckets', () => {
    expect(
      quantile(
        [
          [10, 5],
          [20, 10],
          [Infinity, 10],
        ],
        10,
        0.75,
      ),
    ).toBeCloseTo(15, 5);
  });
});

describe('history phases', () => {
  const E = temporal.api.enums.v1.EventType;
  it('splits a payment into consecutive phases that add up to its latency', () => {
    const t0 = 1_000_000;
    const events = [
      { type: E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, at: t0 + 5 },
      { type: E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, at: t0 + 5 },
      { type: E.EVENT_TYPE_WORKFLOW_TASK_STARTED, at: t0 + 8 },
      { type: E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, at: t0 + 20 },
      { type: E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, at: t0 + 20 },
      { type: E.EVENT_TYPE_ACTIVITY_TASK_STARTED, at: t0 + 23 },
      { type: E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, at: t0 + 30 },
      { type: E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, at: t0 + 30 },
      { type: E.EVENT_TYPE_WORKFLOW_TASK_STARTED, at: t0 + 32 },
      { type: E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, at: t0 + 40 },
      { type: E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, at: t0 + 40 },
    ];
    const p = phasesOf(events, {
      paymentId: 'x',
      intendedAt: t0 - 1,
      startCalledAt: t0,
      startReturnedAt: t0 + 6,
      answeredAt: t0 + 43,
    });
    expect(p).toMatchObject({
      clientLag: 1,
      startCall: 5,
      firstTaskDispatch: 3,
      firstTaskRun: 12,
      activityDispatch: 3,
      activityRun: 7,
      laterTaskDispatch: 2,
      laterTaskRun: 8,
      answerToClient: 3,
      unattributed: 0,
    });
    expect(PHASES.reduce((s, k) => s + p[k], 0)).toBe(44);
  });
});

describe('/proc parsing', () => {
  it('reads utime + stime even when the command name has spaces and parentheses', () => {
    const stat = '1234 (node (x) y) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0';
    expect(parseStatCpuTicks(stat)).toBe(300);
  });
  it('reads VmRSS', () => {
    expect(parseStatusRssBytes('Name:\tnode\nVmRSS:\t  2048 kB\n')).toBe(2048 * 1024);
  });
  it('reads machine busy and total time', () => {
    expect(parseProcStat('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 ...')).toEqual({ busy: 150, total: 1000 });
  });
  it('reads the parent pid past a command name with spaces, and finds a live process its children', async () => {
    expect(parseStatPpid('1234 (node (x) y) S 77 2 3')).toBe(77);
    // A real parent with one child: what a hung worker's launcher leaves for real-worker.ts to kill.
    const parent = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
    try {
      const children = await eventually(
        async () => childPids(parent.pid as number),
        (pids) => pids.length > 0,
      );
      expect(children).toHaveLength(1);
      expect(readFileSync(`/proc/${children[0]}/cmdline`, 'utf8').split('\0')[0]).toBe('sleep');
      process.kill(children[0], 'SIGKILL');
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

describe('options', () => {
  it('uses defaults, flags, BENCH_* variables and --quick', () => {
    const o = parseOptions([], {}, '/out');
    expect(o.rates).toEqual(DEFAULTS.rates);
    expect(o.outDir).toBe('/out');
    // The default preset is what npm start runs.
    expect(o.sqlitePragmas).toEqual(FAST_DURABLE_SETTINGS.sqlitePragmas);
    expect(o.dynamicConfig).toEqual(FAST_DURABLE_SETTINGS.dynamicConfig);
    const q = parseOptions(['--quick', '--rates', '5,10', '--sqlite-pragma', 'synchronous=NORMAL'], {}, '/out');
    expect(q.quick).toBe(true);
    expect(q.rates).toEqual([5, 10]);
    expect(q.sqlitePragmas).toEqual({ journal_mode: 'WAL', synchronous: 'NORMAL' });
    const e = parseOptions(
      ['--preset', 'stock', '--eager-activities'],
      { BENCH_SCENARIOS: 'happy,parked', BENCH_PARKED: '50' },
      '/o',
    );
    expect(e.scenarios).toEqual(['happy', 'parked']);
    expect(e.parked).toEqual([50]);
    expect(e.sqlitePragmas).toEqual({});
    expect(e.dynamicConfig).toEqual({ 'system.enableActivityEagerExecution': true });
    // A parked drain is watched for N × 120 ms unless capped; a cap is whole seconds, at least one.
    expect(o.parkedDrainSeconds).toBe(0);
    expect(parseOptions(['--parked-drain-seconds', '180'], {}, '/o').parkedDrainSeconds).toBe(180);
    expect(parseOptions([], { BENCH_PARKED_DRAIN_SECONDS: '60' }, '/o').parkedDrainSeconds).toBe(60);
  });

  it('rejects unknown scenarios and bad numbers', () => {
    expect(() => parseOptions(['--scenarios', 'nope'], {}, '/o')).toThrow(/unknown nope/);
    expect(() => parseOptions(['--rates', '25,x'], {}, '/o')).toThrow(/positive numbers/);
    expect(() => parseOptions(['--parked-drain-seconds', '0'], {}, '/o')).toThrow(/parked-drain-seconds/);
  });
});

describe('BENCHMARKS.md generated section', () => {
  it('replaces only the generated section and keeps the notes', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-md-')), 'BENCHMARKS.md');
    writeFileSync(file, `# Notes\n\nhand-written\n\n${BEGIN}\nold\n${END}\n\nmore notes\n`);
    updateBenchmarksMd(file, 'new table', 'replace');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('hand-written');
    expect(text).toContain('new table');
    expect(text).not.toContain('\nold\n');
    expect(text).toContain('more notes');
  });

  it('puts a new run on top of the runs already there, keeping one note line', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-md-')), 'BENCHMARKS.md');
    writeFileSync(file, `# Notes\n\n${BEGIN}\n<!-- written by someone -->\n\nrun A\n${END}\n\nmore notes\n`);
    updateBenchmarksMd(file, 'run B');
    updateBenchmarksMd(file, 'run C');
    const text = readFileSync(file, 'utf8');
    const section = text.slice(text.indexOf(BEGIN), text.indexOf(END));
    expect(section.indexOf('run C')).toBeLessThan(section.indexOf('run B'));
    expect(section.indexOf('run B')).toBeLessThan(section.indexOf('run A'));
    expect(section.match(/<!-- written by/g)).toHaveLength(1);
    expect(text).toContain('more notes');
  });
});

describe('the baseline (seed 000 loop)', () => {
  it('retries 503s with the same key and then succeeds with one charge', async () => {
    const gateway = await createGatewaySandbox({ port: 0 });
    const sleeps: number[] = [];
    const naive = new NaiveGatewayCaller(gateway.url, 'sk_test_sandbox', async (ms) => {
      sleeps.push(ms);
    });
    try {
      await fetch(`${gateway.url}/_sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'status', status: 503, count: 2 }),
      });
      const r = await naive.charge({
        idempotencyKey: 'naive-1',
        amount: 100,
        currency: 'usd',
        cardNumber: '4242424242424242',
        metadata: {},
      });
      expect(r).toEqual({ ok: true, label: 'succeeded' });
      expect(sleeps).toEqual([1000, 2000]);
      const ledger = (await (await fetch(`${gateway.url}/_sandbox/ledger`)).json()) as { charges: LedgerCharge[] };
      expect(ledger.charges.filter((c) => c.idempotency_key === 'naive-1')).toHaveLength(1);
    } finally {
      await naive.close();
      await gateway.close();
    }
  });
});

describe('floor ratio', () => {
  const at = (scenario: string, load: string, worker: number, server: number) =>
    ({ scenario, load, cpuMsPerPayment: { worker, server, gateway: 5 } }) as unknown as ResultRow;
  const floors = [at('floor-closed', '1 callers × 10s', 10, 10), at('floor-closed', '10 callers × 10s', 8, 12)];

  it('divides worker + server CPU per payment by the floor at the same load, the gateway left out', () => {
    expect(floorRatio(at('happy-closed', '1 callers × 10s', 30, 20), floors)).toEqual({
      ratio: 2.5,
      floorLoad: '1 callers × 10s',
    });
  });

  it('uses the 10-caller floor for rows of other loads, and nothing without a floor', () => {
    expect(floorRatio(at('happy-open', '25/s × 15s', 12, 12), floors)).toEqual({
      ratio: 1.2,
      floorLoad: '10 callers × 10s',
    });
    expect(floorRatio(at('happy-open', '25/s × 15s', 12, 12), [])).toBeUndefined();
  });
});
