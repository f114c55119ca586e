/** The caller's side of a peer payment: one POST of the payment on a keep-alive pool, the peer's answer back. */
import { Agent, request } from 'undici';
import type { PeerPaymentResult } from './payment';

export interface PeerPayer {
  pay(url: string, input: unknown): Promise<PeerPaymentResult>;
  close(): Promise<void>;
}

/** `label` names the peer in an error (its status and the start of its body). */
export function peerPayer(label: string): PeerPayer {
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  return {
    async pay(url, input) {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
        dispatcher: agent,
        headersTimeout: 60_000,
        bodyTimeout: 60_000,
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`${label} ${res.statusCode}: ${text.slice(0, 200)}`);
      return JSON.parse(text) as PeerPaymentResult;
    },
    close: () => agent.close(),
  };
}
