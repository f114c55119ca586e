/** The task queue is quoted into the sweeper's visibility query, so the worker refuses one it could not quote. */
import { parseConfig } from '../../config';

it('takes the default and ordinary names', () => {
  expect(parseConfig({}).TEMPORAL_TASK_QUEUE).toBe('payments');
  expect(parseConfig({ TEMPORAL_TASK_QUEUE: 'payments-eu.v2_blue' }).TEMPORAL_TASK_QUEUE).toBe('payments-eu.v2_blue');
});

it('refuses a name with quotes or spaces, naming the variable', () => {
  for (const TEMPORAL_TASK_QUEUE of ["pay' OR 1=1", 'pay ments', '']) {
    expect(() => parseConfig({ TEMPORAL_TASK_QUEUE })).toThrow(/TEMPORAL_TASK_QUEUE: letters, digits/);
  }
});
