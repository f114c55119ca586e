/**
 * Durations of the dispute workflow. New disputes get the defaults resolved into their input by the client, so
 * an open dispute keeps the policy it started with; tests pass milliseconds instead.
 */
import type { DisputePolicy } from './dispute-types';

const DAY = 24 * 60 * 60 * 1000;

/** For disputes opened from now on; safe to change. */
export const DEFAULT_DISPUTE_POLICY: DisputePolicy = {
  // Seed 002 files the review task "2 days buffer" before the evidence deadline.
  submitMarginMs: 2 * DAY,
  closedCheckIntervalMs: DAY,
};

/** NEVER EDIT: release 0.1's defaults, which disputes started without a resolved policy merge on every replay. */
export const LEGACY_DISPUTE_DEFAULTS: DisputePolicy = Object.freeze({
  submitMarginMs: 2 * DAY,
  closedCheckIntervalMs: DAY,
});

/** Input shape 2 of the dispute workflow: `policy` complete, audit writes as activities. */
export const DISPUTE_INPUT_VERSION = 2;
