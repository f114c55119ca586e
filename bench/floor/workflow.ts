/**
 * The floor: the least a Temporal payment could cost on this stack, one workflow that makes one activity call
 * (a loopback HTTP request to the gateway) and returns. `npm run bench`'s `floor` scenario runs it beside ours so
 * every row can say how many floors a payment costs, measured in the same run on the same machine.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { FloorActivities } from './activities';

const { floorCall } = proxyActivities<FloorActivities>({ startToCloseTimeout: '10s' });

export async function floorWorkflow(): Promise<number> {
  return await floorCall();
}
