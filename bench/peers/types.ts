/** What the shared runner (bench/peers/runner.ts) needs of each peer; types only. */
import type { ResultRow } from '../lib/context';
import type { PeerPaymentInput, PeerPaymentResult } from './payment';

export const PEER_SYSTEMS = ['restate', 'dbos'] as const;
export type PeerSystemName = (typeof PEER_SYSTEMS)[number];

export interface PeerStartOptions {
  workDir: string;
  gatewayUrl: string;
  /** The peer's own PostgreSQL database (fresh each run). */
  databaseUrl: string;
  log(line: string): void;
}

export interface RunningPeer {
  /** `server`: the peer's engine process, when it has one apart from the application; `worker`: the application. */
  pids: { server?: number; worker: number };
  /** One payment, start to answer, through the peer's own front door. */
  pay(input: PeerPaymentInput): Promise<PeerPaymentResult>;
  stop(): Promise<void>;
}

export interface PeerSystem {
  name: PeerSystemName;
  /** E.g. "Restate 1.7.12 (TypeScript SDK 1.17.2)". */
  title(): string;
  /** Where its durable state lives, and what its processes are. */
  durability: string;
  /** What it gives or lacks next to Temporal: UI, visibility/search, signals/updates, retention, payload codec. */
  vsTemporal: string;
  start(o: PeerStartOptions): Promise<RunningPeer>;
}

/** One peer's part of the report. */
export interface PeerRun {
  peer: PeerSystemName;
  title: string;
  durability: string;
  vsTemporal: string;
  /** What each CPU figure counts. */
  counted: string;
  rows: ResultRow[];
  /** Set when the peer could not be installed, started or run: what failed, in its own words. */
  error?: string;
}
