/** Every workflow the worker registers. workflowsPath points here; keep it to re-exports. */
export { paymentWorkflow } from './payment';
export { disputeWorkflow } from './dispute';
export { refundsWorkflow } from './refunds';
export { terminationSweepWorkflow } from './termination-sweep';
export { merchantEventWorkflow } from './merchant-event';
