/**
 * The CLI's refund command: refund part or the rest of a succeeded payment, idempotent by --key. Same contract
 * as commands.ts: it returns its exit code and throws for exit.ts to map.
 */
import type { RefundReason } from '../shared/payment-types';
import type { CommandContext } from './commands';
import { ExitCode, type ExitCodeValue } from './exit';
import { amount, emit, fields } from './format';

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
