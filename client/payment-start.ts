/**
 * What a payment's start sends (PaymentsClient.prepareStart): the run's input, its memo, the policies that make the
 * key's one run, and what the UI shows at a glance. Pure: the caller validates, exchanges the card and routes first.
 */
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { paymentStaticDetails, paymentSummary } from '../shared/payment-summary';
import type { PaymentInput, PaymentPolicy } from '../shared/payment-types';
import { CustomerIdKey, PaymentAmountKey, PaymentStatusKey } from '../shared/search-attributes';
import { paymentWorkflow } from '../workflows/payment';

export interface PreparedStart {
  paymentId: string;
  workflowId: string;
  fingerprint: string;
  /** This request's own id in the memo: the run's memo names the request whose start created it. */
  startedBy: string;
  /** What the start operation sends. An operation is spent by one call, so each call builds its own from this. */
  startOptions: WithStartWorkflowOperation<typeof paymentWorkflow>['options'];
}

/** The request's parameters as the run takes them: the card already a token, the routes fixed. */
export type StartParams = Omit<
  PaymentInput,
  'version' | 'paymentId' | 'idempotencyKey' | 'policy' | 'fingerprint' | 'claimWithCharge'
>;

export interface StartParts {
  paymentId: string;
  workflowId: string;
  idempotencyKey: string;
  fingerprint: string;
  params: StartParams;
  taskQueue: string;
  inputVersion: number;
  policy: PaymentPolicy;
  how: Pick<PaymentInput, 'claimWithCharge'>;
}

export function startOperation(start: PreparedStart): WithStartWorkflowOperation<typeof paymentWorkflow> {
  return new WithStartWorkflowOperation(paymentWorkflow, start.startOptions);
}

/**
 * Update-with-start: the outcome Update is accepted in the run's first workflow task, where nothing else can arrive
 * with it. Every later result() attaches to it by id and sends the workflow nothing. An outcome Update arriving
 * later in a task together with a signal or an activity result is grouped differently when that task runs on a
 * worker without the run cached than on replay: a non-determinism in the SDK (issue 12).
 */
export function preparedStart(parts: StartParts): PreparedStart {
  const { paymentId, workflowId, idempotencyKey, fingerprint, params } = parts;
  const startedBy = randomUUID();
  const startOptions: PreparedStart['startOptions'] = {
    workflowId,
    taskQueue: parts.taskQueue,
    // The policy is resolved by the client, once: the run keeps it for life, whatever later releases make the
    // defaults. The fingerprint rides in the input too: the run claims the key with it in the audit database,
    // which outlives this run (retention) and the gateway's key memory.
    args: [
      {
        ...params,
        version: parts.inputVersion,
        paymentId,
        idempotencyKey,
        policy: parts.policy,
        fingerprint,
        ...parts.how,
      },
    ],
    // USE_EXISTING: a repeat while the run is open meets that run and its outcome Update (same Update id), so it
    // is answered as the first request is and starts nothing. REJECT_DUPLICATE: a repeat after the run closed
    // gets "already started" and reads the closed run. Exactly one request's start creates the run.
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    // startedBy tells the request whose start created the run from a repeat that met it (the memo is the
    // creator's).
    memo: { fingerprint, idempotencyKey, startedBy },
    // What the UI's list and the run's page show at a glance (no card number: last four digits).
    staticSummary: paymentSummary(params),
    staticDetails: paymentStaticDetails(paymentId, params),
    typedSearchAttributes: [
      { key: PaymentStatusKey, value: 'initiated' },
      { key: PaymentAmountKey, value: params.amount },
      ...(params.customerId ? [{ key: CustomerIdKey, value: params.customerId }] : []),
    ],
  };
  return { paymentId, workflowId, fingerprint, startedBy, startOptions };
}
