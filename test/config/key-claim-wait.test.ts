/** KEY_CLAIM_WAIT_MS: how long the API's and CLI's starts wait for a run's key claim before payment_pending. */
import { parseConfig } from '../../config';
import { paymentsClientOptions } from '../../config/client-options';

it('defaults to 15 s and reaches the payments client', () => {
  expect(paymentsClientOptions(parseConfig({})).keyClaimWaitMs).toBe(15_000);
  expect(paymentsClientOptions(parseConfig({ KEY_CLAIM_WAIT_MS: '4000' })).keyClaimWaitMs).toBe(4_000);
});

it('refuses a wait that is not a positive whole number of ms, naming the variable', () => {
  for (const KEY_CLAIM_WAIT_MS of ['0', '-5', '1.5', 'soon']) {
    expect(() => parseConfig({ KEY_CLAIM_WAIT_MS })).toThrow(/KEY_CLAIM_WAIT_MS/);
  }
});
