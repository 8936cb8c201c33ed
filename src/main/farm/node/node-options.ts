/**
 * What a farm node is given by the composition root (src/main/app), whichever queue it uses: who it
 * is, where it listens, its database and data folder, and narrow functions for the rest of the app.
 */
import type Database from 'better-sqlite3';
import type { Alert, FarmHistory } from '../../../shared/contract.ts';
import type { BlobRepairOutcome } from '../../engine/blob-repair.ts';
import type { FfmpegLocation, FfmpegProbe } from '../../ffmpeg/index.ts';
import type { FarmApp } from '../../http/index.ts';
import type { SplitPolicy } from '../../segments/split-plan.ts';
import type { FarmKey, NodeIdentity } from '../net/index.ts';
import type { Task } from '../queue/index.ts';
import type { IdleTime } from '../workstation/idle-time.ts';
import type { WorkstationSettings } from '../workstation/workstation-policy.ts';
import type { OriginRouteDeps } from './routes/origin-routes.ts';
import type { EncodeProcess } from './worker.ts';

export interface FarmNodeOptions {
  /** The farm key: admits identities (this node's and its peers') and names the farm on the LAN. */
  key: FarmKey;
  /** Who this node is: its key pair and id (identity.ts). */
  identity: NodeIdentity;
  name: string;
  host: string;
  port: number;
  /** mDNS interface (127.0.0.1 in tests); undefined = every interface. */
  interface?: string;
  role: 'auto' | 'worker';
  maxConcurrency: number;
  /** Limits of the HTTP server against slow or greedy clients (defaults in server.ts). */
  http?: { headersTimeoutMs?: number; maxConnectionsPerClient?: number };
  /** The node's own database (the origin's and the coordinator's tables) and data folder. */
  sqlite: Database.Database;
  dataDir: string;
  ffmpeg(): Promise<{ location: FfmpegLocation; probe: FfmpegProbe }>;
  encoder?: EncodeProcess;
  /** The engine's blob store: workers fetch plans' assets from it, a rotten blob is made again. */
  blobs: { pathFor(sha256: string): string; repair(sha256: string): Promise<BlobRepairOutcome> };
  /** How long segments must be to split a video across the farm (null: whole). */
  segmentPolicy(): SplitPolicy | null;
  /** The jobs of this node, for scripts submitted over the network. */
  jobs: Pick<OriginRouteDeps, 'importScript' | 'jobView' | 'checkScript' | 'media' | 'keepFreeBytes'>;
  /** More routes on the same server (the UI's). */
  extraRoutes?: (app: FarmApp) => void | Promise<void>;
  /** The app's version (status, hellos, TXT `ver`); nodes of different versions work together. */
  version: string;
  /** The farm protocol spoken: PROTOCOL_VERSION, unless a compatibility test speaks another. */
  protocol?: number;
  /** Tasks of one job a worker may fail before it gets no more of them (`farm.blocklist`), when coordinator. */
  blockLimit?: () => number;
  /** Where the operator's pause or drain of this node is kept, so a restart does not undo it. */
  workerMode?: { read(): 'pause' | 'drain' | null; write(mode: 'pause' | 'drain' | null): void };
  /** Render hours and "yield while someone uses this computer" (farm/workstation). */
  workstation?: { settings(): WorkstationSettings; idle: IdleTime | null };
  /** Monitoring (src/main/ops, wired by src/main/app): what it hears of the queue, what it answers. */
  monitor?: FarmMonitor;
}

/** What the farm tells monitoring, and asks of it, while this node coordinates. */
export interface FarmMonitor {
  /** Every stored change of a task in this coordinator's queue. */
  taskChanged(before: Task | undefined, after: Task): void;
  /** The alerts in force. */
  alerts(): Alert[];
  /** What this coordinator recorded since `since` (ms since the epoch). */
  history(since: number): FarmHistory;
}
