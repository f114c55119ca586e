/**
 * What an operator asked of a run through Temporal itself (the UI's Request Cancellation, `temporal workflow
 * cancel`). The workflow is told only "cancel requested"; who asked and why are in its history, read here.
 */
import { maskCardNumbers } from '../shared/card-number';

export interface OperatorRequest {
  /** The reason given with the request, card numbers masked; undefined when none was given. */
  reason?: string;
  /** Who asked, as Temporal recorded it (the UI's user, `temporal-cli:user@host`, an SDK client). */
  identity?: string;
}

/** Implemented over the Temporal client in worker/operator-requests.ts. */
export interface OperatorRequests {
  cancelRequest(workflowId: string, runId: string): Promise<OperatorRequest | undefined>;
}

export function createOperatorActivities(deps: { operators: OperatorRequests }) {
  return {
    /** The run's cancellation request as its history holds it; undefined if the history has none. */
    async readCancelRequest(input: { workflowId: string; runId: string }): Promise<OperatorRequest> {
      const request = await deps.operators.cancelRequest(input.workflowId, input.runId);
      const reason = request?.reason ? maskCardNumbers(request.reason) : undefined;
      return { ...(reason ? { reason } : {}), ...(request?.identity ? { identity: request.identity } : {}) };
    },
  };
}
