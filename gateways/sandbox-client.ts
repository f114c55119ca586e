/**
 * HTTP client for the sandbox gateway (gateway-sandbox/), in its wire shapes; gateways/sandbox.ts adapts it to the
 * Gateway port. One keep-alive pool per process, separate connect and read
 * timeouts (a slow connect is safe to retry, a slow read is an unknown outcome). It never retries by
 * itself: Temporal owns retries. Every failure surfaces as a typed ApplicationFailure.
 */
import { Agent, request } from 'undici';
import type { PaymentMethod } from '../shared/payment-types';
import { httpFailure, transportFailure, type GatewayErrorBody } from './sandbox-errors';

export interface SandboxClientOptions {
  baseUrl: string;
  apiKey: string;
  connectTimeoutMs: number;
  readTimeoutMs: number;
}

export interface SandboxCharge {
  id: string;
  status: 'succeeded' | 'requires_action' | 'failed' | string;
  amount: number;
  currency: string;
  idempotency_key?: string;
  decline_code?: string;
  failure_code?: string;
  metadata?: Record<string, string>;
  created?: number;
  payment_method_details?: {
    card?: { last4?: string; brand?: string; checks?: { cvc_check?: string; address_postal_code_check?: string } };
    three_d_secure?: { result?: string } | null;
  };
}

export interface SandboxDispute {
  id: string;
  charge: string;
  status: string;
  reason: string;
}

export interface SandboxRefund {
  id: string;
  charge: string;
  amount: number;
  currency: string;
  status: string;
  idempotency_key?: string;
}

export interface SandboxRefundRequest {
  chargeId: string;
  amount: number;
  reason?: string;
  metadata: Record<string, string>;
}

export interface SandboxChargeRequest {
  amount: number;
  currency: string;
  paymentMethod: PaymentMethod;
  metadata: Record<string, string>;
  /** The customer is not present (merchant-initiated): an issuer may decline asking for authentication. */
  offSession?: boolean;
  /** Ask the issuer to challenge the cardholder (the step-up after authentication_required). */
  requestThreeDS?: boolean;
}

export class SandboxClient {
  private readonly agent: Agent;

  constructor(private readonly options: SandboxClientOptions) {
    this.agent = new Agent({
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: options.readTimeoutMs,
      bodyTimeout: options.readTimeoutMs,
      keepAliveTimeout: 10_000,
    });
  }

  createCharge(req: SandboxChargeRequest, idempotencyKey: string): Promise<SandboxCharge> {
    const body = {
      amount: req.amount,
      currency: req.currency.toLowerCase(),
      payment_method: req.paymentMethod,
      metadata: req.metadata,
      ...(req.offSession ? { off_session: true } : {}),
      ...(req.requestThreeDS ? { payment_method_options: { card: { request_three_d_secure: 'any' } } } : {}),
    };
    return this.call<SandboxCharge>('POST', '/v1/charges', body, idempotencyKey);
  }

  async findChargesByKey(idempotencyKey: string): Promise<SandboxCharge[]> {
    const query = new URLSearchParams({ idempotency_key: idempotencyKey });
    const list = await this.call<{ data: SandboxCharge[] }>('GET', `/v1/charges?${query}`);
    return list.data;
  }

  confirmCharge(chargeId: string, idempotencyKey: string): Promise<SandboxCharge> {
    return this.call<SandboxCharge>('POST', `/v1/charges/${encodeURIComponent(chargeId)}/confirm`, {}, idempotencyKey);
  }

  /** Cancels a charge awaiting 3DS (Stripe: cancel a PaymentIntent in `requires_action`). */
  cancelCharge(chargeId: string, idempotencyKey: string): Promise<SandboxCharge> {
    return this.call<SandboxCharge>('POST', `/v1/charges/${encodeURIComponent(chargeId)}/cancel`, {}, idempotencyKey);
  }

  createRefund(req: SandboxRefundRequest, idempotencyKey: string): Promise<SandboxRefund> {
    const body = { charge: req.chargeId, amount: req.amount, reason: req.reason, metadata: req.metadata };
    return this.call<SandboxRefund>('POST', '/v1/refunds', body, idempotencyKey);
  }

  async findRefundsByKey(idempotencyKey: string): Promise<SandboxRefund[]> {
    const query = new URLSearchParams({ idempotency_key: idempotencyKey });
    const list = await this.call<{ data: SandboxRefund[] }>('GET', `/v1/refunds?${query}`);
    return list.data;
  }

  getCharge(chargeId: string): Promise<SandboxCharge> {
    return this.call<SandboxCharge>('GET', `/v1/charges/${encodeURIComponent(chargeId)}`);
  }

  getDispute(disputeId: string): Promise<SandboxDispute> {
    return this.call<SandboxDispute>('GET', `/v1/disputes/${encodeURIComponent(disputeId)}`);
  }

  /** Stripe's "update dispute" with `submit: true`: the evidence goes to the bank and can no longer change. */
  submitDisputeEvidence(disputeId: string, evidence: Record<string, string>, idempotencyKey: string) {
    const path = `/v1/disputes/${encodeURIComponent(disputeId)}`;
    return this.call<SandboxDispute>('POST', path, { evidence, submit: true }, idempotencyKey);
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.apiKey}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    let res;
    try {
      res = await request(new URL(path, this.options.baseUrl), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: this.agent,
      });
    } catch (err) {
      throw transportFailure(err);
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw transportFailure(err); // the body broke off mid-way: as unknown as a timeout
    }
    const parsed = parseJson(text);
    if (res.statusCode >= 200 && res.statusCode < 300) {
      // A 2xx we cannot read tells us nothing about the charge: treat it like a 5xx (check, then retry).
      if (parsed === undefined) throw httpFailure(502, { error: { code: 'unreadable_response' } });
      return parsed as T;
    }
    const retryAfter = res.headers['retry-after'];
    const errorBody = (parsed ?? {}) as GatewayErrorBody;
    throw httpFailure(res.statusCode, errorBody, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
