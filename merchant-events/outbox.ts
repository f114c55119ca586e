/**
 * The outbox: the audit store, with every written status row that the merchant should hear about handed to the
 * event sink (a delivery run per event) before the write is reported done. The row and its event cannot part:
 * if the process dies in between, the activity that wrote the row is retried, finds its row already there
 * (the same event key) and hands the event over again, and the sink keeps one delivery per event id.
 */
import type { AuditEntry, AuditStore, DisputeAuditEntry, KeyClaimRequest } from '../audit/types';
import type { MerchantEvent } from '../shared/merchant-events';
import { disputeEvent, paymentEvent } from './events';

export interface MerchantEventSink {
  /** Idempotent by event id: a second emit of the same event sends nothing more. */
  emit(event: MerchantEvent): Promise<void>;
}

export function withMerchantEvents(audit: AuditStore, sink: MerchantEventSink): AuditStore {
  const send = async (event: MerchantEvent | undefined) => {
    if (event) await sink.emit(event);
  };
  const append = async (entry: AuditEntry) => {
    const written = await audit.append(entry);
    await send(paymentEvent(entry, entry.occurredAt ?? new Date()));
    return written;
  };
  const appendClaimed = async (entry: AuditEntry, claim: KeyClaimRequest) => {
    const written = await audit.appendClaimed(entry, claim);
    // Not claimed: the key is an earlier payment's and nothing was written.
    if (written.claim.claimed) await send(paymentEvent(entry, entry.occurredAt ?? new Date()));
    return written;
  };
  const appendClaimedRows = async (entries: AuditEntry[], claim: KeyClaimRequest) => {
    const written = await audit.appendClaimedRows(entries, claim);
    if (!written.claim.claimed) return written;
    for (const entry of entries) await send(paymentEvent(entry, entry.occurredAt ?? new Date()));
    return written;
  };
  const appendDispute = async (entry: DisputeAuditEntry) => {
    const written = await audit.appendDispute(entry);
    await send(disputeEvent(entry, new Date()));
    return written;
  };
  const overrides: Partial<AuditStore> = { append, appendClaimed, appendClaimedRows, appendDispute };
  return new Proxy(audit, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && prop in overrides) return overrides[prop as keyof AuditStore];
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
