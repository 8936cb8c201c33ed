/**
 * What every node of a farm is, whichever queue it uses (the LAN coordinator's, or Redis): a worker
 * that encodes what it is given, the encoder its own jobs' encode steps call, its HTTP server, its
 * origin's routes, the operator's pause or drain, and the workstation guard. FarmNode and
 * RedisFarmNode assemble these with their own queue, discovery and status.
 */
import { join } from 'node:path';
import { trialEncoders } from '../../ffmpeg/index.ts';
import type { FarmApp } from '../../http/index.ts';
import { createLogger } from '../../log/logger.ts';
import type { FarmEncodeService } from '../../pipeline/services.ts';
import {
  createBlobCache,
  createFarmServer,
  type FarmClient,
  FarmHttpError,
  type FarmServer,
  type FarmTrust,
  type Peer,
} from '../net/index.ts';
import { startWorkstationGuard, type WorkstationGuard } from '../workstation/workstation-guard.ts';
import { BlobGuard, failTasksNeeding } from './blob-guard.ts';
import { FarmEncoder, type FarmEncoderDeps } from './farm-encode.ts';
import { isFarmEncoder } from './farm-encoders.ts';
import type { FarmNodeOptions } from './node-options.ts';
import type { Origin } from './origin.ts';
import { originRoutes } from './routes/origin-routes.ts';
import type { NodeControl, WorkerFlags, WorkerMode } from './routes/worker-routes.ts';
import { FarmWorker } from './worker.ts';

const log = createLogger('FarmNode');

/** The farm encoders this node's ffmpeg lists and that made frames in a trial encode (encoder-trial.ts). */
export async function proveEncoders(options: Pick<FarmNodeOptions, 'ffmpeg'>): Promise<string[]> {
  const { location, probe } = await options.ffmpeg();
  // Listed is not working: only encoders that made frames are offered.
  const trials = await trialEncoders(location.ffmpegPath, probe.encoders.filter(isFarmEncoder));
  const proven = trials.filter((t) => t.ok).map((t) => t.encoder);
  log.info('encoders proved', { encoders: proven, failed: trials.filter((t) => !t.ok) });
  return proven;
}

/** The node's worker: the same encode whether leases are pushed (LAN) or taken from BullMQ (Redis). */
export function nodeWorker(
  options: FarmNodeOptions,
  deps: {
    selfUrl: () => string;
    client: FarmClient;
    encoders: () => readonly string[];
    protocol: number;
    coordinator: () => Peer | null;
  },
): FarmWorker {
  return new FarmWorker({
    ...deps,
    nodeId: options.identity.id,
    dataDir: options.dataDir,
    blobCache: createBlobCache({ dir: join(options.dataDir, 'farm', 'cache'), maxBytes: 20 * 1024 ** 3 }),
    maxConcurrency: options.maxConcurrency,
    ffmpeg: () => options.ffmpeg(),
    version: options.version,
    keepFreeBytes: options.jobs.keepFreeBytes,
    ...(options.encoder ? { encoder: options.encoder } : {}),
  });
}

/** What the pipeline's encode step calls: the farm encodes this node's plans, maybe in segments. */
export function nodeEncoder(
  options: FarmNodeOptions,
  deps: Pick<FarmEncoderDeps, 'origin' | 'capacity' | 'encodes'>,
): FarmEncodeService {
  return new FarmEncoder({
    ...deps,
    nodeId: options.identity.id,
    ffmpeg: async () => (await options.ffmpeg()).location,
    blobPath: (sha256) => options.blobs.pathFor(sha256),
    policy: () => options.segmentPolicy(),
  });
}

/**
 * The node's HTTP server on its port; `anyPortIfTaken`: when the port is in use (another app, a second
 * copy), on any free one.
 */
export async function listenNode(
  options: FarmNodeOptions,
  server: {
    /** The node's trust, shared with its client: admissions verified once serve both. */
    trust: FarmTrust;
    routes: (app: FarmApp) => Promise<void>;
    tls?: { cert: string; key: string } | undefined;
    anyPortIfTaken?: boolean | undefined;
  },
): Promise<{ server: FarmServer; url: string }> {
  const listen = async (port: number) => {
    const farmServer = await createFarmServer({
      identity: options.identity,
      trust: server.trust,
      host: options.host,
      port,
      ...(server.tls ? { tls: server.tls } : {}),
      ...options.http,
      routes: server.routes,
    });
    try {
      return { server: farmServer, url: (await farmServer.start()).url };
    } catch (error) {
      await farmServer.close();
      throw error;
    }
  };
  return listen(options.port).catch((error: NodeJS.ErrnoException) => {
    if (!server.anyPortIfTaken || error.code !== 'EADDRINUSE') throw error;
    return listen(0);
  });
}

/** The routes of this node's origin: its jobs' submissions, plans, blobs and uploaded videos. */
export function nodeOriginRoutes(
  app: FarmApp,
  options: FarmNodeOptions,
  origin: Origin,
  followedCoordinator: () => string | null,
): void {
  originRoutes(app, {
    origin,
    blobs: new BlobGuard({
      pathFor: (sha256) => options.blobs.pathFor(sha256),
      repair: (sha256) => options.blobs.repair(sha256),
      lost: (sha256, reason) => failTasksNeeding(origin, sha256, reason),
    }),
    ...options.jobs,
    followedCoordinator,
  });
}

/**
 * An operator's pause, resume or drain of this node's worker: kept in its settings, so a restart keeps
 * it; `changed` tells the rest of the node (its advert, or its BullMQ workers).
 */
export class WorkerModes {
  private readonly worker: FarmWorker;
  private readonly store: FarmNodeOptions['workerMode'];
  private readonly changed: () => void;

  constructor(worker: FarmWorker, store: FarmNodeOptions['workerMode'], changed: () => void) {
    this.worker = worker;
    this.store = store;
    this.changed = changed;
  }

  set(mode: WorkerMode): WorkerFlags {
    this.apply(mode === 'resume' ? null : mode);
    this.store?.write(mode === 'resume' ? null : mode);
    log.info('worker mode changed', { mode });
    this.changed();
    return { paused: this.worker.paused, draining: this.worker.draining };
  }

  /** The mode kept from before a restart. */
  restore(): void {
    const mode = this.store?.read() ?? null;
    if (mode === null) return;
    this.apply(mode);
    log.info('worker mode kept from before the restart', { mode });
  }

  private apply(mode: 'pause' | 'drain' | null): void {
    this.worker.paused = mode === 'pause';
    this.worker.draining = mode === 'drain';
  }
}

/** This node's worker slots: how many it has, how many encode now, how many take work. */
export function workerSlots(
  options: FarmNodeOptions,
  worker: FarmWorker,
): { total: number; busy: number; free: number } {
  return { total: options.maxConcurrency, busy: worker.runningCount(), free: worker.freeSlots };
}

/** Render hours and "yield while someone uses this computer", when the node has them (null: it has not). */
export async function startNodeWorkstation(
  options: FarmNodeOptions,
  worker: FarmWorker,
  yieldChanged: () => void = () => undefined,
): Promise<WorkstationGuard | null> {
  if (!options.workstation) return null;
  const guard = startWorkstationGuard({
    settings: options.workstation.settings,
    idle: options.workstation.idle,
    target: {
      setYield: (reason) => {
        worker.yieldingToUser = reason;
        yieldChanged();
      },
      suspendEncodes: (suspend) => worker.suspendEncodes(suspend),
    },
  });
  await guard.check();
  return guard;
}

/** An operator's pause, resume or drain of another node: a request signed by this node for that one. */
export async function controlPeer(
  client: FarmClient,
  peer: Peer | undefined,
  nodeId: string,
  action: WorkerMode,
  missing: string,
): Promise<NodeControl> {
  if (!peer) throw new FarmHttpError('rejected', missing, { status: 404, code: 'not-found' });
  const state = await client.json<WorkerFlags>(peer, 'POST', `/farm/v1/worker/${action}`);
  return { node: nodeId, paused: Boolean(state.paused), draining: Boolean(state.draining) };
}
