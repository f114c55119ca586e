/**
 * How the CLI prints: aligned lines and tables for people, one JSON document for scripts (--json). Both
 * shapes come from the same values, so a script never sees something a person would not, and vice versa.
 */
import type { PaymentStatus } from '../shared/payment-status';
import type { AttemptRecord, PaymentState } from '../shared/payment-types';

export interface CliIO {
  out(line: string): void;
  err(line: string): void;
}

export interface Report {
  human: string[];
  json: unknown;
}

export function emit(io: CliIO, json: boolean, report: Report): void {
  if (json) io.out(JSON.stringify(report.json, null, 2));
  else report.human.forEach((line) => io.out(line));
}

type Field = [label: string, value: string | number | undefined];

/** `label   value` lines with the values in one column; fields without a value are left out. */
export function fields(rows: readonly Field[]): string[] {
  const present = rows.filter((r): r is [string, string | number] => r[1] !== undefined && r[1] !== '');
  const width = Math.max(0, ...present.map(([label]) => label.length));
  return present.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
}

/** A table with a header row; every column as wide as its widest cell. */
export function table(headers: readonly string[], rows: readonly string[][]): string[] {
  const widths = headers.map((h, col) => Math.max(h.length, ...rows.map((r) => (r[col] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, col) => (col === cells.length - 1 ? c : c.padEnd(widths[col])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** Amounts stay in minor units: converting needs the currency's exponent, and a wrong one misstates money. */
export function amount(minor: number, currency: string): string {
  return `${minor} ${currency} (minor units)`;
}

export function paymentFields(state: PaymentState, extra: readonly Field[] = []): string[] {
  return fields([
    ['payment', state.paymentId],
    ['status', state.status],
    ['amount', amount(state.amount, state.currency)],
    ...extra,
    ['charge', state.chargeId],
    ['card version', state.cardVersion],
    ['attempts', state.attempts.length],
    ['reason', state.reason],
    ['message', state.customerMessage],
    ['refunded', state.amountRefunded ? `${state.amountRefunded} of ${state.amount} ${state.currency}` : undefined],
    ['refundable until', state.status === 'refunded' ? undefined : state.refundableUntil],
    ['queued until', state.queuedUntil],
    ['pay instead with', state.alternativePaymentMethods?.join(', ')],
  ]);
}

export function refundsTable(refunds: PaymentState['refunds'] | undefined): string[] {
  if (!refunds?.length) return [];
  const rows = refunds.map((r) => [
    String(r.refundNumber),
    r.requestedAt,
    String(r.amount),
    r.status,
    r.refundId ?? '',
  ]);
  return ['', ...table(['REFUND', 'REQUESTED', 'AMOUNT', 'STATUS', 'GATEWAY REFUND'], rows)];
}

export function attemptsTable(attempts: readonly AttemptRecord[]): string[] {
  if (attempts.length === 0) return [];
  const rows = attempts.map((a) => [
    String(a.attempt),
    a.at,
    a.outcome,
    a.errorCode ?? '',
    a.declineClass ?? '',
    a.gatewayKey,
  ]);
  return ['', ...table(['#', 'AT', 'OUTCOME', 'CODE', 'DECLINE', 'GATEWAY KEY'], rows)];
}

/** What an operator can do about a parked payment, as the exact command to run. */
export function nextStep(paymentId: string, status: PaymentStatus): string | undefined {
  const cli = 'npm run payments --';
  switch (status) {
    case 'requires_action':
      return `waiting for the customer's 3DS result; to record it: ${cli} 3ds ${paymentId} --result succeeded|failed`;
    case 'awaiting_payment_method':
      return `needs a different card: ${cli} card ${paymentId} --card <number>`;
    case 'dead_lettered':
      return `parked for an operator: ${cli} retry ${paymentId}  or  ${cli} cancel ${paymentId}`;
    case 'queued':
      return `delayed: charged by itself when the gateway is back; now: ${cli} retry-now ${paymentId}  or  ${cli} cancel ${paymentId}`;
    default:
      return undefined;
  }
}
