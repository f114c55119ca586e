/** Task queue names, shared by the worker, the client and tests. */
export const PAYMENTS_TASK_QUEUE = 'payments';
