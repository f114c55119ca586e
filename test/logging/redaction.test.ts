/** Card numbers never reach a log line, whether in a known field, a nested object or the message itself. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { createLogger } from '../../logging/logger';
import { maskCardNumbers } from '../../logging/card-redaction';

function capture(): { lines: string[]; logger: pino.Logger } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('log redaction', () => {
  it('masks card numbers in fields, nested objects, arrays and messages', () => {
    const { lines, logger } = capture();
    logger.info(
      { paymentMethod: { type: 'card', number: '4242424242424242' }, note: 'card 4000 0000 0000 9995 used' },
      'charging 4000000000000069',
    );
    logger.info({ nested: { deep: ['5555-5555-5555-4444'] }, card: '4242424242424242', cvc: '123' }, 'second');
    const text = lines.join('');
    for (const pan of ['4242424242424242', '4000 0000 0000 9995', '4000000000000069', '5555-5555-5555-4444', '"123"']) {
      expect(text).not.toContain(pan);
    }
    expect(text).toContain('****9995');
    expect(text).toContain('****0069');
    expect(text).toContain('[REDACTED]');
  });

  it('leaves ids, amounts and short numbers alone', () => {
    expect(maskCardNumbers({ amount: 1999, chargeId: 'ch_abc123', key: 'order-1', last4: '4242' })).toEqual({
      amount: 1999,
      chargeId: 'ch_abc123',
      key: 'order-1',
      last4: '4242',
    });
  });

  it('uses the shared definition: UUIDs and digits inside ids stay, a card quoted in a reason is masked', () => {
    const paymentId = '12345678-1234-4234-9234-123456789012'; // all-digit groups: once masked as a card
    expect(
      maskCardNumbers({ paymentId, chargeId: 'ch_1234567890123456789', reason: 'ticket 4242424242424242' }),
    ).toEqual({ paymentId, chargeId: 'ch_1234567890123456789', reason: 'ticket ****4242' });
  });
});
