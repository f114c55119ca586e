/**
 * One query at a time per workflow, from this client. A closed run (a payment of input version 4 once settled) is
 * queried by a worker replaying its history as a "legacy query" task, and the SDK's core keeps at most one such task
 * buffered per run: a third query sent at once is dropped and its caller waits for the 30 s query timeout
 * (sdk-core issues 438 and 578). Queued here, every read of a payment gets its answer, in turn.
 */
const tails = new Map<string, Promise<unknown>>();

export async function serially<T>(workflowId: string, query: () => Promise<T>): Promise<T> {
  const before = tails.get(workflowId) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(query);
  tails.set(workflowId, mine);
  try {
    return await mine;
  } finally {
    // The last in line leaves no entry behind.
    if (tails.get(workflowId) === mine) tails.delete(workflowId);
  }
}
