import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { checkUpload } from '../../api/script-check.ts';
import type { CliContext } from '../../cli/context.ts';
import { summarizeJob } from '../../cli/summaries.ts';
import type { Engine } from '../../engine/engine.ts';
import { createLogger } from '../../log/logger.ts';
import { type ClusterMember, startClusterMember } from '../cluster/cluster-member.ts';
import { parseHelloInfo } from '../cluster/hello-schema.ts';
import { UntrustedPeerError } from '../cluster/liveness.ts';
import {
  createBlobCache,
  createFarmClient,
  createFarmServer,
  type FarmApp,
  type FarmClient,
  FarmHttpError,
  type FarmKey,
  type FarmServer,
  FarmTrust,
  farmIdOf,
  type NodeIdentity,
  type Peer,
} from '../net/index.ts';
import type { EncodeCapacity } from '../segments/segment-encoder.ts';
import { readSegmentPolicy } from '../segments/segment-policy.ts';
import { BlobGuard, failTasksNeeding } from './blob-guard.ts';
import { Coordinator } from './coordinator.ts';
import { FarmEncoder } from './farm-encode.ts';
import { Origin } from './origin.ts';
import { clusterRoutes } from './routes/cluster-routes.ts';
import { coordinatorRoutes } from './routes/coordinator-routes.ts';
import { originRoutes } from './routes/origin-routes.ts';
import { workerRoutes } from './routes/worker-routes.ts';
import type { JobSubmission } from './schemas.ts';
import { FarmWorker } from './worker.ts';

export interface FarmNodeOptions {
  ctx: CliContext;
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
  /** Overrides the `farm.segments` setting's minimum segment length for this run. */
  minSegmentSeconds?: number;
  /** Video preset for scripts submitted over the network (e.g. a quick preview preset in tests). */
  videoPreset?: string;
  /** Limits of the HTTP server against slow or greedy clients (defaults in server.ts). */
  http?: { headersTimeoutMs?: number; maxConnectionsPerClient?: number };
  /** Extra routes on the same server (the UI's API). */
  extraRoutes?: (node: FarmNode, app: FarmApp) => void | Promise<void>;
}

const log = createLogger('FarmNode');

/** A hello that proves nothing (unsigned answer, or our signature refused) marks the peer untrusted. */
function untrusted(error: unknown): never {
  if (error instanceof FarmHttpError && (error.kind === 'unauthenticated' || error.kind === 'unauthorized')) {
    throw new UntrustedPeerError(
      error.kind === 'unauthenticated'
        ? 'its hello answer is not signed by a member of this farm'
        : `it refused our signed hello (${error.reason ?? 'unauthorized'})`,
    );
  }
  throw error;
}
const HEARTBEAT_MS = 1000;
/** A peer heard from within this long counts as online. */
const ONLINE_MS = 3000;

/**
 * One Mac of the farm: HTTP server, discovery and election, the coordinator's queue when elected, a
 * worker that encodes what it is leased, and the origin of the jobs imported here. The same object runs
 * headless (`vfo node`) and inside the desktop app.
 */
export class FarmNode {
  readonly nodeId: string;
  readonly name: string;
  readonly engine: Engine;
  readonly origin: Origin;
  readonly worker: FarmWorker;
  member!: ClusterMember;
  coordinator: Coordinator | null = null;
  private readonly options: FarmNodeOptions;
  private readonly client: FarmClient;
  private readonly quickClient: FarmClient;
  private server: FarmServer | null = null;
  private trust: FarmTrust;
  private url = '';
  private heartbeatTimer: NodeJS.Timeout | null = null;

  constructor(options: FarmNodeOptions) {
    this.options = options;
    const { identity } = options;
    this.nodeId = identity.id;
    this.name = options.name;
    this.engine = options.ctx.engine;
    const nodeId = identity.id;
    const trust = new FarmTrust(options.key);
    this.client = createFarmClient({ identity, trust, timeoutMs: 30_000 });
    // Hellos and heartbeats must fail fast: a peer is declared down after 3 s of silence.
    this.quickClient = createFarmClient({ identity, trust, timeoutMs: 900 });
    const dataDir = options.ctx.dataDir;
    const services = options.ctx.services;
    this.origin = new Origin({
      sqlite: options.ctx.database.sqlite,
      dataDir,
      nodeId,
      selfUrl: () => this.url,
      client: this.client,
      coordinator: () => this.coordinatorPeer(),
      ffmpeg: async () => (await services.ffmpeg()).location,
      blobPath: (sha) => this.engine.blobs.pathFor(sha),
    });
    this.worker = new FarmWorker({
      nodeId,
      selfUrl: () => this.url,
      dataDir,
      client: this.client,
      blobCache: createBlobCache({ dir: join(dataDir, 'farm', 'cache'), maxBytes: 20 * 1024 ** 3 }),
      maxConcurrency: options.maxConcurrency,
      ffmpeg: () => services.ffmpeg(),
      ...(services.encodeRunnerPath ? { encodeRunnerPath: services.encodeRunnerPath } : {}),
      ...(services.startEncodeRunner ? { startEncodeRunner: services.startEncodeRunner } : {}),
      ...(services.encoderThreads ? { threads: services.encoderThreads } : {}),
      coordinator: () => this.coordinatorPeer(),
    });
    const encoder = new FarmEncoder({
      nodeId,
      origin: this.origin,
      ffmpeg: async () => (await services.ffmpeg()).location,
      blobPath: (sha) => this.engine.blobs.pathFor(sha),
      capacity: () => this.encodeCapacity(),
      policy: () =>
        options.minSegmentSeconds !== undefined
          ? { minSegmentMs: options.minSegmentSeconds * 1000 }
          : readSegmentPolicy(options.ctx.database.db),
    });
    // The pipeline's encode step now sends its plan to the farm instead of encoding in-process.
    services.farm = { encode: (input) => encoder.encode(input) };
    this.trust = trust;
  }

  /** Every route of the node, each group given only what it needs. */
  private async routes(app: FarmApp): Promise<void> {
    const followedCoordinator = () => this.member.election().coordinator?.id ?? null;
    clusterRoutes(app, {
      helloInfo: () => this.member.helloInfo(),
      receiveClaim: (claim) => this.member.receiveClaim(claim),
      status: () => this.status(),
    });
    coordinatorRoutes(app, {
      queue: () => (this.coordinator?.active ? this.coordinator.queue : null),
      notifyIfFailed: async (taskId) => this.coordinator?.notifyIfFailed(taskId),
    });
    workerRoutes(app, {
      accept: (offer) => this.worker.accept(offer),
      followedCoordinator,
      setMode: (mode) => this.setWorkerMode(mode),
    });
    originRoutes(app, {
      origin: this.origin,
      blobs: new BlobGuard({
        pathFor: (sha256) => this.engine.blobs.pathFor(sha256),
        repair: (sha256) => this.engine.repairBlob(sha256),
        lost: (sha256, reason) => failTasksNeeding(this.origin, sha256, reason),
      }),
      importScript: (submission) => this.importScript(submission),
      jobView: (jobId) => this.jobView(jobId),
      followedCoordinator,
    });
    await this.options.extraRoutes?.(this, app);
  }

  /** The video preset for scripts imported over the network (`--video-preset`), if any. */
  get defaultVideoPreset(): string | undefined {
    return this.options.videoPreset;
  }

  get selfUrl(): string {
    return this.url;
  }

  async start(): Promise<void> {
    this.server = await createFarmServer({
      identity: this.options.identity,
      trust: this.trust,
      host: this.options.host,
      port: this.options.port,
      ...this.options.http,
      routes: (app) => this.routes(app),
    });
    const { url } = await this.server.start();
    this.url = url;
    const { probe } = await this.options.ctx.services.ffmpeg();
    const port = Number(new URL(url).port);
    this.member = startClusterMember({
      id: this.nodeId,
      name: this.name,
      farm: farmIdOf(this.options.key),
      role: this.options.role,
      port,
      url,
      encoders: probe.encoders.filter((e) => /^(h264|hevc)_videotoolbox$|^libx26[45]$/.test(e)),
      cores: availableParallelism(),
      freeSlots: () => this.worker.freeSlots,
      running: () => this.worker.runningCount(),
      ...(this.options.interface ? { interface: this.options.interface, bind: '0.0.0.0' } : {}),
      host: `vfo-${this.nodeId}.local`,
      // Answers are believed only when the peer signed them (an unadmitted host is ignored).
      hello: async (peer) =>
        parseHelloInfo(await this.quickClient.json(peer, 'GET', '/farm/v1/hello').catch(untrusted)),
      announce: async (peer, claim) => {
        await this.quickClient.json(peer, 'POST', '/farm/v1/coordinator', claim);
      },
      onEvent: (event) => {
        if (event.type === 'became-coordinator') this.becomeCoordinator(event.term);
        else if (event.type === 'stepped-down') this.stepDown();
        if (event.type === 'became-coordinator' || event.type === 'follow')
          log.info('coordinator', { event });
      },
    });
    this.heartbeatTimer = setInterval(() => void this.beat(), HEARTBEAT_MS);
    log.info('node started', { node: this.nodeId, url });
    this.resumeLocalJobs();
  }

  async stop(): Promise<void> {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.coordinator?.stop();
    this.worker.stopAll();
    await this.member?.stop();
    await this.server?.close();
    this.client.close();
    this.quickClient.close();
  }

  /** What each live node can encode right now (from its last hello; this node's own from its worker). */
  encodeCapacity(): EncodeCapacity[] {
    const now = Date.now();
    const self = {
      encoders: this.member.helloInfo().capabilities.encoders,
      freeSlots: this.worker.freeSlots,
    };
    const peers = this.member
      .peers()
      .filter((p) => p.hello && p.lastSeenAt !== null && now - p.lastSeenAt < ONLINE_MS)
      .map((p) => ({
        encoders: p.hello?.capabilities.encoders ?? [],
        freeSlots: p.hello?.capabilities.slots ?? 0,
      }));
    return [self, ...peers];
  }

  /** The coordinator this node follows now, and where to reach it. */
  coordinatorPeer(): Peer | null {
    const state = this.member?.election();
    if (!state?.coordinator) return null;
    const { id } = state.coordinator;
    if (id === this.nodeId) return { id, url: this.url };
    const url = this.member.peers().find((p) => p.id === id)?.url;
    return url ? { id, url } : null;
  }

  private becomeCoordinator(term: number): void {
    this.coordinator ??= new Coordinator({
      sqlite: this.options.ctx.database.sqlite,
      client: this.client,
      self: () => ({ id: this.nodeId, url: this.url }),
    });
    this.coordinator.start();
    log.info('this node is now the coordinator', { node: this.nodeId, term });
  }

  private stepDown(): void {
    this.coordinator?.stop();
  }

  /** Heartbeat to the coordinator; a new coordinator hears this node's tasks and leases again. */
  private async beat(): Promise<void> {
    await this.worker
      .heartbeat(() => this.announce())
      .catch((error: unknown) => log.debug('heartbeat failed', { error: String(error) }));
  }

  async announce(): Promise<void> {
    const coordinator = this.coordinatorPeer();
    if (!coordinator) return;
    await this.client.json(coordinator, 'POST', '/farm/v1/announce', {
      nodeId: this.nodeId,
      tasks: this.origin.unfinished(),
      leases: this.worker
        .leases()
        .map((l) => ({ leaseId: l.leaseId, taskId: l.taskId, workerId: this.nodeId })),
    });
  }

  /** Jobs that were queued (or interrupted) here run again after a restart: they belong to this node. */
  private resumeLocalJobs(): void {
    for (const job of this.engine.store.listJobs(500)) {
      if (job.status === 'queued') this.runInBackground(job.id);
    }
  }

  runInBackground(jobId: string): void {
    void this.engine
      .run(jobId)
      .catch((error: unknown) => log.error('job failed to run', { job: jobId, error: String(error) }));
  }

  /** A script sent over the network: stored under the data folder, checked, and queued here. */
  async importScript(
    submission: JobSubmission,
  ): Promise<{ ok: true; jobId: string } | { ok: false; message: string }> {
    const { prepared } = await checkUpload(this.options.ctx, submission, {
      recipe: submission.recipe,
      videoPreset: submission.videoPreset ?? this.options.videoPreset,
    });
    if (!prepared.ok) {
      return {
        ok: false,
        message: prepared.diagnostics
          .map((d) => `${submission.name}:${d.line}:${d.col}: ${d.message}`)
          .join('\n'),
      };
    }
    const { job } = this.engine.createJob(prepared.request);
    this.runInBackground(job.id);
    return { ok: true, jobId: job.id };
  }

  jobView(jobId: string) {
    const job = this.engine.store.getJob(jobId);
    return job ? summarizeJob(this.engine.store, job) : undefined;
  }

  setWorkerMode(action: 'pause' | 'resume' | 'drain') {
    this.worker.paused = action === 'pause';
    this.worker.draining = action === 'drain';
    return { paused: this.worker.paused, draining: this.worker.draining };
  }

  private readonly statusListeners = new Set<
    (event: { type: 'farm'; status: Awaited<ReturnType<FarmNode['status']>> }) => void
  >();
  private statusTimer: NodeJS.Timeout | null = null;
  private lastStatus = '';

  /**
   * Farm status pushed to the UI when it changes. Membership changes come from hellos every second,
   * so the node compares its own view once a second — only while someone listens.
   */
  subscribeStatus(
    listener: (event: { type: 'farm'; status: Awaited<ReturnType<FarmNode['status']>> }) => void,
  ): () => void {
    this.statusListeners.add(listener);
    this.statusTimer ??= setInterval(() => void this.pushStatus(), 1000);
    return () => {
      this.statusListeners.delete(listener);
      if (this.statusListeners.size === 0 && this.statusTimer) {
        clearInterval(this.statusTimer);
        this.statusTimer = null;
        this.lastStatus = '';
      }
    };
  }

  private async pushStatus(): Promise<void> {
    const status = await this.status().catch(() => null);
    if (!status) return;
    const text = JSON.stringify(status);
    if (text === this.lastStatus) return;
    this.lastStatus = text;
    for (const listener of this.statusListeners) listener({ type: 'farm', status });
  }

  /** The farm as this node sees it (`vfo status`, the GUI's Farm view). */
  async status() {
    const state = this.member.election();
    const now = Date.now();
    const peers = this.member.peers();
    const nodes = [
      {
        id: this.nodeId,
        name: this.name,
        role: state.advertisedRole,
        status: this.worker.paused ? 'paused' : this.worker.draining ? 'draining' : 'online',
        url: this.url,
        capabilities: this.member.helloInfo().capabilities,
        running: this.worker.runningCount(),
      },
      ...peers.map((p) => ({
        id: p.id,
        name: p.name,
        role: p.hello?.role ?? p.advert?.role ?? 'candidate',
        status: p.lastSeenAt !== null && now - p.lastSeenAt < ONLINE_MS ? 'online' : 'offline',
        url: p.url,
        capabilities: p.hello?.capabilities ?? {
          encoders: p.advert?.encoders ?? [],
          cores: p.advert?.cores ?? 0,
          slots: 0,
        },
        running: p.hello?.running ?? 0,
      })),
    ];
    const coordinator = this.coordinatorPeer();
    let queue = { queued: 0, running: 0, done: 0, failed: 0 };
    if (this.coordinator?.active) queue = this.coordinator.queue.stats();
    else if (coordinator) {
      queue = (await this.client
        .json(coordinator, 'GET', '/farm/v1/queue')
        .catch(() => queue)) as typeof queue;
    }
    const { queued, running, done, failed } = queue;
    return {
      self: this.nodeId,
      coordinator:
        state.coordinator && coordinator
          ? { id: state.coordinator.id, url: coordinator.url, term: state.coordinator.term }
          : null,
      nodes,
      ignored: this.member
        .ignored()
        .map((i) => ({ name: i.instance, reason: i.detail ? `${i.reason}: ${i.detail}` : i.reason })),
      queue: { queued, running, done, failed },
    };
  }
}
