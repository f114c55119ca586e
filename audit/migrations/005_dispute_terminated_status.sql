-- `terminated` for disputes: a dispute run an operator terminated (or that timed out) before the bank decided. The
-- sweeper appends it with the reason, the requester and the last status; the dispute's next run resumes from the
-- trail. Mirrors shared/dispute-status.ts.
ALTER TABLE dispute_status DROP CONSTRAINT dispute_status_status_check;
ALTER TABLE dispute_status ADD CONSTRAINT dispute_status_status_check CHECK (status IN (
  'needs_response', 'evidence_gathered', 'submitted', 'submission_failed', 'won', 'lost', 'terminated'));
