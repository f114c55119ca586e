/** Composes every activity from its dependencies; nothing here reads process.env. */
import type { AuditStore } from '../audit/store';
import type { Logger } from '../logging/logger';
import { createAuditActivities } from './audit';
import type { GatewayClient } from './gateway-client';
import { createGatewayActivities } from './gateway';
import { createRefundActivities } from './gateway-refunds';

export interface ActivityDeps {
  gateway: GatewayClient;
  gatewayName: string;
  audit: AuditStore;
  logger: Logger;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createGatewayActivities(deps),
    ...createRefundActivities(deps),
    ...createAuditActivities(deps),
  };
}

export type PaymentActivities = ReturnType<typeof createActivities>;
export type { ChargeOutcome, LookupResult, ChargeCardInput } from './gateway';
export type { RecordStatusInput } from './audit';
export type { RefundChargeInput, RefundOutcome, RefundLookup } from './gateway-refunds';
