/**
 * Every webhook event the sandbox created, kept so tests can list them and re-deliver one unchanged (same id and
 * body, freshly signed) to prove a receiver de-duplicates. Events are kept even without a webhook URL, where they
 * are only listed. Like the ledger, the log lives until reset.
 */
import { randomId } from './ids';
import type { Charge, Dispute, DisputeEvent, ThreeDsCompletedEvent, ThreeDsResult, WebhookEvent } from './types';
import type { WebhookSender } from './webhooks';

export class EventLog {
  private readonly events = new Map<string, WebhookEvent>();

  constructor(private readonly sender: WebhookSender | undefined) {}

  get canDeliver(): boolean {
    return this.sender !== undefined;
  }

  /** Records the event and sends it in the background. The caller must not change the event afterwards. */
  emit(event: WebhookEvent): void {
    this.events.set(event.id, event);
    this.sender?.send(event);
  }

  /** Sends a recorded event again, byte for byte; false when unknown or when no webhook URL is configured. */
  resend(id: string): boolean {
    const event = this.events.get(id);
    if (!event || !this.sender) return false;
    this.sender.send(event);
    return true;
  }

  get(id: string): WebhookEvent | undefined {
    return this.events.get(id);
  }

  list(filter: { type?: string } = {}): WebhookEvent[] {
    const events = [...this.events.values()];
    return filter.type === undefined ? events : events.filter((event) => event.type === filter.type);
  }

  clear(): void {
    this.events.clear();
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function threeDsCompletedEvent(charge: Charge, result: ThreeDsResult): ThreeDsCompletedEvent {
  return {
    id: randomId('evt'),
    type: 'charge.3ds_completed',
    created: nowSeconds(),
    data: { charge_id: charge.id, result, idempotency_key: charge.idempotency_key, metadata: { ...charge.metadata } },
  };
}

/** `dispute` must be a detached copy (`viewDispute`): the event is a snapshot that resends repeat unchanged. */
export function disputeEvent(type: DisputeEvent['type'], dispute: Dispute, charge: Charge): DisputeEvent {
  return {
    id: randomId('evt'),
    type,
    created: nowSeconds(),
    data: {
      dispute,
      charge_id: charge.id,
      idempotency_key: charge.idempotency_key,
      metadata: { ...charge.metadata },
    },
  };
}
