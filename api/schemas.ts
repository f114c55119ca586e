/**
 * The HTTP API's wire schemas (zod): request validation, response whitelists and the OpenAPI document at /docs
 * all come from these. Request bodies mirror the typed client's schemas (client/schemas.ts) so the API cannot
 * accept what the client would refuse; responses list every field explicitly, so nothing else (never a card
 * number) can leave the API even if the workflow state grows.
 */
import { z } from 'zod';
import {
  EvidenceApprovalSchema,
  IdempotencyKey,
  PaymentIdSchema,
  PaymentMethodSchema,
  PaymentStatusSchema,
  ReasonText,
  RefundRequestSchema,
  startPaymentSchema,
  ThreeDSResultSchema,
} from '../client/schemas';
import { DISPUTE_ID_PATTERN } from '../shared/ids';
import { maskCardNumbers } from '../shared/card-number';
import type { RefundRecord, StatusChange as StatusChangeRecord } from '../shared/payment-types';
import { DISPUTE_STATUSES } from '../shared/dispute-status';
import { parseWait } from './wait';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';

/** POST /payments: the client's start request without the key, which travels in the Idempotency-Key header. */
export function createPaymentBody(maxAmount: number) {
  return startPaymentSchema(maxAmount).omit({ idempotencyKey: true });
}

export const CreatePaymentHeaders = z.looseObject({
  [IDEMPOTENCY_HEADER]: z
    .string({ error: 'is required' })
    .pipe(IdempotencyKey)
    .describe('Your key for this payment (1-255 characters): the same key always means the same payment.'),
});

export const PaymentIdParams = z.strictObject({ id: PaymentIdSchema });

export const WaitQuery = z.strictObject({
  wait: z
    .string()
    .optional()
    .describe('How long to wait for the final answer before replying with the current state: `5s`, `500ms`.')
    .superRefine((value, ctx) => {
      if (value !== undefined && parseWait(value) === undefined) {
        ctx.addIssue({ code: 'custom', message: 'wait must be a duration such as 5s or 500ms' });
      }
    }),
});

/** `?limit=` of the list routes: 1 to 100, 50 when absent. */
const ListLimit = z.coerce.number().int().min(1).max(100).default(50);

/** Either one status, or `needs=attention`: everything a person must look at (dead letters, unknown, terminated and charged). */
export const ListPaymentsQuery = z
  .strictObject({
    status: PaymentStatusSchema.optional(),
    needs: z.literal('attention').optional(),
    limit: ListLimit,
  })
  .refine((q) => (q.status === undefined) !== (q.needs === undefined), {
    message: 'give either status or needs=attention',
    path: ['status'],
  });

export const ThreeDSBody = ThreeDSResultSchema;
export const ReplaceCardBody = z.strictObject({ paymentMethod: PaymentMethodSchema });
/** A customer portal's card update: delivered as the cardUpdated signal, nobody waits for it to apply. */
export const CardUpdateBody = z.strictObject({
  paymentMethod: PaymentMethodSchema,
  reference: z.string().min(1).max(255).optional(),
});
/** Cancel and retry take an optional reason (masked: see ReasonText); an empty body is fine. */
export const ReasonBody = z.strictObject({ reason: ReasonText.optional() }).nullish();

const Attempt = z.object({
  attempt: z.number(),
  at: z.string(),
  gatewayKey: z.string(),
  outcome: z.string(),
  errorCode: z.string().optional(),
  declineClass: z.string().optional(),
});

const StatusChange = z.object({
  seq: z.number(),
  status: z.string(),
  at: z.string(),
  reason: z.string().optional(),
});

/** POST /payments/:id/refunds: the request key travels in the Idempotency-Key header, as for payments. */
export const RefundBody = RefundRequestSchema.omit({ requestKey: true }).nullish();

const Refund = z.object({
  refundNumber: z.number(),
  requestKey: z.string(),
  amount: z.number(),
  currency: z.string(),
  status: z.string(),
  refundId: z.string().optional(),
  reason: z.string().optional(),
  requestedAt: z.string(),
  failure: z.string().optional(),
});

export const PaymentResponse = z
  .object({
    paymentId: z.string(),
    status: z.string(),
    amount: z.number(),
    currency: z.string(),
    chargeId: z.string().optional(),
    cardVersion: z.number(),
    customerMessage: z.string().describe('Safe to show to the customer as is.'),
    needsDifferentCard: z.boolean(),
    reason: z.string().optional(),
    attempts: z.array(Attempt),
    history: z.array(StatusChange).optional().describe('Every status change, as written to the audit trail.'),
    amountRefunded: z.number().optional(),
    capturedAt: z.string().optional(),
    refundableUntil: z.string().optional(),
    refunds: z.array(Refund).optional(),
    ignoredCardUpdates: z
      .array(
        z.object({
          at: z.string(),
          source: z.enum(['card_updater', 'customer_portal']),
          reference: z.string().optional(),
          token: z.string().describe('The pm_ token the update named.'),
          reason: z.string(),
        }),
      )
      .optional()
      .describe('Card updates (card updater, customer portal) the payment could not take when they came, and why.'),
    queuedUntil: z
      .string()
      .optional()
      .describe('While queued (a gateway outage, trusted customer): when the payment stops waiting and fails.'),
    alternativePaymentMethods: z
      .array(z.string())
      .optional()
      .describe('When no gateway could take the payment: other ways the customer may pay (also in customerMessage).'),
    fromAuditTrail: z
      .boolean()
      .optional()
      .describe(
        "true when the payment's run is gone from Temporal (retention) and this is what its audit trail recorded: " +
          'statuses, charge and refunded amount; no attempts or refund records.',
      ),
  })
  .meta({ id: 'Payment' });

export const RefundResponse = z.object({ refund: Refund, payment: PaymentResponse }).meta({ id: 'RefundResult' });

export const DisputeIdParams = z.strictObject({ id: z.string().regex(DISPUTE_ID_PATTERN, 'not a dispute id') });
export const ListDisputesQuery = z.strictObject({
  status: z.enum(DISPUTE_STATUSES),
  limit: ListLimit,
});
export const ApproveEvidenceBody = EvidenceApprovalSchema;

export const DisputeResponse = z
  .object({
    disputeId: z.string(),
    chargeId: z.string(),
    paymentId: z.string().optional(),
    amount: z.number(),
    currency: z.string(),
    reason: z.string(),
    status: z.string(),
    dueBy: z.string(),
    submitBy: z.string().describe('When the evidence is submitted automatically if nobody approves it first.'),
    evidence: z.record(z.string(), z.string()),
    missingEvidence: z.array(z.string()),
    approvedBy: z.string().optional(),
    submittedAt: z.string().optional(),
    submissionError: z.string().optional(),
    outcome: z.string().optional(),
    terminated: z
      .object({
        runId: z.string(),
        at: z.string(),
        by: z.enum(['operator', 'timeout']),
        reason: z.string(),
        requestedBy: z.string().optional(),
      })
      .optional()
      .describe('A run of this dispute was terminated (or timed out); the termination sweeper started this one.'),
    needsAttention: z
      .boolean()
      .optional()
      .describe('True when the dispute could not be resumed after termination (deadline passed, state unknown).'),
  })
  .meta({ id: 'Dispute' });

export const DisputeListResponse = z.object({
  data: z.array(z.object({ disputeId: z.string(), status: z.string(), startTime: z.string() })),
});

export const PaymentListResponse = z.object({
  data: z.array(z.object({ paymentId: z.string(), status: z.string(), startTime: z.string() })),
});

const ErrorResponse = z
  .object({
    error: z.object({
      type: z.enum([
        'invalid_request_error',
        'authentication_error',
        'permission_error',
        'idempotency_error',
        'api_error',
      ]),
      code: z.string(),
      message: z.string(),
    }),
  })
  .meta({ id: 'Error' });

/** The error answers every route may give, for its `response` schema (and so the OpenAPI document). */
export const ERROR_RESPONSES = { '4xx': ErrorResponse, '5xx': ErrorResponse };
/** The `security` of every route behind the Bearer API key (auth.ts). */
export const BEARER_AUTH = [{ bearerAuth: [] }];

export const WebhookAck = z.object({
  received: z.literal(true),
  duplicate: z.boolean().optional(),
  ignored: z.boolean().optional(),
});

export type PaymentDto = z.infer<typeof PaymentResponse>;
export type ErrorBody = z.infer<typeof ErrorResponse>;

/**
 * Reasons and failures are free text (operators', the gateway's) that may quote a card or ticket number. Masked in
 * every answer, whatever the workflow state holds: runs started before reasons were masked keep them in clear.
 */
export function maskedText(text: string | undefined): string | undefined {
  return text === undefined ? undefined : maskCardNumbers(text);
}

export function maskedStatusChange(change: StatusChangeRecord): StatusChangeRecord {
  return change.reason === undefined ? change : { ...change, reason: maskCardNumbers(change.reason) };
}

/** A refund's reason is one of three words; its failure is text. */
export function maskedRefund(refund: RefundRecord): RefundRecord {
  return refund.failure === undefined ? refund : { ...refund, failure: maskCardNumbers(refund.failure) };
}
