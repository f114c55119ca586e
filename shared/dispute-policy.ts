/** Production defaults for the dispute workflow's durations; tests pass milliseconds instead. */
import type { DisputePolicy } from './dispute-types';

const DAY = 24 * 60 * 60 * 1000;

export const DEFAULT_DISPUTE_POLICY: DisputePolicy = {
  // Seed 002 files the review task "2 days buffer" before the evidence deadline.
  submitMarginMs: 2 * DAY,
  closedCheckIntervalMs: DAY,
};
