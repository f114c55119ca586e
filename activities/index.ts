/** Composes every activity from its dependencies; nothing here reads process.env. */
import type { AuditStore } from '../audit/types';
import type { Logger } from '../logging/logger';
import { createAuditActivities } from './audit';
import type { Gateway } from '../gateways/port';
import { createGatewayActivities, type ChargeResilience } from './charges';
import { createChargeTrailActivities } from './charge-trail';
import type { GatewayEntry } from './gateway-directory';
import { createDisputeResumeActivities } from './dispute-resume';
import { createDisputeActivities } from './disputes';
import { createRefundActivities } from './refunds';
import { createRefundLedgerActivities } from './refund-ledger';
import { createOperatorActivities, type OperatorRequests } from './operator-requests';
import { createSweepActivities } from './termination-sweep';
import { createRefundsSweepActivities } from './refunds-sweep';
import { createMerchantWebhookActivities, type MerchantWebhookConfig } from './merchant-webhooks';
import type { MerchantPolicies, PaymentRecords } from './payment-records';
import type { StatusMetrics } from './status-metrics';

export interface ActivityDeps {
  /** The configured adapter (gateways/factory.ts), behind the port: activities never know which one. */
  gateway: Gateway;
  /** Written into charge outcomes (`gateway`), so history says which processor answered. */
  gatewayName: string;
  /**
   * The gateways after the default one, in failover order (GATEWAYS), each with its own breaker and budget. Calls
   * that name a gateway go to it (activities/gateway-directory.ts); calls that name none go to `gateway`.
   */
  otherGateways?: readonly GatewayEntry[];
  audit: AuditStore;
  logger: Logger;
  /** The retry budget and the breaker's question before a charge retry (resilience/). */
  resilience: ChargeResilience;
  /** Our own payments, for dispute evidence. */
  payments: PaymentRecords;
  merchant: MerchantPolicies;
  /** What operators asked of a run through Temporal (its history). */
  operators: OperatorRequests;
  /** Where merchant events go (signed webhooks); absent: the worker sends none (deliveries wait, retried). */
  merchantWebhook?: MerchantWebhookConfig;
  /** Status metrics, counted as the audit rows are inserted; absent: none are counted (unit tests). */
  statusMetrics?: StatusMetrics;
}

export function createActivities(deps: ActivityDeps) {
  const charges = createGatewayActivities(deps);
  const audit = createAuditActivities(deps);
  return {
    ...charges,
    ...createChargeTrailActivities({ ...audit, chargeCard: charges.chargeCard, logger: deps.logger }),
    ...createRefundActivities(deps),
    ...createRefundLedgerActivities(deps),
    ...createDisputeActivities(deps),
    ...createDisputeResumeActivities(deps),
    ...audit,
    ...createOperatorActivities(deps),
    ...createSweepActivities(deps),
    ...createRefundsSweepActivities(deps),
    ...createMerchantWebhookActivities(deps),
  };
}

export type PaymentActivities = ReturnType<typeof createActivities>;
export type { CancelOutcome, ChargeOutcome, LookupResult, ChargeCardInput, ChargeResilience } from './charges';
export type { ChargeWithTrailInput, ChargeWithTrailResult, SucceededRowTemplate } from './charge-trail';
export type { RecordStatusInput, RecordStatusesInput, RecordStatusResult, RecordDisputeStatusInput } from './audit';
export type { MerchantPolicies, PaymentRecords } from './payment-records';
export { statusMetrics, type StatusMetrics } from './status-metrics';
export type { GatewayEntry } from './gateway-directory';
export type { OperatorRequest, OperatorRequests } from './operator-requests';
export type { RefundChargeInput, RefundOutcome, RefundLookup } from './refunds';
