/**
 * pino for every process outside workflow code. Card data must never reach a log line: known fields are
 * redacted by path, and any string that looks like a card number is masked wherever it appears.
 */
import pino from 'pino';
import { maskCardNumbers } from './card-redaction';

const REDACT_PATHS = [
  'card',
  'cvc',
  'cardNumber',
  'paymentMethod.number',
  'payment_method.number',
  '*.card',
  '*.cvc',
  '*.cardNumber',
  '*.paymentMethod.number',
  '*.payment_method.number',
  'req.headers.authorization',
];

export type Logger = pino.Logger;

export function createLogger(
  options: { level?: string; name?: string; destination?: pino.DestinationStream } = {},
): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      name: options.name,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      formatters: { log: (obj) => maskCardNumbers(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          // Messages are strings too: mask a PAN that slipped into an interpolated message.
          const masked = args.map((a) => (typeof a === 'string' ? maskCardNumbers(a) : a)) as typeof args;
          method.apply(this, masked);
        },
      },
    },
    options.destination ?? pino.destination(1),
  );
}
