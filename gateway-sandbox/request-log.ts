/**
 * The processor API requests the sandbox received (`/v1/*`, after auth, before any fault answers them), newest
 * last and bounded, so tests can prove what reached the gateway and when: for instance that an open circuit
 * breaker sent nothing, or how fast retries came. `GET /_sandbox/requests`.
 */
export interface LoggedRequest {
  /** Epoch milliseconds when the request arrived. */
  at: number;
  method: string;
  path: string;
  idempotencyKey?: string;
}

const DEFAULT_CAPACITY = 20_000;

export class RequestLog {
  private entries: LoggedRequest[] = [];

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  record(entry: LoggedRequest): void {
    this.entries.push(entry);
    // Drop the oldest in bulk: cheap at benchmark rates, and the log stays bounded.
    if (this.entries.length > this.capacity * 1.1) this.entries = this.entries.slice(-this.capacity);
  }

  list(): LoggedRequest[] {
    return this.entries.map((e) => ({ ...e }));
  }

  clear(): void {
    this.entries = [];
  }
}
