/**
 * The floor's worker process (bench/floor/workflow.ts): the payments worker's connection, data converter and cache
 * size, nothing else, so a payment's cost over the floor is what our workflow and activities add.
 * Configured as the payments worker is (TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE, GATEWAY_URL, WORKER_*).
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { config } from '../../config';
import { encryptedDataConverter } from '../../encryption/data-converter';
import { workerTuningFromConfig } from '../../worker/options';
import { createFloorActivities } from './activities';

async function main(): Promise<void> {
  const cfg = config();
  const connection = await NativeConnection.connect({ address: cfg.TEMPORAL_ADDRESS });
  try {
    const worker = await Worker.create({
      connection,
      namespace: cfg.TEMPORAL_NAMESPACE,
      taskQueue: cfg.TEMPORAL_TASK_QUEUE,
      dataConverter: encryptedDataConverter(cfg.PAYLOAD_ENCRYPTION_KEYS),
      workflowsPath: require.resolve('./workflow'),
      activities: createFloorActivities(cfg.GATEWAY_URL),
      ...workerTuningFromConfig(cfg),
    });
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
