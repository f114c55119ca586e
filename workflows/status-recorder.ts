/**
 * What every status change of a workflow does, in one place for payments and disputes: the search attribute
 * operators filter on and the numbered event key of the append-only audit row (whose insert is counted, in
 * activities/status-metrics.ts).
 * The order of these steps is part of the workflows' history (upsert, then the audit activity): keep it.
 */
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { PaymentStatusKey } from '../shared/search-attributes';

/** A keyword search attribute (PaymentStatus, DisputeStatus). */
type KeywordKey = typeof PaymentStatusKey;

export interface StatusRecorderOptions {
  searchAttribute: KeywordKey;
  /**
   * Legacy (0.1) runs keyed audit rows `<seq>:<status>`. Current runs add the run id: a reset or a new run under
   * the same workflow id counts from 1 again and must add its own rows rather than be deduplicated into earlier ones.
   */
  legacy: boolean;
}

/** The audit row of one change: its sequence number in this run and the idempotency key it is written under. */
export interface StatusEvent {
  seq: number;
  eventKey: string;
}

export interface EnterOptions {
  upsert?: boolean;
  also?: Array<{ key: KeywordKey; value: string }>;
}

export class StatusRecorder<S extends string> {
  private seq = 0;

  constructor(private readonly options: StatusRecorderOptions) {}

  /** Marks `status` as entered (search attribute), then writes its audit row with `write`. */
  async record<R>(status: S, write: (event: StatusEvent) => Promise<R>): Promise<R> {
    return write(this.enter(status));
  }

  /**
   * Marks `status` as entered and numbers its row, for a caller that writes several rows in one activity.
   * `upsert: false` skips the search attribute for a status that the next one replaces in the same workflow task;
   * `also` are keyword attributes set in the same upsert (one history event and one visibility write, not two).
   */
  enter(status: S, { upsert = true, also = [] }: EnterOptions = {}): StatusEvent {
    if (upsert) upsertSearchAttributes([{ key: this.options.searchAttribute, value: status }, ...also]);
    this.seq += 1;
    return { seq: this.seq, eventKey: this.keyOf(this.seq, status) };
  }

  /** The row the next change would be, if it is to `status`: for a write made ahead of the change (by an activity). */
  peek(status: S): StatusEvent {
    return { seq: this.seq + 1, eventKey: this.keyOf(this.seq + 1, status) };
  }

  private keyOf(seq: number, status: S): string {
    const key = `${seq}:${status}`;
    return this.options.legacy ? key : `${workflowInfo().runId}:${key}`;
  }
}
