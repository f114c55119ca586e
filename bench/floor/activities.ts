/** The floor workflow's one activity: a GET on the gateway over a keep-alive pool, as the payments worker's calls. */
import { Agent, request } from 'undici';

export function createFloorActivities(gatewayUrl: string) {
  const agent = new Agent({ connections: 64 });
  return {
    async floorCall(): Promise<number> {
      const res = await request(`${gatewayUrl}/health`, { dispatcher: agent });
      await res.body.dump();
      return res.statusCode;
    },
  };
}

export type FloorActivities = ReturnType<typeof createFloorActivities>;
