/**
 * answerUnlessRefused (client/bounded-answer.ts), unit level: startAndWait's early refusal of a reused key. The
 * check runs only once its delay passed without an answer; only a refusal ends the wait.
 */
import { answerUnlessRefused } from '../../client/bounded-answer';

class Refused extends Error {}
const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
const refuses = (err: unknown) => err instanceof Refused;

it('answers without checking when the answer comes before the delay', async () => {
  const check = jest.fn(async () => undefined);
  await expect(answerUnlessRefused(later(10, 'a'), { afterMs: 200, check, refuses })).resolves.toBe('a');
  await later(250, undefined);
  expect(check).not.toHaveBeenCalled();
});

it('a refusal after the delay ends the wait before the answer', async () => {
  const t0 = Date.now();
  const check = async () => {
    throw new Refused('reused');
  };
  await expect(answerUnlessRefused(later(2_000, 'a'), { afterMs: 50, check, refuses })).rejects.toBeInstanceOf(Refused);
  expect(Date.now() - t0).toBeLessThan(1_000);
});

it('a check that passes, or fails for another reason, leaves the answer to come', async () => {
  const passes = jest.fn(async () => undefined);
  await expect(answerUnlessRefused(later(200, 'a'), { afterMs: 20, check: passes, refuses })).resolves.toBe('a');
  expect(passes).toHaveBeenCalledTimes(1);
  const breaks = jest.fn(async () => {
    throw new Error('describe failed');
  });
  await expect(answerUnlessRefused(later(200, 'b'), { afterMs: 20, check: breaks, refuses })).resolves.toBe('b');
  expect(breaks).toHaveBeenCalledTimes(1);
});

it('a refusal that comes after the answer leaves the answer standing, and the check is told to stop', async () => {
  let stopped: AbortSignal | undefined;
  const lateRefusal = async (answered: AbortSignal) => {
    stopped = answered;
    await later(100, undefined);
    throw new Refused('too late');
  };
  await expect(answerUnlessRefused(later(50, 'a'), { afterMs: 20, check: lateRefusal, refuses })).resolves.toBe('a');
  expect(stopped?.aborted).toBe(true);
  await later(150, undefined); // the refusal lands after the answer, and changes nothing
});

it('does not check once the answer came, a failed start included: that failure is the answer', async () => {
  const check = jest.fn(async () => undefined);
  const refusedStart = later(10, undefined).then(() => Promise.reject(new Error('start refused')));
  await expect(answerUnlessRefused(refusedStart, { afterMs: 100, check, refuses })).rejects.toThrow('start refused');
  await later(150, undefined);
  expect(check).not.toHaveBeenCalled();
});
