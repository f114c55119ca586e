/** Composes every activity from its dependencies; nothing here reads process.env. */
import type { AuditStore } from '../audit/types';
import type { Logger } from '../logging/logger';
import { createAuditActivities } from './audit';
import type { GatewayClient } from './gateway-client';
import { createGatewayActivities } from './gateway';
import { createDisputeResumeActivities } from './dispute-resume';
import { createDisputeActivities } from './gateway-disputes';
import { createRefundActivities } from './gateway-refunds';
import { createRefundLedgerActivities } from './refund-ledger';
import { createOperatorActivities, type OperatorRequests } from './operator-requests';
import { createSweepActivities } from './termination-sweep';
import type { MerchantPolicies, PaymentRecords } from './payment-records';

export interface ActivityDeps {
  gateway: GatewayClient;
  gatewayName: string;
  audit: AuditStore;
  logger: Logger;
  /** Our own payments, for dispute evidence. */
  payments: PaymentRecords;
  merchant: MerchantPolicies;
  /** What operators asked of a run through Temporal (its history). */
  operators: OperatorRequests;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createGatewayActivities(deps),
    ...createRefundActivities(deps),
    ...createRefundLedgerActivities(deps),
    ...createDisputeActivities(deps),
    ...createDisputeResumeActivities(deps),
    ...createAuditActivities(deps),
    ...createOperatorActivities(deps),
    ...createSweepActivities(deps),
  };
}

export type PaymentActivities = ReturnType<typeof createActivities>;
export type { CancelOutcome, ChargeOutcome, LookupResult, ChargeCardInput } from './gateway';
export type { RecordStatusInput, RecordStatusResult, RecordDisputeStatusInput } from './audit';
export type { MerchantPolicies, PaymentRecords } from './payment-records';
export type { OperatorRequest, OperatorRequests } from './operator-requests';
export type { RefundChargeInput, RefundOutcome, RefundLookup } from './gateway-refunds';
