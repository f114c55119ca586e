/**
 * Starts and talks to dispute workflows. The gateway's webhooks drive it (`dispute.created` opens one,
 * `dispute.closed` records the decision); operators approve evidence and read state through it.
 */
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import { DEFAULT_DISPUTE_POLICY, DISPUTE_INPUT_VERSION } from '../shared/dispute-policy';
import { DISPUTE_STATUSES } from '../shared/dispute-status';
import { DISPUTE_REASONS, type DisputeInput, type DisputePolicy, type DisputeState } from '../shared/dispute-types';
import { DISPUTE_ID_PATTERN, disputeIdFromWorkflowId, disputeWorkflowId } from '../shared/ids';
import { DisputeStatusKey } from '../shared/search-attributes';
import { disputeWorkflow } from '../workflows/dispute';
import { approveEvidenceSignal, disputeClosedSignal, getDisputeStateQuery } from '../workflows/dispute-messages';
import { DisputeNotFoundError, DisputeStateError } from './errors';
import { parse } from './parse';
import { EvidenceApprovalSchema } from './schemas';
import { listByStatus } from './visibility';
import { withWorkflow, type WorkflowHandle } from './workflow-handle';

export interface DisputesClientOptions {
  taskQueue: string;
  /** Tests shorten durations; production passes the configured submit margin. */
  policy?: Partial<DisputePolicy>;
}

/** The gateway's dispute object as webhooks carry it (Stripe's shape plus the sandbox's `due_by_ms`). */
export const GatewayDisputeSchema = z.object({
  id: z.string().regex(DISPUTE_ID_PATTERN),
  charge: z.string().min(1).max(255),
  amount: z.number().int().positive(),
  currency: z.string().regex(/^[a-zA-Z]{3}$/),
  reason: z.enum(DISPUTE_REASONS),
  evidence_details: z.object({ due_by: z.number().int(), due_by_ms: z.number().int().optional() }),
  metadata: z.record(z.string(), z.string()).optional(),
});

export type GatewayDispute = z.infer<typeof GatewayDisputeSchema>;

const DisputeIdSchema = z.string().regex(DISPUTE_ID_PATTERN, 'dispute id must be letters, digits, _ or -');

export class DisputesClient {
  constructor(
    private readonly client: Client,
    private readonly options: DisputesClientOptions,
  ) {}

  /** Starts the dispute's workflow; `created: false` when it already exists (a repeated webhook). */
  async openDispute(dispute: GatewayDispute): Promise<{ disputeId: string; created: boolean }> {
    const input = this.inputFor(dispute);
    try {
      await this.client.workflow.start(disputeWorkflow, {
        ...this.startOptions(input),
        workflowIdConflictPolicy: 'FAIL',
      });
      return { disputeId: input.disputeId, created: true };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return { disputeId: input.disputeId, created: false };
      throw err;
    }
  }

  /**
   * Records the bank's decision. Signal-with-start, so a `dispute.closed` whose `dispute.created` was lost
   * still leaves a complete record; a dispute already closed here ignores it.
   */
  async recordClosed(dispute: GatewayDispute, outcome: 'won' | 'lost'): Promise<void> {
    const input = this.inputFor(dispute);
    try {
      await this.client.workflow.signalWithStart(disputeWorkflow, {
        ...this.startOptions(input),
        signal: disputeClosedSignal,
        signalArgs: [{ outcome }],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  async approveEvidence(disputeId: string, approval: { approvedBy: string; evidence?: Record<string, string> }) {
    const body = parse(EvidenceApprovalSchema, approval);
    await this.withDispute(disputeId, async (h) => {
      const state = await h.query(getDisputeStateQuery);
      if (state.status !== 'needs_response' && state.status !== 'evidence_gathered') {
        throw new DisputeStateError(`dispute is ${state.status}; evidence can no longer be approved`);
      }
      await h.signal(approveEvidenceSignal, body as { approvedBy: string; evidence?: Record<string, string> });
    });
  }

  async getDispute(disputeId: string): Promise<DisputeState> {
    return this.withDispute(disputeId, (h) => h.query(getDisputeStateQuery));
  }

  async listDisputes(filter: { status: string; limit?: number }) {
    const status = parse(z.enum(DISPUTE_STATUSES), filter.status);
    const query = { workflowType: disputeWorkflow.name, attribute: DisputeStatusKey.name, status, limit: filter.limit };
    const found = await listByStatus(this.client, query);
    return found.map((wf) => ({ disputeId: disputeIdFromWorkflowId(wf.workflowId), status, startTime: wf.startTime }));
  }

  /** How both ways in start a dispute's workflow: one per dispute id, ever (REJECT_DUPLICATE). */
  private startOptions(input: DisputeInput) {
    return {
      workflowId: disputeWorkflowId(input.disputeId),
      taskQueue: this.options.taskQueue,
      args: [input] as [DisputeInput],
      workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
      typedSearchAttributes: [{ key: DisputeStatusKey, value: 'needs_response' }],
    };
  }

  private inputFor(raw: GatewayDispute): DisputeInput {
    const d = parse(GatewayDisputeSchema, raw);
    return {
      disputeId: d.id,
      chargeId: d.charge,
      paymentId: d.metadata?.payment_id,
      amount: d.amount,
      currency: d.currency.toUpperCase(),
      reason: d.reason,
      dueByMs: d.evidence_details.due_by_ms ?? d.evidence_details.due_by * 1000,
      // Resolved once: an open dispute keeps its deadlines' margins whatever later releases default to.
      version: DISPUTE_INPUT_VERSION,
      policy: { ...DEFAULT_DISPUTE_POLICY, ...this.options.policy },
    };
  }

  private async withDispute<T>(disputeId: string, fn: (h: WorkflowHandle) => Promise<T>): Promise<T> {
    const id = parse(DisputeIdSchema, disputeId);
    return withWorkflow(
      this.client,
      disputeWorkflowId(id),
      () => new DisputeNotFoundError(`dispute ${id} not found`),
      fn,
    );
  }
}
