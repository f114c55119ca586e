/** Turns a run into JSON, a console table, and the generated section of BENCHMARKS.md. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ResultRow } from './context';
import { PHASES, PHASE_HELP, type Breakdown } from './history';
import type { OutageStats } from '../scenarios/outage';
import type { ParkedRound } from '../scenarios/parked';
import type { Comparison } from '../scenarios/baseline';
import type { StepDetail } from '../scenarios/happy';
import type { PeerRun } from '../peers/types';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  temporalCli: string;
  kernel: string;
}

export interface TargetCheck {
  target: string;
  met: boolean | undefined;
  measured: string;
}

export interface RunReport {
  version: 1;
  label: string;
  command: string;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: Machine;
  loadAvgStart: number[];
  loadAvgEnd: number[];
  setup: {
    preset: string;
    serverArgs: string[];
    workerEnv: Record<string, string>;
    auditBackend: string;
    policy: string;
  };
  options: Record<string, unknown>;
  rows: ResultRow[];
  highestHeldRate?: number;
  parked: ParkedRound[];
  /** Outage scenario runs (absent in reports written before it existed). */
  outage?: OutageStats[];
  comparisons: Comparison[];
  /** `--peers`: the same payment on other systems (absent in reports written before it existed). */
  peers?: PeerRun[];
  details: Array<StepDetail & { scenario: string }>;
  targets: TargetCheck[];
  /** Set when a scenario failed: the rows before it are still here. */
  error?: string;
}

const f1 = (n: number | undefined) => (n === undefined ? '–' : n >= 100 ? n.toFixed(0) : n.toFixed(1));
const f2 = (n: number | undefined) =>
  n === undefined ? '–' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);

function chargesCell(r: ResultRow): string {
  const l = r.ledger;
  if (!l) return '–';
  if (l.succeeded === 0) return 'no successes';
  const ok = l.exactlyOne === l.succeeded;
  const extra = l.chargedWithoutSuccess ? `; ${l.chargedWithoutSuccess} charged w/o answer` : '';
  return ok
    ? `1 for all ${l.succeeded}${extra}`
    : `${l.duplicates} dup, ${l.missing} missing of ${l.succeeded}${extra}`;
}

function procCell(r: ResultRow, name: string): string {
  const p = r.procs[name];
  return p ? `${f1(p.cpuPct)} / ${f1(p.rssMaxMiB)}` : '–';
}

function cpuCell(r: ResultRow): string {
  const c = r.cpuMsPerPayment;
  if (c.worker === undefined) return '–';
  return `${f1(c.worker)} + ${f1(c.server)} + ${f1(c.gateway)} (${r.cpuCeilingPerSec ?? '–'})`;
}

function mdTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function resultsTable(rows: ResultRow[]): string {
  return mdTable(
    [
      'Scenario',
      'Load',
      'OK / offered',
      'Not OK',
      'Payments/s',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'Worker CPU % / RSS MiB',
      'Server CPU % / RSS MiB',
      'CPU ms/payment worker + server + gateway (ceiling/s)',
      '× floor',
      'Machine CPU %',
      'Charges per key',
      'Held',
      'Load avg (1m)',
    ],
    rows.map((r) => [
      r.scenario,
      r.load,
      `${r.completed} / ${r.offered}`,
      String(r.errors + r.shed),
      f1(r.throughputPerSec),
      f2(r.latency.p50Ms),
      f2(r.latency.p90Ms),
      f2(r.latency.p99Ms),
      f2(r.latency.maxMs),
      procCell(r, 'worker'),
      procCell(r, 'server'),
      cpuCell(r),
      r.floor ? `${r.floor.ratio.toFixed(2)}×` : '–',
      f1(r.procs.machine?.cpuPct),
      chargesCell(r),
      r.held === undefined ? '' : r.held ? 'yes' : `no: ${r.reason}`,
      f2(r.loadAvg[0]),
    ]),
  );
}

export function parkedTable(rounds: ParkedRound[]): string {
  return mdTable(
    [
      'Parked',
      'Park s',
      'Worker RSS MiB before → at rest',
      'Server RSS MiB before → at rest',
      'Max RSS MiB worker / server (whole round)',
      'SQLite MiB + WAL at rest → after drain',
      'Signal s',
      'Drain s',
      'Drained/s',
      'Worker CPU % / max RSS (drain)',
      'Server CPU % / max RSS (drain)',
      'Answers',
      'Charges per key',
      'Load avg (1m)',
    ],
    rounds.map((p) => [
      String(p.parked),
      f1(p.parkSeconds),
      `${f1(p.rest.workerRssBeforeMiB)} → ${f1(p.rest.workerRssMiB)}`,
      `${f1(p.rest.serverRssBeforeMiB)} → ${f1(p.rest.serverRssMiB)}`,
      p.roundProcs ? `${f1(p.roundProcs.worker?.rssMaxMiB)} / ${f1(p.roundProcs.server?.rssMaxMiB)}` : '–',
      p.sqlite
        ? `${f1(p.sqlite.rest.dbMiB)} + ${f1(p.sqlite.rest.walMiB)} → ${f1(p.sqlite.end.dbMiB)} + ${f1(p.sqlite.end.walMiB)}`
        : '–',
      f1(p.signalSeconds),
      // Runs saved before drainedCount was recorded reported N over the drain window.
      `${f1(p.drainSeconds)}${p.timedOut ? ` (timed out: ${p.timedOut}; ${p.drainedCount ?? '?'} succeeded)` : ''}`,
      f1(p.drainedPerSec),
      `${f1(p.drainProcs.worker?.cpuPct)} / ${f1(p.drainProcs.worker?.rssMaxMiB)}`,
      `${f1(p.drainProcs.server?.cpuPct)} / ${f1(p.drainProcs.server?.rssMaxMiB)}`,
      Object.entries(p.answers)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
      p.ledger.exactlyOne === p.ledger.succeeded
        ? `1 for all ${p.ledger.succeeded}`
        : `${p.ledger.duplicates} dup, ${p.ledger.missing} missing`,
      f2(p.loadAvg[0]),
    ]),
  );
}

export function outageTable(runs: OutageStats[]): string {
  const lat = (l: { count: number; p50Ms: number; p99Ms: number }) =>
    l.count ? `${f2(l.p50Ms)} / ${f2(l.p99Ms)} (${l.count})` : '–';
  return mdTable(
    [
      'Breaker + budget',
      'Outage window (s into the run)',
      'Charge attempts on the dead primary (per s)',
      'Other requests to it then',
      'Charge attempts on the primary after it came back',
      'Payments charged on primary / secondary',
      'Charges per payment (both ledgers)',
      'p50 / p99 ms (n) before',
      'during',
      'after',
    ],
    runs.map((o) => [
      o.resilience,
      `${o.windowMs.from / 1000}–${o.windowMs.to / 1000}`,
      `${o.primaryDuringOutage.charges} (${o.primaryDuringOutage.chargeRequestsPerSec}/s)`,
      String(o.primaryDuringOutage.other),
      String(o.primaryCharges.afterOutage),
      `${o.chargedOn.primary} / ${o.chargedOn.secondary}`,
      o.ledger.exactlyOne === o.ledger.succeeded
        ? `1 for all ${o.ledger.succeeded}${o.ledger.chargedWithoutSuccess ? `; ${o.ledger.chargedWithoutSuccess} charged w/o success` : ''}`
        : `${o.ledger.duplicates} dup, ${o.ledger.missing} missing of ${o.ledger.succeeded}`,
      lat(o.latencyByPhase.before),
      lat(o.latencyByPhase.during),
      lat(o.latencyByPhase.after),
    ]),
  );
}

/** What our own rows stand for in the peers' tables. */
export const OURS_DURABILITY =
  'Temporal dev server (SQLite, WAL + synchronous=FULL) + our worker; audit rows in PGlite inside the worker ' +
  '(PostgreSQL when DATABASE_URL is set)';
export const OURS_GIVES =
  'the reference: web UI, visibility with our PaymentStatus / NeedsAttention search attributes, signals, ' +
  'validated updates and queries, per-namespace retention, payload codec (payloads encrypted, codec endpoint for the UI)';

/**
 * Ours (closed loop and floor) and the peers, side by side: throughput, latency and CPU per payment by process,
 * PostgreSQL included where a peer writes to it; then what each system gives or lacks next to Temporal.
 */
export function peersTables(rows: ResultRow[], peers: PeerRun[]): string {
  const ms = (r: ResultRow, name: string) => r.cpuMsPerPayment[name];
  const total = (r: ResultRow) => (ms(r, 'server') ?? 0) + (ms(r, 'worker') ?? 0) + (ms(r, 'postgres') ?? 0);
  const ours = rows.filter((r) => r.scenario === 'happy-closed' || r.scenario === 'floor-closed');
  const line = (system: string, r: ResultRow): string[] => [
    system,
    r.load,
    `${r.completed} / ${r.offered}`,
    f1(r.throughputPerSec),
    f2(r.latency.p50Ms),
    f2(r.latency.p99Ms),
    `${f1(ms(r, 'server'))} + ${f1(ms(r, 'worker'))} + ${ms(r, 'postgres') === undefined ? '–' : f1(ms(r, 'postgres'))} = ${f1(total(r))}`,
    f1(ms(r, 'postgresAll')),
    f1(ms(r, 'gateway')),
    chargesCell(r),
    f2(r.loadAvg[0]),
  ];
  const numbers = mdTable(
    [
      'System',
      'Load',
      'OK / offered',
      'Payments/s',
      'p50 ms',
      'p99 ms',
      'CPU ms/payment: engine + app/worker + PostgreSQL (own db) = total',
      'all PostgreSQL ms/payment',
      'gateway ms/payment',
      'Charges per key',
      'Load avg (1m)',
    ],
    [
      ...ours.map((r) => line(r.scenario === 'floor-closed' ? 'Temporal floor (1 activity)' : 'Temporal (ours)', r)),
      ...peers.flatMap((p) =>
        p.error
          ? [
              [
                p.title,
                'not measured',
                '–',
                '–',
                '–',
                '–',
                p.error.split('\n')[0].slice(0, 300).replace(/\|/g, '\\|'),
                '–',
                '–',
                '–',
                '–',
              ],
            ]
          : p.rows.map((r) => line(p.title, r)),
      ),
    ],
  );
  const features = mdTable(
    ['System', 'Durable state', 'Next to Temporal'],
    [['Temporal (ours)', OURS_DURABILITY, OURS_GIVES], ...peers.map((p) => [p.title, p.durability, p.vsTemporal])],
  );
  return [numbers, '', features, '', `CPU counted: ${peers[0]?.counted ?? ''}`].join('\n');
}

export function comparisonTable(comparisons: Comparison[]): string {
  return mdTable(
    ['Ours', 'Baseline (seed 000 loop)', 'p50 ours/baseline', 'p99 ours/baseline', 'Throughput ours/baseline'],
    comparisons.map((c) => [
      c.ours,
      c.baseline,
      c.p50Ratio === undefined ? '–' : `×${c.p50Ratio}`,
      c.p99Ratio === undefined ? '–' : `×${c.p99Ratio}`,
      c.throughputRatio === undefined ? '–' : `×${c.throughputRatio}`,
    ]),
  );
}

export function breakdownTable(details: Array<{ scenario: string; load: string; breakdown?: Breakdown }>): string {
  const withData = details.filter((d) => d.breakdown);
  if (withData.length === 0) return '';
  return mdTable(
    ['Phase (mean ms per payment, share)', ...withData.map((d) => `${d.scenario} ${d.load}`)],
    [
      ...PHASES.map((p) => [
        `${p}: ${PHASE_HELP[p]}`,
        ...withData.map((d) => {
          const v = d.breakdown!.phases[p];
          return `${f2(v.meanMs)} (${Math.round(v.share * 100)}%)`;
        }),
      ]),
      ['total (mean)', ...withData.map((d) => f2(d.breakdown!.totalMeanMs))],
      ['history events per payment', ...withData.map((d) => f1(d.breakdown!.eventsPerPayment))],
      ['histories sampled', ...withData.map((d) => String(d.breakdown!.sampled))],
    ],
  );
}

export function metricsTable(details: Array<StepDetail & { scenario: string }>): string {
  if (details.length === 0) return '';
  const names = [...new Set(details.flatMap((d) => Object.keys(d.metrics.worker)))];
  return mdTable(
    ['Metric (mean ms; p99 ms)', ...details.map((d) => `${d.scenario} ${d.load}`)],
    [
      ...names.map((n) => [
        n.replace(/^temporal_/, ''),
        ...details.map((d) => {
          const m = d.metrics.worker[n];
          return m ? `${f2(m.meanMs)}; ${f2(m.p99Ms)} (n=${m.count})` : '–';
        }),
      ]),
      ['server persistence calls per payment', ...details.map((d) => f1(d.metrics.server.persistenceCallsPerPayment))],
      ['server persistence ms per payment (sum)', ...details.map((d) => f2(d.metrics.server.persistenceMsPerPayment))],
      [
        'top persistence ops (calls/payment × mean ms)',
        ...details.map((d) =>
          d.metrics.server.topOperations
            .slice(0, 4)
            .map((o) => `${o.operation} ${f1(o.callsPerPayment)}×${f2(o.meanMs)}`)
            .join('<br>'),
        ),
      ],
    ],
  );
}

export function targetsTable(targets: TargetCheck[]): string {
  return mdTable(
    ['Target', 'Met', 'Measured'],
    targets.map((t) => [t.target, t.met === undefined ? 'not measured' : t.met ? 'yes' : 'NO', t.measured]),
  );
}

export function renderMarkdown(r: RunReport): string {
  const parts = [
    `### Run "${r.label}" — ${r.startedAt}`,
    '',
    `- Command: \`${r.command}\``,
    `- Machine: ${r.machine.cores} cores (${r.machine.cpuModel}), ${r.machine.memoryGiB} GiB, Node ${r.machine.node}, ` +
      `Temporal CLI ${r.machine.temporalCli}, Linux ${r.machine.kernel}`,
    `- Load average (1/5/15 min) at start ${r.loadAvgStart.join(' / ')}, at end ${r.loadAvgEnd.join(' / ')}; ` +
      `run took ${Math.round(r.durationSeconds)} s`,
    `- Preset: ${r.setup.preset}; dev server: \`temporal ${r.setup.serverArgs.join(' ')}\``,
    `- Worker env: ${
      Object.keys(r.setup.workerEnv).length
        ? Object.entries(r.setup.workerEnv)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')
        : 'defaults'
    }; audit: ${r.setup.auditBackend}; policy: ${r.setup.policy}`,
    '',
  ];
  if (r.rows.length) parts.push(resultsTable(r.rows), '');
  if (r.highestHeldRate !== undefined || r.rows.some((x) => x.scenario === 'happy-open')) {
    parts.push(`Highest open-loop rate held with p99 < target: **${r.highestHeldRate ?? 'none'}/s**`, '');
  }
  if (r.parked.length) parts.push('Parked payments (3DS):', '', parkedTable(r.parked), '');
  if (r.outage?.length) parts.push('Primary gateway outage:', '', outageTable(r.outage), '');
  if (r.comparisons.length) parts.push('Against the baseline:', '', comparisonTable(r.comparisons), '');
  if (r.peers?.length) parts.push('Peers, side by side (closed loop):', '', peersTables(r.rows, r.peers), '');
  const bd = breakdownTable(r.details.map((d) => ({ scenario: d.scenario, load: d.load, breakdown: d.breakdown })));
  if (bd) parts.push('Where the time goes (from sampled workflow histories):', '', bd, '');
  const mt = metricsTable(r.details);
  if (mt) parts.push('Worker SDK and server persistence metrics over each step:', '', mt, '');
  parts.push('Targets:', '', targetsTable(r.targets), '');
  if (r.error) parts.push(`**The run failed:** ${r.error.split('\n')[0]}`, '');
  return parts.join('\n');
}

export function writeJson(dir: string, r: RunReport): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${r.label}-${r.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file;
}

export const BEGIN = '<!-- bench:generated:start -->';
const GENERATED_NOTE =
  '<!-- written by `npm run bench -- --update-benchmarks` (new runs on top) and `npm run bench:render`; edits here are overwritten -->';
const ANY_GENERATED_NOTE = /^\s*<!-- written by [^\n]*-->\s*/;
export const END = '<!-- bench:generated:end -->';

/** Replaces the generated section of BENCHMARKS.md (or appends one), leaving the hand-written notes alone. */
/**
 * Writes runs into the generated section of BENCHMARKS.md, leaving the hand-written parts alone. `prepend` (a
 * new run) keeps the runs already there below it; `replace` (bench/render.ts, given every run to show) does not.
 */
export function updateBenchmarksMd(file: string, markdown: string, mode: 'prepend' | 'replace' = 'prepend'): void {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\n';
  const start = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  const found = start >= 0 && end > start;
  const kept =
    found && mode === 'prepend'
      ? current
          .slice(start + BEGIN.length, end)
          .replace(ANY_GENERATED_NOTE, '')
          .trim()
      : '';
  const body = kept ? `${markdown.trimEnd()}\n\n${kept}\n` : markdown;
  const section = `${BEGIN}\n${GENERATED_NOTE}\n\n${body}\n${END}`;
  const next = found
    ? current.slice(0, start) + section + current.slice(end + END.length)
    : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
