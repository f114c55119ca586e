/**
 * Messages of the dispute workflow. Both inputs are signals: `disputeClosed` comes from a webhook that can
 * only deliver, and an operator's approval is accepted whenever it comes (a late one is simply ignored).
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ApproveEvidence, DisputeClosed, DisputeState } from '../shared/dispute-types';

export const approveEvidenceSignal = defineSignal<[ApproveEvidence]>('approveEvidence');
export const disputeClosedSignal = defineSignal<[DisputeClosed]>('disputeClosed');
export const getDisputeStateQuery = defineQuery<DisputeState>('getDisputeState');
