/**
 * The worker's gateways by name. A payment names the gateway each call goes to (its failover order is in its
 * input); a call that names none goes to the default gateway (the first configured): every run started before
 * failover, and every payment of a worker with one gateway. A name this worker does not know is refused without
 * sending anything and retried, so a payment is never sent to a gateway it did not name.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../shared/errors';
import type { Gateway } from '../gateways/port';
import type { ChargeResilience } from './charge-resilience';
import type { PaymentRecords } from './payment-records';

export interface NamedGateway {
  name: string;
  /** The adapter behind its own circuit breaker. */
  gateway: Gateway;
}

export interface GatewayEntry extends NamedGateway {
  /** Its breaker and its own retry budget. */
  resilience: ChargeResilience;
}

export interface GatewayDirectory<E extends NamedGateway = GatewayEntry> {
  /** Undefined: the default gateway. */
  resolve(name?: string): E;
  readonly names: readonly string[];
}

export interface DirectoryDeps {
  gateway: Gateway;
  gatewayName: string;
  resilience: ChargeResilience;
  /** The gateways after the default one, in failover order. */
  otherGateways?: readonly GatewayEntry[];
}

/** The charge activities' directory: each gateway with its breaker and budget. */
export function chargeDirectory(deps: DirectoryDeps): GatewayDirectory {
  return gatewayDirectory(
    { name: deps.gatewayName, gateway: deps.gateway, resilience: deps.resilience },
    deps.otherGateways,
  );
}

export function gatewayDirectory<E extends NamedGateway>(first: E, others: readonly E[] = []): GatewayDirectory<E> {
  const all = [first, ...others];
  return {
    names: all.map((g) => g.name),
    resolve(name?: string): E {
      if (name === undefined) return first;
      const found = all.find((g) => g.name === name);
      if (found) return found;
      throw ApplicationFailure.create({
        type: ErrorType.GatewayNotConfigured,
        message: `gateway ${name} is not configured on this worker (it has ${all.map((g) => g.name).join(', ')}): request not sent`,
        details: [{ gateway: name, requestSent: false }],
        nextRetryDelay: 30_000,
      });
    },
  };
}

/**
 * The gateway that charged a payment, for its disputes: the one its state names (a payment that routes records
 * it), else the default. With one gateway configured there is nothing to ask.
 */
export async function gatewayOfPayment<E extends NamedGateway>(
  directory: GatewayDirectory<E>,
  payments: Pick<PaymentRecords, 'getPayment'> | undefined,
  paymentId: string | undefined,
): Promise<E> {
  if (!paymentId || !payments || directory.names.length === 1) return directory.resolve(undefined);
  const payment = await payments.getPayment(paymentId);
  return directory.resolve(payment?.gateway);
}
