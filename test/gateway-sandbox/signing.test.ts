/** The webhook signature format, which the API side reuses to verify the sandbox's webhooks. */
import { createHmac } from 'node:crypto';
import { signPayload, verifySignature } from '../../webhooks/signature';

const SECRET = 'whsec_unit';
const BODY = '{"id":"evt_1","type":"charge.3ds_completed"}';

describe('signPayload', () => {
  it('is t=<timestamp>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const expected = createHmac('sha256', SECRET).update(`1700000000.${BODY}`).digest('hex');
    expect(signPayload(SECRET, BODY, 1700000000)).toBe(`t=1700000000,v1=${expected}`);
  });
});

describe('verifySignature', () => {
  const now = 1700000000;
  const header = signPayload(SECRET, BODY, now);

  it('accepts a fresh, matching signature', () => {
    expect(verifySignature(SECRET, BODY, header, { nowSeconds: now + 10 })).toBe(true);
  });

  it('rejects a wrong secret, a changed body, or a malformed header', () => {
    expect(verifySignature('whsec_other', BODY, header, { nowSeconds: now })).toBe(false);
    expect(verifySignature(SECRET, `${BODY} `, header, { nowSeconds: now })).toBe(false);
    expect(verifySignature(SECRET, BODY, 'v1=abc', { nowSeconds: now })).toBe(false);
    expect(verifySignature(SECRET, BODY, `t=${now},v1=deadbeef`, { nowSeconds: now })).toBe(false);
  });

  it('rejects a timestamp outside the tolerance, so old webhooks cannot be replayed', () => {
    expect(verifySignature(SECRET, BODY, header, { nowSeconds: now + 301 })).toBe(false);
    expect(verifySignature(SECRET, BODY, header, { nowSeconds: now + 301, toleranceSeconds: 600 })).toBe(true);
  });
});
