/**
 * What each payment command of the CLI does once its flags are parsed (refunds.ts and disputes.ts hold the
 * others), and the context every command gets. Every command returns its exit code; errors are thrown and
 * mapped to codes in one place (exit.ts), so a command only states its happy path.
 */
import type { PaymentStatus } from '../shared/payment-status';
import type { PaymentState } from '../shared/payment-types';
import { describeMethod, methodText, paymentMethodFrom, type MethodFlags } from './args';
import { ExitCode, UsageError, type ExitCodeValue } from './exit';
import { attemptsTable, emit, fields, nextStep, paymentFields, refundsTable, table, type CliIO } from './format';
import { waitUntilSettled, type Settled } from './wait';
import { PaymentStateError } from '../client/errors';
import type { DisputesClient } from '../client/disputes-client';
import type { PaymentsClient, StartedPayment } from '../client/payments-client';

export interface CommandContext {
  io: CliIO;
  json: boolean;
  /** Connects on first use, so --help and flag mistakes never need a reachable Temporal. */
  client(): Promise<PaymentsClient>;
  disputes(): Promise<DisputesClient>;
}

export interface PayFlags extends MethodFlags {
  amount: number;
  currency: string;
  key: string;
  customer?: string;
  trusted?: boolean;
  initiator: 'customer' | 'merchant';
  wait: boolean;
  timeout: number;
}

export async function pay(ctx: CommandContext, flags: PayFlags): Promise<ExitCodeValue> {
  const paymentMethod = paymentMethodFrom(flags);
  const client = await ctx.client();
  const started = await client.startPayment({
    idempotencyKey: flags.key,
    amount: flags.amount,
    currency: flags.currency,
    paymentMethod,
    customerId: flags.customer,
    initiator: flags.initiator,
    ...(flags.trusted ? { trustedCustomer: true } : {}),
  });
  const method = describeMethod(paymentMethod);
  if (!flags.wait) {
    emit(ctx.io, ctx.json, {
      human: [startedLine(started), `follow it with: npm run payments -- status ${started.paymentId}`],
      json: { paymentId: started.paymentId, created: started.created, outcome: 'started', paymentMethod: method },
    });
    return ExitCode.Ok;
  }
  const settled = await waitUntilSettled(client, started.paymentId, flags.timeout * 1000);
  emit(ctx.io, ctx.json, {
    human: [
      startedLine(started),
      ...settledLines(started.paymentId, settled, flags.timeout, methodText(paymentMethod)),
    ],
    json: {
      ...settled.state,
      paymentId: started.paymentId,
      created: started.created,
      outcome: settled.outcome,
      paymentMethod: method,
    },
  });
  if (!settled.state) {
    ctx.io.err(
      `error: payment ${started.paymentId} did not answer within ${flags.timeout}s; is a payments worker running?`,
    );
    return ExitCode.Unavailable;
  }
  return settled.state.status === 'succeeded' ? ExitCode.Ok : ExitCode.NotSucceeded;
}

function startedLine(started: StartedPayment): string {
  return started.created
    ? `started payment ${started.paymentId}`
    : `payment ${started.paymentId} already exists for this key (same parameters); showing it`;
}

function settledLines(paymentId: string, settled: Settled, timeoutS: number, method: string): string[] {
  const { state } = settled;
  if (!state) return [];
  const lines = ['', ...paymentFields(state, [['method', method]])];
  const hint = settled.outcome === 'parked' ? nextStep(paymentId, state.status) : undefined;
  if (hint) lines.push('', hint);
  if (settled.outcome === 'timeout') {
    lines.push('', `still ${state.status} after ${timeoutS}s; follow it with: npm run payments -- status ${paymentId}`);
  }
  return lines;
}

export async function status(ctx: CommandContext, paymentId: string): Promise<ExitCodeValue> {
  const state = await (await ctx.client()).getPayment(paymentId);
  const hint = nextStep(state.paymentId, state.status);
  emit(ctx.io, ctx.json, {
    human: [
      ...paymentFields(state),
      ...attemptsTable(state.attempts),
      ...refundsTable(state.refunds),
      ...(hint ? ['', hint] : []),
    ],
    json: state,
  });
  return ExitCode.Ok;
}

export async function list(
  ctx: CommandContext,
  flags: { status?: PaymentStatus; needsAttention?: boolean; limit: number },
): Promise<ExitCodeValue> {
  if ((flags.status === undefined) === !flags.needsAttention) {
    throw new UsageError('give either --status or --needs-attention');
  }
  const client = await ctx.client();
  const { status, limit } = flags;
  const payments = status ? await client.listPayments({ status, limit }) : await client.listNeedingAttention({ limit });
  const rows = payments.map((p) => [p.paymentId, p.status, p.startTime.toISOString()]);
  emit(ctx.io, ctx.json, {
    human: rows.length
      ? [...table(['PAYMENT ID', 'STATUS', 'STARTED'], rows), '', `${rows.length} payment(s)`]
      : [status ? `no payments with status ${status}` : 'no payments need attention'],
    json: payments.map((p) => ({ ...p, startTime: p.startTime.toISOString() })),
  });
  return ExitCode.Ok;
}

export async function retry(ctx: CommandContext, paymentId: string, reason?: string): Promise<ExitCodeValue> {
  const { status: next } = await (await ctx.client()).retryDeadLetter(paymentId, reason);
  emit(ctx.io, ctx.json, {
    human: [`retry accepted: payment ${paymentId} is ${next} again with a fresh retry budget`],
    json: { paymentId, accepted: true, status: next },
  });
  return ExitCode.Ok;
}

export async function retryNow(ctx: CommandContext, paymentId: string, reason?: string): Promise<ExitCodeValue> {
  const { status: next } = await (await ctx.client()).retryQueuedNow(paymentId, reason);
  emit(ctx.io, ctx.json, {
    human: [`retry-now accepted: queued payment ${paymentId} is ${next}, charging now (its key is checked first)`],
    json: { paymentId, accepted: true, status: next },
  });
  return ExitCode.Ok;
}

export async function cancel(ctx: CommandContext, paymentId: string, reason?: string): Promise<ExitCodeValue> {
  const { status: next } = await (await ctx.client()).cancel(paymentId, reason);
  emit(ctx.io, ctx.json, { human: [`payment ${paymentId} is ${next}`], json: { paymentId, status: next } });
  return ExitCode.Ok;
}

export async function card(ctx: CommandContext, paymentId: string, flags: MethodFlags): Promise<ExitCodeValue> {
  const paymentMethod = paymentMethodFrom(flags);
  const { cardVersion } = await (await ctx.client()).replaceCard(paymentId, paymentMethod);
  emit(ctx.io, ctx.json, {
    human: [
      `${methodText(paymentMethod)} accepted for payment ${paymentId} (card version ${cardVersion}); it is charged next`,
    ],
    json: { paymentId, cardVersion, paymentMethod: describeMethod(paymentMethod) },
  });
  return ExitCode.Ok;
}

export interface ThreeDSFlags {
  result: 'succeeded' | 'failed';
  charge?: string;
  reason?: string;
}

export async function threeDS(ctx: CommandContext, paymentId: string, flags: ThreeDSFlags): Promise<ExitCodeValue> {
  const client = await ctx.client();
  // The workflow silently ignores a result it is not waiting for (it arrives as a signal), so check first and
  // tell the operator; the workflow still has the final say if the state changes in between.
  refuseUnawaited3DS(await client.getPayment(paymentId), flags.charge);
  await client.complete3DS(paymentId, { result: flags.result, chargeId: flags.charge, reason: flags.reason });
  emit(ctx.io, ctx.json, {
    human: fields([
      ['3DS result', `${flags.result} sent to payment ${paymentId}`],
      ['charge', flags.charge],
      ['next', `npm run payments -- status ${paymentId}`],
    ]),
    json: { paymentId, result: flags.result, chargeId: flags.charge },
  });
  return ExitCode.Ok;
}

function refuseUnawaited3DS(state: PaymentState, chargeId: string | undefined): void {
  // Mirrors the workflow's acceptance rule: awaiting 3DS, or a charge in flight that the result names.
  const inFlight = state.status === 'processing' && chargeId !== undefined;
  if (state.status !== 'requires_action' && !inFlight) {
    throw new PaymentStateError(`payment is ${state.status}, not waiting for a 3DS result`);
  }
  if (state.status === 'requires_action' && chargeId && state.chargeId && chargeId !== state.chargeId) {
    throw new PaymentStateError(`payment awaits 3DS for charge ${state.chargeId}, not ${chargeId}`);
  }
}
