/**
 * Command-line flags (and BENCH_* environment variables) of `npm run bench`. With the default sizes a full run
 * takes about 17 minutes on the 2-core box, 12 of them parking and draining 10,000 payments; `--quick`
 * shrinks everything to a smoke test.
 */
import { parseArgs } from 'node:util';
import { FAST_DURABLE_SETTINGS } from '../../scripts/lib/temporal-dev-server';
import { PEER_SYSTEMS, type PeerSystemName } from '../peers/types';

export const SCENARIOS = ['floor', 'happy', 'closed', 'faults', 'parked', 'baseline', 'outage'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
/**
 * `outage` is not in the default set: it runs a second sandbox gateway (failover through GATEWAYS), which would
 * change what the other scenarios measure and where their charges land; it runs alone (`--scenarios outage`).
 */
export const DEFAULT_SCENARIOS: ScenarioName[] = SCENARIOS.filter((s) => s !== 'outage');

export const OUTAGE_RESILIENCE = ['on', 'off'] as const;
/**
 * `off`: the breaker and the retry budget configured out of the way (neither can be switched off as such):
 * a failure threshold no run reaches, and a budget no run drains. Explicit --worker-env values win.
 */
export const RESILIENCE_OFF_ENV: Record<string, string> = {
  CIRCUIT_BREAKER_FAILURE_THRESHOLD: '1000000000',
  RETRY_BUDGET_PER_SECOND: '1000000',
  RETRY_BUDGET_BURST: '1000000000',
};

export const CLIENT_CALLS = ['pay', 'start-wait', 'start-result'] as const;
export type ClientCall = (typeof CLIENT_CALLS)[number];

export interface BenchOptions {
  scenarios: ScenarioName[];
  rates: number[];
  stepSeconds: number;
  concurrency: number[];
  closedSeconds: number;
  faultRate: number;
  faultSeconds: number;
  fault503: number;
  faultDrop: number;
  parked: number[];
  /**
   * The longest a parked round's drain is watched, in seconds (0: N × 120 ms, at least 10 minutes). A round cut
   * short reports the rate it drained at (succeeded over the window), not N over the window.
   */
  parkedDrainSeconds: number;
  /** Outage scenario: open-loop rate, the primary's outage window, and the whole run it sits in the middle of. */
  outageRate: number;
  outageSeconds: number;
  outageRunSeconds: number;
  /** Breaker and retry budget as configured (`on`) or configured out of the way (`off`, RESILIENCE_OFF_ENV). */
  outageResilience: (typeof OUTAGE_RESILIENCE)[number];
  warmup: number;
  p99TargetMs: number;
  maxInFlight: number;
  drainTimeoutSeconds: number;
  breakdownSample: number;
  label: string;
  inMemory: boolean;
  sqlitePragmas: Record<string, string>;
  dynamicConfig: Record<string, string | number | boolean>;
  workerEnv: Record<string, string>;
  workerNodeArgs: string[];
  outDir: string;
  updateBenchmarks: boolean;
  keepWorkDir: boolean;
  quick: boolean;
  /** Named set of server knobs applied before the explicit flags (see PRESETS). */
  preset: string;
  /**
   * How each payment is started and answered: `pay` (PaymentsClient.pay, update-with-start waiting for the outcome
   * in one call), `start-wait` (PaymentsClient.startAndWait with a 60 s bound: what the API's POST with a wait does)
   * or `start-result` (startPayment, then result(): what that POST did before).
   */
  clientCall: ClientCall;
  /** Also run the same payment on the peers (bench/peers), closed loop at each --concurrency level. */
  peers: boolean;
  peerSystems: PeerSystemName[];
  /** The PostgreSQL server the peers use (each gets its own database there), without a database name. */
  peersDatabaseUrl: string;
  help: boolean;
}

/**
 * Server settings per preset. `default` is exactly what `npm start` runs (FAST_DURABLE_SETTINGS: WAL with
 * synchronous=FULL, eager activities, no forced search-attribute refresh); `stock` is the dev server's own
 * defaults (rollback journal), which `npm start` ran before those settings were measured. `tuned` is the name
 * the first measurements used for today's default, kept so their recorded commands still run.
 */
const START_SETTINGS = { ...FAST_DURABLE_SETTINGS, workerEnv: {} };
export const PRESETS: Record<string, Pick<BenchOptions, 'sqlitePragmas' | 'dynamicConfig' | 'workerEnv'>> = {
  default: START_SETTINGS,
  tuned: START_SETTINGS,
  stock: { sqlitePragmas: {}, dynamicConfig: {}, workerEnv: {} },
};

export const DEFAULTS: Omit<BenchOptions, 'outDir'> = {
  scenarios: [...DEFAULT_SCENARIOS],
  rates: [25, 50, 100, 200, 400],
  stepSeconds: 15,
  concurrency: [1, 10, 50],
  closedSeconds: 10,
  faultRate: 20,
  faultSeconds: 20,
  fault503: 0.2,
  faultDrop: 0.05,
  parked: [1000, 10000],
  parkedDrainSeconds: 0,
  outageRate: 20,
  outageSeconds: 30,
  outageRunSeconds: 90,
  outageResilience: 'on',
  warmup: 100,
  p99TargetMs: 1000,
  maxInFlight: 5000,
  drainTimeoutSeconds: 60,
  breakdownSample: 100,
  label: 'default',
  inMemory: false,
  sqlitePragmas: {},
  dynamicConfig: {},
  workerEnv: {},
  workerNodeArgs: [],
  updateBenchmarks: false,
  keepWorkDir: false,
  quick: false,
  preset: 'default',
  clientCall: 'pay',
  peers: false,
  peerSystems: [...PEER_SYSTEMS],
  peersDatabaseUrl: 'postgres://postgres@127.0.0.1:5432',
  help: false,
};

/** `--quick`: every scenario, a few seconds each; the whole run stays under a minute. */
export const QUICK: Partial<BenchOptions> = {
  rates: [10, 25],
  stepSeconds: 3,
  concurrency: [5],
  closedSeconds: 3,
  faultRate: 10,
  faultSeconds: 3,
  parked: [100],
  outageRate: 10,
  outageSeconds: 4,
  outageRunSeconds: 12,
  warmup: 10,
  drainTimeoutSeconds: 20,
  breakdownSample: 10,
  label: 'quick',
};

export const USAGE = `npm run bench -- [flags]        (each flag can also be set as BENCH_<FLAG>, e.g. BENCH_RATES=25,50)

  --quick                      smoke test: every scenario, tiny sizes, < 1 minute
  --preset NAME                default (what npm start runs: WAL+FULL, eager activities, no forced
                               search-attribute refresh) or stock (the dev server's own defaults);
                               explicit flags below add to it
  --scenarios LIST             ${SCENARIOS.join(',')} (default: all but outage,
                               which runs alone: it starts a second gateway)
  --rates LIST                 open-loop arrival rates stepped up, /s (default ${DEFAULTS.rates.join(',')})
  --step-seconds N             duration of each rate step (default ${DEFAULTS.stepSeconds})
  --concurrency LIST           closed-loop callers (default ${DEFAULTS.concurrency.join(',')})
  --closed-seconds N           duration of each closed-loop level (default ${DEFAULTS.closedSeconds})
  --fault-rate N               open-loop rate of the faults scenario, /s (default ${DEFAULTS.faultRate})
  --fault-seconds N            its duration (default ${DEFAULTS.faultSeconds})
  --fault-503 P                share of charge requests answered 503 (default ${DEFAULTS.fault503})
  --fault-drop P               share committed and then dropped (default ${DEFAULTS.faultDrop})
  --outage-rate N              open-loop rate of the outage scenario, /s (default ${DEFAULTS.outageRate}); --rate N is the same
  --outage-seconds N           how long the primary gateway answers 503 to every charge (default ${DEFAULTS.outageSeconds})
  --outage-run-seconds N       the whole run, the outage in its middle (default ${DEFAULTS.outageRunSeconds})
  --outage-resilience on|off   off: breaker threshold and retry budget set out of reach (default on)
  --parked LIST                payments parked on 3DS, one round per size (default ${DEFAULTS.parked.join(',')})
  --parked-drain-seconds N     watch each parked drain at most this long; reports its rate (default: N × 120 ms)
  --warmup N                   payments before measuring (default ${DEFAULTS.warmup})
  --p99-target-ms N            a rate step holds if p99 is under this (default ${DEFAULTS.p99TargetMs})
  --max-in-flight N            open-loop cap on unanswered payments (default ${DEFAULTS.maxInFlight})
  --drain-timeout-seconds N    wait for stragglers after a step (default ${DEFAULTS.drainTimeoutSeconds})
  --breakdown-sample N         histories read per breakdown (default ${DEFAULTS.breakdownSample})
  --client-call NAME           pay (start and answer in one update-with-start call), start-wait (the
                               same, bounded, claim first: the API's ?wait) or start-result (startPayment,
                               then result()) (default ${DEFAULTS.clientCall})
  --peers                      also run the same payment on ${PEER_SYSTEMS.join(' and ')} (closed loop at each
                               --concurrency level, after --warmup), installed on demand into bench/peers/.deps
  --peer-systems LIST          which peers (default ${DEFAULTS.peerSystems.join(',')})
  --peers-database-url URL     PostgreSQL server for the peers, no database name; each gets bench_peers_<name>
                               (dropped and created) (default ${DEFAULTS.peersDatabaseUrl})
  --label NAME                 names the result file and the run (default "${DEFAULTS.label}")
  --sqlite-pragma K=V          dev server SQLite pragma, repeatable (e.g. journal_mode=WAL)
  --dynamic-config K=V         dev server dynamic config, repeatable (V is JSON: true, 100, '"x"')
  --eager-activities           = --dynamic-config system.enableActivityEagerExecution=true
  --worker-env K=V             worker environment, repeatable (e.g. WORKER_MAX_CACHED_WORKFLOWS=500)
  --worker-node-arg FLAG       node flag for the worker, repeatable (e.g. --worker-node-arg=--cpu-prof)
  --in-memory                  dev server without a DB file (attribution only: not durable)
  --out DIR                    where the JSON goes (default bench/results)
  --update-benchmarks          rewrite the generated table in BENCHMARKS.md with this run
  --keep                       keep the temp dir (logs, temporal.db, audit)
  --help`;

function list(value: string, name: string): number[] {
  const out = value.split(',').map((v) => Number(v.trim()));
  if (out.length === 0 || out.some((n) => !Number.isFinite(n) || n <= 0)) {
    throw new Error(`--${name}: expected a comma-separated list of positive numbers, got "${value}"`);
  }
  return out;
}

function num(value: string, name: string, { min = 0, max = Infinity } = {}): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name}: expected a number in [${min}, ${max}]`);
  return n;
}

export function keyValues(values: string[], name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of values.flatMap((v) => v.split(',')).filter(Boolean)) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Error(`--${name}: expected K=V, got "${kv}"`);
    out[kv.slice(0, eq).trim()] = kv.slice(eq + 1).trim();
  }
  return out;
}

function jsonish(value: string): string | number | boolean {
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === 'string' || typeof parsed === 'number' || typeof parsed === 'boolean') return parsed;
  } catch {
    // a bare word is a string
  }
  return value;
}

const FLAGS = {
  quick: { type: 'boolean' },
  preset: { type: 'string' },
  scenarios: { type: 'string' },
  rates: { type: 'string' },
  'step-seconds': { type: 'string' },
  concurrency: { type: 'string' },
  'closed-seconds': { type: 'string' },
  'fault-rate': { type: 'string' },
  'fault-seconds': { type: 'string' },
  'fault-503': { type: 'string' },
  'fault-drop': { type: 'string' },
  parked: { type: 'string' },
  'parked-drain-seconds': { type: 'string' },
  'outage-rate': { type: 'string' },
  rate: { type: 'string' },
  'outage-seconds': { type: 'string' },
  'outage-run-seconds': { type: 'string' },
  'outage-resilience': { type: 'string' },
  warmup: { type: 'string' },
  'p99-target-ms': { type: 'string' },
  'max-in-flight': { type: 'string' },
  'drain-timeout-seconds': { type: 'string' },
  'breakdown-sample': { type: 'string' },
  label: { type: 'string' },
  'client-call': { type: 'string' },
  peers: { type: 'boolean' },
  'peer-systems': { type: 'string' },
  'peers-database-url': { type: 'string' },
  'sqlite-pragma': { type: 'string', multiple: true },
  'dynamic-config': { type: 'string', multiple: true },
  'eager-activities': { type: 'boolean' },
  'worker-env': { type: 'string', multiple: true },
  'worker-node-arg': { type: 'string', multiple: true },
  'in-memory': { type: 'boolean' },
  out: { type: 'string' },
  'update-benchmarks': { type: 'boolean' },
  keep: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/** Flags first, then BENCH_* variables for what the flags left unset, then --quick sizes, then defaults. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv, defaultOutDir: string): BenchOptions {
  const { values } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false });
  const raw = values as Record<string, string | string[] | boolean | undefined>;
  for (const [flag, spec] of Object.entries(FLAGS)) {
    if (raw[flag] !== undefined) continue;
    const fromEnv = env[`BENCH_${flag.toUpperCase().replace(/-/g, '_')}`];
    if (fromEnv === undefined || fromEnv === '') continue;
    if (spec.type === 'boolean') raw[flag] = fromEnv === '1' || fromEnv === 'true';
    else raw[flag] = 'multiple' in spec ? fromEnv.split(/\s+/) : fromEnv;
  }
  const quick = raw.quick === true;
  const o: BenchOptions = { ...DEFAULTS, ...(quick ? QUICK : {}), quick, outDir: defaultOutDir };
  const str = (k: string) => raw[k] as string | undefined;
  const strs = (k: string) => (raw[k] as string[] | undefined) ?? [];
  if (str('scenarios')) {
    const names = str('scenarios')!
      .split(',')
      .map((s) => s.trim());
    const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
    if (unknown.length) throw new Error(`--scenarios: unknown ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
    o.scenarios = names as ScenarioName[];
  }
  if (str('rates')) o.rates = list(str('rates')!, 'rates');
  if (str('step-seconds')) o.stepSeconds = num(str('step-seconds')!, 'step-seconds', { min: 1 });
  if (str('concurrency')) o.concurrency = list(str('concurrency')!, 'concurrency').map(Math.round);
  if (str('closed-seconds')) o.closedSeconds = num(str('closed-seconds')!, 'closed-seconds', { min: 1 });
  if (str('fault-rate')) o.faultRate = num(str('fault-rate')!, 'fault-rate', { min: 1 });
  if (str('fault-seconds')) o.faultSeconds = num(str('fault-seconds')!, 'fault-seconds', { min: 1 });
  if (str('fault-503')) o.fault503 = num(str('fault-503')!, 'fault-503', { max: 1 });
  if (str('fault-drop')) o.faultDrop = num(str('fault-drop')!, 'fault-drop', { max: 1 });
  if (o.fault503 + o.faultDrop > 1) throw new Error('--fault-503 + --fault-drop must not exceed 1');
  if (str('parked')) o.parked = list(str('parked')!, 'parked').map(Math.round);
  if (str('parked-drain-seconds')) {
    o.parkedDrainSeconds = num(str('parked-drain-seconds')!, 'parked-drain-seconds', { min: 1 });
  }
  parseOutage(o, str);
  if (str('warmup')) o.warmup = num(str('warmup')!, 'warmup');
  if (str('p99-target-ms')) o.p99TargetMs = num(str('p99-target-ms')!, 'p99-target-ms', { min: 1 });
  if (str('max-in-flight')) o.maxInFlight = num(str('max-in-flight')!, 'max-in-flight', { min: 1 });
  if (str('drain-timeout-seconds')) {
    o.drainTimeoutSeconds = num(str('drain-timeout-seconds')!, 'drain-timeout-seconds', { min: 1 });
  }
  if (str('breakdown-sample')) o.breakdownSample = num(str('breakdown-sample')!, 'breakdown-sample');
  if (str('client-call')) {
    const call = str('client-call')!;
    if (!(CLIENT_CALLS as readonly string[]).includes(call)) {
      throw new Error(`--client-call: expected one of ${CLIENT_CALLS.join(', ')}, got "${call}"`);
    }
    o.clientCall = call as ClientCall;
  }
  parsePeers(o, raw);
  if (str('label')) o.label = str('label')!.replace(/[^\w.-]+/g, '-');
  else if (str('preset') && str('preset') !== 'default') o.label = `${quick ? 'quick-' : ''}${str('preset')}`;
  o.preset = str('preset') ?? 'default';
  const preset = PRESETS[o.preset];
  if (!preset) throw new Error(`--preset: unknown ${o.preset}; known: ${Object.keys(PRESETS).join(', ')}`);
  o.sqlitePragmas = { ...preset.sqlitePragmas, ...keyValues(strs('sqlite-pragma'), 'sqlite-pragma') };
  o.dynamicConfig = {
    ...preset.dynamicConfig,
    ...Object.fromEntries(
      Object.entries(keyValues(strs('dynamic-config'), 'dynamic-config')).map(([k, v]) => [k, jsonish(v)]),
    ),
  };
  if (raw['eager-activities'] === true) o.dynamicConfig['system.enableActivityEagerExecution'] = true;
  o.workerEnv = {
    ...preset.workerEnv,
    ...(o.outageResilience === 'off' ? RESILIENCE_OFF_ENV : {}),
    ...keyValues(strs('worker-env'), 'worker-env'),
  };
  o.workerNodeArgs = strs('worker-node-arg');
  o.inMemory = raw['in-memory'] === true;
  if (str('out')) o.outDir = str('out')!;
  o.updateBenchmarks = raw['update-benchmarks'] === true;
  o.keepWorkDir = raw.keep === true;
  o.help = raw.help === true;
  return o;
}

function parsePeers(o: BenchOptions, raw: Record<string, string | string[] | boolean | undefined>): void {
  o.peers = raw.peers === true;
  const systems = raw['peer-systems'] as string | undefined;
  if (systems) {
    const names = systems.split(',').map((s) => s.trim());
    const unknown = names.filter((n) => !(PEER_SYSTEMS as readonly string[]).includes(n));
    if (unknown.length)
      throw new Error(`--peer-systems: unknown ${unknown.join(', ')}; known: ${PEER_SYSTEMS.join(', ')}`);
    o.peerSystems = names as PeerSystemName[];
  }
  const url = raw['peers-database-url'] as string | undefined;
  if (url) {
    if (!/^postgres(ql)?:\/\/[^/]+\/?$/.test(url)) {
      throw new Error(`--peers-database-url: expected postgres://user@host:port without a database, got "${url}"`);
    }
    o.peersDatabaseUrl = url.replace(/\/$/, '');
  }
}

function parseOutage(o: BenchOptions, str: (k: string) => string | undefined): void {
  const rate = str('outage-rate') ?? str('rate');
  if (rate) o.outageRate = num(rate, 'outage-rate', { min: 1 });
  if (str('outage-seconds')) o.outageSeconds = num(str('outage-seconds')!, 'outage-seconds', { min: 1 });
  if (str('outage-run-seconds')) {
    o.outageRunSeconds = num(str('outage-run-seconds')!, 'outage-run-seconds', { min: 1 });
  } else if (str('outage-seconds')) {
    o.outageRunSeconds = Math.max(o.outageRunSeconds, o.outageSeconds * 3);
  }
  if (o.outageSeconds >= o.outageRunSeconds)
    throw new Error('--outage-seconds must be shorter than --outage-run-seconds');
  const mode = str('outage-resilience');
  if (mode !== undefined) {
    if (!(OUTAGE_RESILIENCE as readonly string[]).includes(mode)) {
      throw new Error(`--outage-resilience: expected on or off, got "${mode}"`);
    }
    o.outageResilience = mode as BenchOptions['outageResilience'];
  }
  if (o.scenarios.includes('outage') && o.scenarios.length > 1) {
    throw new Error('--scenarios: outage runs alone (it starts a second gateway that changes the other scenarios)');
  }
}
