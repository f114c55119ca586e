/** The payments worker: runs payment workflows and their activities on the `payments` task queue. */
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createDependencies } from './worker/dependencies';
import { encryptedDataConverter } from './encryption/data-converter';
import { paymentWorkerOptions, workerTuningFromConfig } from './worker/options';
import { ensureSweepSchedule } from './worker/sweep-schedule';
import { config, encryptsWithDevKey } from './config';
import { createLogger } from './logging/logger';
import { PinoTemporalLogger } from './logging/temporal-logger';

/**
 * From SIGINT/SIGTERM to a forced exit: the worker's grace (20 s) and force time (10 s more, worker/options.ts), then
 * 10 s to close. The SDK's forced stop still waits for activities that ignore cancellation, so this bound is the
 * process's own, armed at the signal.
 */
const EXIT_DEADLINE_MS = 40_000;

/**
 * Prometheus conventions for every metric on the endpoint, ours and the SDK's: counters end in `_total`, durations
 * are seconds. The processing-time histogram gets seed 002's buckets (0.1 s to 30 s).
 */
function prometheusExporter(bindAddress: string) {
  return {
    bindAddress,
    countersTotalSuffix: true,
    useSecondsForDurations: true,
    histogramBucketOverrides: { payment_processing_seconds: [0.1, 0.5, 1, 2, 5, 10, 30] },
  };
}

async function main(): Promise<void> {
  const cfg = config();
  const logger = createLogger({ level: cfg.LOG_LEVEL, name: 'worker' });
  Runtime.install({
    logger: new PinoTemporalLogger(logger),
    telemetryOptions: cfg.WORKER_METRICS_PORT
      ? { metrics: { prometheus: prometheusExporter(`${cfg.WORKER_METRICS_HOST}:${cfg.WORKER_METRICS_PORT}`) } }
      : undefined,
  });
  if (encryptsWithDevKey(cfg)) {
    logger.warn('payloads are encrypted with the public development key: set PAYLOAD_ENCRYPTION_KEYS');
  }
  const deps = await createDependencies(cfg, logger, Runtime.instance().metricMeter);
  await ensureSweepSchedule(deps.client, {
    taskQueue: cfg.TEMPORAL_TASK_QUEUE,
    intervalMs: cfg.SWEEP_INTERVAL_MS,
    lookbackMs: cfg.SWEEP_LOOKBACK_HOURS * 3_600_000,
  });
  exitAfterSignal(logger);
  const connection = await NativeConnection.connect({ address: cfg.TEMPORAL_ADDRESS });
  try {
    const tuning = workerTuningFromConfig(cfg);
    const worker = await Worker.create({
      connection,
      namespace: cfg.TEMPORAL_NAMESPACE,
      taskQueue: cfg.TEMPORAL_TASK_QUEUE,
      dataConverter: encryptedDataConverter(cfg.PAYLOAD_ENCRYPTION_KEYS),
      ...paymentWorkerOptions(deps, tuning),
    });
    logger.info({ taskQueue: cfg.TEMPORAL_TASK_QUEUE, address: cfg.TEMPORAL_ADDRESS, tuning }, 'worker started');
    await worker.run(); // resolves after SIGINT/SIGTERM, once in-flight tasks drain
  } finally {
    await connection.close();
    await deps.close();
  }
}

/**
 * A stop that hangs (an activity ignoring cancellation, a close that never returns) must not keep the process and its
 * supervisor waiting: what it abandons is retried by another worker (a charge under its same idempotency key).
 */
function exitAfterSignal(logger: ReturnType<typeof createLogger>): void {
  const arm = (signal: NodeJS.Signals) => {
    setTimeout(() => {
      logger.error({ signal, exitDeadlineMs: EXIT_DEADLINE_MS }, 'the worker did not stop in time; exiting');
      process.exit(1);
    }, EXIT_DEADLINE_MS).unref();
  };
  process.once('SIGINT', arm);
  process.once('SIGTERM', arm);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
