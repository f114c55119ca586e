/**
 * Charge activities: charge, look up by idempotency key, confirm after 3DS, cancel. A charge retried by Temporal
 * tells the gateway that an earlier request may have landed, and the adapter checks before it sends again (the
 * sandbox by listing the key's charges, Stripe by replaying the key): after a timeout, a 5xx or a dropped
 * connection we cannot know whether the first request landed. They depend on the Gateway port only.
 */
import { Context } from '@temporalio/activity';
import type { ApplicationFailure } from '@temporalio/common';
import type { Logger } from '../logging/logger';
import { classifyDecline, type DeclineInfo, type Initiator } from '../shared/declines';
import { ErrorType } from '../shared/errors';
import type { PaymentMethod } from '../shared/payment-types';
import { declineDetailsOf, declineFailure, gatewayFailure } from '../gateways/failures';
import { isFailureOf, type GatewayCharge } from '../gateways/port';
import { chargeDirectory, type DirectoryDeps, type GatewayEntry } from './gateway-directory';
import {
  afterSentFailure,
  isRefusal,
  refusalDelayMs,
  withRetryDelay,
  readProgress,
  refusedForGood,
  refusedRetry,
  unfinishedLastAttempt,
  neverReached,
  type AttemptPolicy,
  type ChargeProgress,
} from './charge-attempts';

export interface ChargeCardInput {
  paymentId: string;
  gatewayKey: string;
  amount: number;
  currency: string;
  paymentMethod: PaymentMethod;
  /** Check for an existing charge even on the first attempt (an operator retry after an unknown outcome). */
  checkFirst?: boolean;
  /** Decides how a decline is classified (see classifyDecline); absent for runs of release 0.1. */
  initiator?: Initiator;
  /** The step-up after an authentication_required decline: ask for 3DS, with the customer present. */
  requestThreeDS?: boolean;
  maxAttempts: number;
  /**
   * Set by runs that let the activity count its own attempts (Temporal retries it without a limit): only attempts
   * that sent something count, by this policy; retries take a token from the retry budget first.
   */
  ownRetries?: AttemptPolicy;
  /** The gateway to charge at (the payment's failover order names it); absent: the worker's default gateway. */
  gateway?: string;
  /**
   * Another gateway waits in the payment's failover order: when this key certainly never reached the gateway (an
   * open breaker before sending, a refused connection), say so at once instead of waiting, so the payment moves on.
   */
  failover?: boolean;
}

export type ChargeOutcome =
  | { status: 'succeeded'; chargeId: string; gateway: string }
  | { status: 'requires_action'; chargeId: string; gateway: string };

/** `decline` is classified here for a declined charge, so the workflow acts on what history holds. */
export type LookupResult =
  /** `inFlight`: a create under this key is still being processed, so "no charge" is not an answer yet. */
  | { found: false; inFlight?: boolean }
  | { found: true; chargeId: string; status: string; declineCode?: string; decline?: DeclineInfo; gateway: string };

/** What a cancel left: `canceled`, or the charge had already settled (it can no longer be cancelled). */
export type CancelOutcome = { status: 'canceled'; chargeId: string } | { status: 'settled'; charge: LookupResult };

export type { ChargeResilience } from './charge-resilience';

export interface GatewayActivityDeps extends DirectoryDeps {
  logger: Logger;
}

/** What every charge activity names: its payment, and the gateway (absent: the default one). */
interface AtGateway {
  paymentId: string;
  gateway?: string;
}

export function createGatewayActivities(deps: GatewayActivityDeps) {
  const { logger } = deps;
  const directory = chargeDirectory(deps);

  /** Turns a charge the gateway already holds into the same answer a fresh request would have given. */
  function outcomeOf(charge: GatewayCharge, at: GatewayEntry, initiator?: Initiator): ChargeOutcome {
    if (charge.status === 'succeeded' || charge.status === 'requires_action') {
      return { status: charge.status, chargeId: charge.id, gateway: at.name };
    }
    // Not decided yet (Stripe's `processing`): an unknown outcome, retried after a check like a 5xx.
    if (charge.status === 'processing') {
      throw stillProcessing(charge.id);
    }
    throw declineFailure(charge.declineCode, charge.id, initiator);
  }

  /** The adapter classified a decline without knowing who initiated the charge: classify it again here. */
  async function create(
    input: ChargeCardInput,
    at: GatewayEntry,
    earlierRequest?: 'recent' | 'any_time',
  ): Promise<GatewayCharge> {
    try {
      const offSession = input.initiator === 'merchant' && !input.requestThreeDS;
      return await at.gateway.createCharge({
        paymentId: input.paymentId,
        amount: input.amount,
        currency: input.currency,
        paymentMethod: input.paymentMethod,
        idempotencyKey: input.gatewayKey,
        offSession,
        requestThreeDS: input.requestThreeDS,
        earlierRequest,
      });
    } catch (err) {
      const details = declineDetailsOf(err);
      if (!details) throw err;
      throw declineFailure(details.declineCode, details.chargeId, input.initiator);
    }
  }

  async function chargeCard(input: ChargeCardInput): Promise<ChargeOutcome> {
    const { attempt } = Context.current().info;
    const at = directory.resolve(input.gateway);
    const log = logger.child({ paymentId: input.paymentId, gatewayKey: input.gatewayKey, gateway: at.name });
    log.info({ attempt, maxAttempts: input.maxAttempts }, `charge attempt ${attempt}/${input.maxAttempts}`);
    if (input.ownRetries) return chargeCountingAttempts(input, at, input.ownRetries, log);
    // An operator's retry may come days after the last request; Temporal's own retries come minutes after it.
    return chargeOnce(input, at, input.checkFirst ? 'any_time' : attempt > 1 ? 'recent' : undefined, log);
  }

  /**
   * One request. `earlierRequest` tells the adapter that a request under this key may already have reached the
   * gateway, so it checks before it sends ("check, then create"; the sandbox lists the key, Stripe replays it).
   */
  async function chargeOnce(
    input: ChargeCardInput,
    at: GatewayEntry,
    earlierRequest: 'recent' | 'any_time' | undefined,
    log: Logger,
  ): Promise<ChargeOutcome> {
    const charge = await create(input, at, earlierRequest);
    log.info({ chargeId: charge.id, status: charge.status, earlierRequest }, 'charge answered');
    return outcomeOf(charge, at, input.initiator);
  }

  /**
   * A charge that counts its own attempts (activities/charge-attempts.ts): a retry takes a budget token, the breaker
   * is asked, and only then does the attempt record that it sends; refusals send nothing and do not count.
   */
  async function chargeCountingAttempts(input: ChargeCardInput, at: GatewayEntry, policy: AttemptPolicy, log: Logger) {
    const ctx = Context.current();
    const { resilience } = at;
    const earlier = readProgress(ctx.info.heartbeatDetails);
    // An operator's retry after an unknown outcome may face a charge from an earlier run: as if this one had sent.
    const progress = { ...earlier, chargeSent: earlier.chargeSent || input.checkFirst === true };
    if (progress.sent >= policy.maximumAttempts) throw unfinishedLastAttempt(policy);
    try {
      if (ctx.info.attempt > 1) await takeRetryToken(at);
      resilience.breaker?.admit();
    } catch (err) {
      throw refuse(err, at, progress, policy, input.failover === true, log);
    }
    const sent = progress.sent + 1;
    // Before the first request: a timeout or a dead worker after this still leaves the count right.
    ctx.heartbeat({ sent, chargeSent: true } satisfies ChargeProgress);
    try {
      const earlierRequest = input.checkFirst ? 'any_time' : progress.chargeSent ? 'recent' : undefined;
      return await chargeOnce(input, at, earlierRequest, log);
    } catch (err) {
      // The breaker opened between the question and the charge: the charge was not sent, the attempt does not count.
      if (isRefusal(err)) throw refuse(err, at, progress, policy, input.failover === true, log);
      // A refused connection never carried the request: with a gateway to fail over to, the key is known unused.
      if (input.failover && !progress.chargeSent && isFailureOf(err, ErrorType.GatewayNetwork)) {
        ctx.heartbeat({ sent, chargeSent: false } satisfies ChargeProgress);
        log.warn({ error: (err as Error).message }, 'connection refused before sending; failing over');
        throw neverReached(err as ApplicationFailure);
      }
      throw afterSentFailure(err, sent, policy);
    }
  }

  async function takeRetryToken(at: GatewayEntry): Promise<void> {
    const answer = await at.resilience.retryBudget.take();
    at.resilience.budgetMetrics?.decided(at.name, answer.granted);
    if (!answer.granted) throw refusedRetry(answer.retryInMs);
  }

  /**
   * A refusal waits (Temporal retries it after its delay) until it has gone on for maxDeferralMs; with a gateway to
   * fail over to and nothing ever sent under the key, it gives up at once: the next gateway can take the payment now.
   */
  function refuse(
    err: unknown,
    at: GatewayEntry,
    progress: ChargeProgress,
    policy: AttemptPolicy,
    failover: boolean,
    log: Logger,
  ): unknown {
    if (!isRefusal(err)) return err;
    const since = progress.refusedSince ?? Date.now();
    Context.current().heartbeat({ ...progress, refusedSince: since } satisfies ChargeProgress);
    if (failover && !progress.chargeSent) {
      log.warn({ type: err.type }, 'charge refused before anything was sent; failing over');
      return refusedForGood(err, progress, since);
    }
    if (Date.now() - since >= at.resilience.maxDeferralMs) {
      log.warn({ type: err.type, since: new Date(since).toISOString() }, 'charge refused for too long; giving up');
      return refusedForGood(err, progress, since);
    }
    const retryInMs = refusalDelayMs(err, policy, since + at.resilience.maxDeferralMs - Date.now());
    log.debug({ type: err.type, retryInMs }, 'charge retry refused; nothing sent');
    return withRetryDelay(err, retryInMs);
  }

  async function lookupCharge(input: AtGateway & { gatewayKey: string; initiator?: Initiator }): Promise<LookupResult> {
    const at = directory.resolve(input.gateway);
    const r = await at.gateway.findCharge({ paymentId: input.paymentId, idempotencyKey: input.gatewayKey });
    if (!r.found) return r.inFlight ? { found: false, inFlight: true } : { found: false };
    // Not decided yet: as good as a request still in flight, so the workflow asks again later.
    if (r.charge.status === 'processing') return { found: false, inFlight: true };
    return describeCharge(r.charge, at, input.initiator);
  }

  function describeCharge(latest: GatewayCharge, at: GatewayEntry, initiator?: Initiator): LookupResult {
    const settled = latest.status === 'succeeded' || latest.status === 'requires_action';
    return {
      found: true,
      chargeId: latest.id,
      status: latest.status,
      declineCode: latest.declineCode,
      decline: settled ? undefined : classifyDecline(latest.declineCode ?? 'generic_decline', initiator),
      gateway: at.name,
    };
  }

  async function confirmCharge(input: AtGateway & { chargeId: string; gatewayKey: string }): Promise<ChargeOutcome> {
    const at = directory.resolve(input.gateway);
    const charge = await at.gateway.confirmCharge(input.chargeId, `${input.gatewayKey}:confirm`);
    return outcomeOf(charge, at);
  }

  /**
   * Cancels a charge left awaiting 3DS when the payment is cancelled or its 3DS wait ends, so that a late
   * authentication cannot capture money on a cancelled payment. A charge that settled meanwhile is reported.
   */
  async function cancelCharge(input: AtGateway & { chargeId: string; gatewayKey: string }): Promise<CancelOutcome> {
    const at = directory.resolve(input.gateway);
    try {
      const charge = await at.gateway.cancelCharge(input.chargeId, `${input.gatewayKey}:cancel`);
      return { status: 'canceled', chargeId: charge.id };
    } catch (err) {
      if (!isFailureOf(err, ErrorType.GatewayInvalidRequest)) throw err;
      // charge_unexpected_state: it succeeded or failed before our cancel; say which.
      return { status: 'settled', charge: describeCharge(await at.gateway.getCharge(input.chargeId), at) };
    }
  }

  return { chargeCard, lookupCharge, confirmCharge, cancelCharge };
}

/** A charge the processor has not decided: retryable, and the retry checks before it sends. */
function stillProcessing(chargeId: string) {
  return gatewayFailure(ErrorType.GatewayServerError, `charge ${chargeId} is still processing at the gateway`);
}
