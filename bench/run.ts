/**
 * `npm run bench`: starts the stack `npm start` runs (dev server on a temp SQLite file, sandbox gateway,
 * worker; fresh temp audit dir), drives payments through PaymentsClient, and reports throughput, latency
 * (HDR histogram), worker/server CPU and RSS, and ledger charges per idempotency key for each scenario.
 * Results go to bench/results/<label>-<time>.json; `--update-benchmarks` also rewrites the generated table
 * in BENCHMARKS.md. `--help` lists the flags.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { gatewayExchanges, paymentMethodVault, paymentsClientOptions } from '../config/client-options';
import { createConfiguredGateway } from '../gateways/factory';
import { encryptedDataConverter } from '../encryption/data-converter';
import { PaymentsClient } from '../client/payments-client';
import { config } from '../config';
import { temporalCliPath } from '../scripts/lib/temporal-cli';
import type { PaymentPolicy } from '../shared/payment-types';
import { loadAvg, type BenchContext, type ResultRow } from './lib/context';
import { GatewayAdmin } from './lib/ledger';
import { describeMachine } from './lib/machine';
import { parseOptions, USAGE } from './lib/options';
import { ProcSampler } from './lib/proc';
import { renderMarkdown, updateBenchmarksMd, writeJson, type RunReport } from './lib/report';
import { startStack, type Stack } from './lib/stack';
import { targets } from './lib/targets';
import { baselineScenario, type Twin } from './scenarios/baseline';
import { faultsScenario } from './scenarios/faults';
import { floorRatio, floorScenario } from './scenarios/floor';
import { happyClosedLoop, happyOpenLoop, warmUp, type StepDetail } from './scenarios/happy';
import { outageScenario, type OutageStats } from './scenarios/outage';
import { parkedScenario, type ParkedRound } from './scenarios/parked';
import { peersScenario } from './peers/runner';
import type { PeerRun } from './peers/types';

const ROOT = path.resolve(__dirname, '..');
const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);

function commandLine(argv: string[]): string {
  const args = argv.map((a) => (/^[\w.,=:/-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
  const script = process.env.npm_lifecycle_event;
  if (script && process.env.npm_lifecycle_script?.includes('bench/run.ts')) {
    return `npm run ${script}${args ? ` -- ${args}` : ''}`;
  }
  return `npx tsx bench/run.ts${args ? ` ${args}` : ''}`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const o = parseOptions(argv, process.env, path.join(ROOT, 'bench', 'results'));
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const startedAt = new Date();
  const loadAvgStart = loadAvg();
  const binary = temporalCliPath();
  const machine = describeMachine(binary);
  log(`${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, Temporal CLI ${machine.temporalCli}`);
  log(`load average ${loadAvgStart.join(' / ')}; scenarios ${o.scenarios.join(', ')}${o.quick ? ' (quick)' : ''}`);

  // Until the stack is up, a signal just exits; the stack's exit hook kills whatever children were started.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  const cfg = config();
  const stack: Stack = await startStack({
    namespace: cfg.TEMPORAL_NAMESPACE,
    taskQueue: cfg.TEMPORAL_TASK_QUEUE,
    inMemory: o.inMemory,
    sqlitePragmas: o.sqlitePragmas,
    dynamicConfig: o.dynamicConfig,
    workerEnv: o.workerEnv,
    workerNodeArgs: o.workerNodeArgs,
    keepWorkDir: o.keepWorkDir,
    secondaryGateway: o.scenarios.includes('outage'),
    log,
  });
  let stopping = false;
  const stopOnSignal = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log(`${signal}: stopping the stack`);
    void stack.stop().finally(() => process.exit(130));
  };
  process.removeAllListeners('SIGINT').once('SIGINT', () => stopOnSignal('SIGINT'));
  process.removeAllListeners('SIGTERM').once('SIGTERM', () => stopOnSignal('SIGTERM'));

  const sampler = new ProcSampler(500);
  const pids = stack.pids();
  sampler.track('worker', pids.worker);
  sampler.track('server', pids.server);
  sampler.track('gateway', pids.gateway);
  if (pids.gatewaySecondary) sampler.track('gateway-secondary', pids.gatewaySecondary);
  sampler.track('bench', process.pid);
  sampler.start();

  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({
    connection,
    namespace: cfg.TEMPORAL_NAMESPACE,
    dataConverter: encryptedDataConverter(cfg.PAYLOAD_ENCRYPTION_KEYS),
  });
  // The options the API and CLI use, so payments carry the same policy as in production.
  // Cards are exchanged for a token at the stack's sandbox before each start, as the API does.
  // The stack's own sandbox (its port is free-picked), not the configured default URL.
  const vaultGateway = createConfiguredGateway({ ...cfg, GATEWAY_URL: stack.gatewayUrl }).gateway;
  // With a secondary (outage), each payment also gets its own token there, as the API gives it (GATEWAYS).
  const exchanges = stack.secondaryGatewayUrl
    ? gatewayExchanges({
        ...cfg,
        GATEWAYS: [
          { name: 'primary', kind: 'sandbox' as const, url: stack.gatewayUrl },
          { name: 'secondary', kind: 'sandbox' as const, url: stack.secondaryGatewayUrl },
        ],
      })
    : undefined;
  const production = {
    ...paymentsClientOptions(cfg),
    paymentMethods: paymentMethodVault(cfg, vaultGateway),
    ...(exchanges ? { gateways: exchanges.gateways } : {}),
  };
  const paymentsWith = (policy: Partial<PaymentPolicy> | undefined) =>
    new PaymentsClient(client, { ...production, policy: { ...production.policy, ...policy } });
  const ctx: BenchContext = {
    o,
    runId: `${startedAt.toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`,
    stack,
    client,
    payments: paymentsWith(undefined),
    paymentsWith,
    admin: new GatewayAdmin(stack.gatewayUrl),
    sampler,
    log,
  };

  const rows: ResultRow[] = [];
  const details: Array<StepDetail & { scenario: string }> = [];
  const twins: Twin[] = [];
  let highestHeldRate: number | undefined;
  let parked: ParkedRound[] = [];
  const outage: OutageStats[] = [];
  let comparisons: RunReport['comparisons'] = [];
  let peers: PeerRun[] = [];
  const has = (s: string) => o.scenarios.includes(s as never);
  let failure: unknown;
  try {
    if (has('floor')) rows.push(...(await floorScenario(ctx)));
    if (has('happy') || has('closed') || has('faults') || has('outage')) await warmUp(ctx);
    if (has('happy')) {
      const happy = await happyOpenLoop(ctx);
      rows.push(...happy.rows);
      details.push(...happy.details.map((d) => ({ ...d, scenario: 'happy-open' })));
      highestHeldRate = happy.highestHeldRate;
      const first = happy.rows[0];
      const best = happy.rows.find((r) => r.load.startsWith(`${highestHeldRate}/s`)) ?? happy.rows.at(-1);
      for (const r of new Set([first, best])) {
        if (r) twins.push({ ours: r, kind: 'open', rate: Number(r.load.split('/')[0]) });
      }
    }
    if (has('closed')) {
      const closed = await happyClosedLoop(ctx);
      rows.push(...closed.rows);
      details.push(...closed.details.map((d) => ({ ...d, scenario: 'happy-closed' })));
      closed.rows.forEach((r, i) => twins.push({ ours: r, kind: 'closed', concurrency: o.concurrency[i] }));
    }
    if (has('faults')) {
      const faults = await faultsScenario(ctx);
      rows.push(...faults.rows);
      details.push(...faults.details.map((d) => ({ ...d, scenario: 'faults' })));
      twins.push({ ours: faults.rows[0], kind: 'faults', rate: o.faultRate });
    }
    if (has('parked')) parked = await parkedScenario(ctx);
    if (has('outage')) {
      const result = await outageScenario(ctx);
      rows.push(...result.rows);
      outage.push(result.outage);
    }
    if (has('baseline')) {
      if (twins.length === 0) {
        log('baseline: no scenario of ours ran to compare with; running it at the first rate alone');
      }
      const result = await baselineScenario(
        ctx,
        twins.length ? twins : [{ ours: emptyRow(), kind: 'open', rate: o.rates[0] }],
      );
      rows.push(...result.rows);
      comparisons = twins.length ? result.comparisons : [];
    }
    if (o.peers) {
      const result = await peersScenario(ctx);
      rows.push(...result.rows);
      peers = result.runs;
    }
  } catch (err) {
    // Keep what was measured: the report is still written, with the error, and the run exits non-zero.
    failure = err;
    log(`run failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    sampler.stop();
    await connection.close();
    await vaultGateway.close();
    await exchanges?.close();
    await stack.stop();
  }

  const floors = rows.filter((r) => r.scenario === 'floor-closed');
  for (const r of rows) {
    const ratio =
      r.scenario.startsWith('baseline') || r.scenario.startsWith('peer-') ? undefined : floorRatio(r, floors);
    if (ratio) r.floor = ratio;
  }

  const finishedAt = new Date();
  const report: RunReport = {
    version: 1,
    label: o.label,
    command: commandLine(argv),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    machine,
    loadAvgStart,
    loadAvgEnd: loadAvg(),
    setup: {
      preset: o.preset,
      serverArgs: stack.serverArgs.map((a) => a.replace(stack.workDir, '$TMP')),
      workerEnv: o.workerEnv,
      auditBackend: process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite in a temp dir',
      policy: 'production defaults; faults and outage scenarios: deadLetterWindowMs=10s',
    },
    options: { ...o },
    rows,
    highestHeldRate,
    parked,
    outage,
    comparisons,
    ...(peers.length ? { peers } : {}),
    details,
    targets: targets(o, rows, highestHeldRate, parked, Boolean(process.env.DATABASE_URL)),
    ...(failure ? { error: failure instanceof Error ? (failure.stack ?? failure.message) : String(failure) } : {}),
  };
  const file = writeJson(o.outDir, report);
  const markdown = renderMarkdown(report);
  process.stdout.write(`\n${markdown}\n`);
  log(`JSON: ${path.relative(process.cwd(), file)}`);
  if (o.updateBenchmarks) {
    updateBenchmarksMd(path.join(ROOT, 'BENCHMARKS.md'), markdown);
    log('BENCHMARKS.md: generated section updated');
  }
  if (failure) throw failure;
}

function emptyRow(): ResultRow {
  return {
    scenario: 'none',
    load: '',
    offered: 0,
    completed: 0,
    errors: 0,
    shed: 0,
    throughputPerSec: 0,
    latency: { count: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, maxMs: 0 },
    procs: {},
    cpuMsPerPayment: {},
    outcomes: {},
    loadAvg: loadAvg(),
  };
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
