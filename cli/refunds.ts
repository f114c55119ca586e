/**
 * CLI commands for what happens after a payment is captured: refunds and disputes. Same contract as
 * commands.ts: each returns its exit code and throws for exit.ts to map.
 */
import type { DisputeState } from '../shared/dispute-types';
import type { RefundReason } from '../shared/payment-types';
import type { CommandContext } from './commands';
import { ExitCode, type ExitCodeValue } from './exit';
import { amount, emit, fields, table } from './format';

export interface RefundFlags {
  amount?: number;
  key: string;
  reason?: RefundReason;
}

export async function refund(ctx: CommandContext, paymentId: string, flags: RefundFlags): Promise<ExitCodeValue> {
  const client = await ctx.client();
  const made = await client.refund(paymentId, { amount: flags.amount, requestKey: flags.key, reason: flags.reason });
  const state = await client.getPayment(paymentId);
  emit(ctx.io, ctx.json, {
    human: fields([
      ['refund', made.refundId],
      ['amount', amount(made.amount, made.currency)],
      ['payment', `${paymentId} is ${state.status}`],
      ['refunded', `${state.amountRefunded} of ${state.amount} ${state.currency}`],
    ]),
    json: { paymentId, refund: made, status: state.status, amountRefunded: state.amountRefunded },
  });
  return ExitCode.Ok;
}

export async function dispute(ctx: CommandContext, disputeId: string): Promise<ExitCodeValue> {
  const state = await (await ctx.disputes()).getDispute(disputeId);
  emit(ctx.io, ctx.json, { human: disputeLines(state), json: state });
  return ExitCode.Ok;
}

export async function disputes(ctx: CommandContext, flags: { status: string; limit: number }): Promise<ExitCodeValue> {
  const found = await (await ctx.disputes()).listDisputes(flags);
  const rows = found.map((d) => [d.disputeId, d.status, d.startTime.toISOString()]);
  emit(ctx.io, ctx.json, {
    human: rows.length ? table(['DISPUTE ID', 'STATUS', 'OPENED'], rows) : [`no disputes with status ${flags.status}`],
    json: found.map((d) => ({ ...d, startTime: d.startTime.toISOString() })),
  });
  return ExitCode.Ok;
}

export async function approve(ctx: CommandContext, disputeId: string, flags: { by: string }): Promise<ExitCodeValue> {
  await (await ctx.disputes()).approveEvidence(disputeId, { approvedBy: flags.by });
  emit(ctx.io, ctx.json, {
    human: [`evidence of dispute ${disputeId} approved by ${flags.by}; it is submitted next`],
    json: { disputeId, approvedBy: flags.by },
  });
  return ExitCode.Ok;
}

function disputeLines(d: DisputeState): string[] {
  return [
    ...fields([
      ['dispute', d.disputeId],
      ['status', d.status],
      ['reason', d.reason],
      ['amount', amount(d.amount, d.currency)],
      ['payment', d.paymentId],
      ['charge', d.chargeId],
      ['evidence due', d.dueBy],
      ['auto-submit at', d.submittedAt ? undefined : d.submitBy],
      ['submitted', d.submittedAt],
      ['approved by', d.approvedBy],
      ['missing', d.missingEvidence.join(', ') || undefined],
    ]),
    '',
    ...table(
      ['EVIDENCE', 'VALUE'],
      Object.entries(d.evidence).map(([k, v]) => [k, v.replace(/\s+/g, ' ').slice(0, 100)]),
    ),
  ];
}
