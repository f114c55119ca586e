/** Worker options shared by the real worker and the tests, so tests run the production wiring. */
import type { WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';

export type PaymentWorkerOptions = Pick<WorkerOptions, 'activities' | 'workflowsPath'> & {
  shutdownGraceTime: WorkerOptions['shutdownGraceTime'];
};

export function paymentWorkerOptions(deps: ActivityDeps): PaymentWorkerOptions {
  return {
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities(deps),
    // Let in-flight gateway calls finish on Ctrl-C rather than cancelling them mid-charge.
    shutdownGraceTime: '20s',
  };
}
