/**
 * One Mac of the farm: its HTTP server (routes grouped by role), discovery and election, the
 * coordinator's queue while elected, a worker that encodes what it is leased, and the origin of the
 * jobs imported here. It only assembles those parts: what it needs from the rest of the app (the blob
 * store, ffmpeg, the jobs of this node) comes in as narrow functions from the composition root
 * (src/main/app). The same object runs headless (`vfo node`) and inside the desktop app.
 */
import { availableParallelism } from 'node:os';
import type { FarmHistory, FarmStatus, RunningEncode } from '../../../shared/contract.ts';
import type { FarmApp } from '../../http/index.ts';
import { createLogger } from '../../log/logger.ts';
import type { FarmEncodeService } from '../../pipeline/services.ts';
import { type ClusterMember, speaksOtherProtocol, startClusterMember } from '../cluster/cluster-member.ts';
import { parseHelloInfo } from '../cluster/hello-schema.ts';
import { UntrustedPeerError } from '../cluster/liveness.ts';
import { PROTOCOL_VERSION } from '../cluster/types.ts';
import {
  createFarmClient,
  type FarmClient,
  FarmHttpError,
  type FarmServer,
  FarmTrust,
  farmIdOf,
  type Peer,
} from '../net/index.ts';
import type { QueueStats } from '../queue/index.ts';
import type { WorkstationGuard } from '../workstation/workstation-guard.ts';
import { Coordinator } from './coordinator.ts';
import { HistoryReplySchema, QueueReplySchema } from './coordinator-replies.ts';
import {
  type FarmActivity,
  FarmActivitySchema,
  farmStatus,
  type NodeMode,
  type StatusInputs,
} from './farm-status.ts';
import type { FarmNodeOptions } from './node-options.ts';
import {
  controlPeer,
  listenNode,
  nodeEncoder,
  nodeOriginRoutes,
  nodeWorker,
  proveEncoders,
  startNodeWorkstation,
  WorkerModes,
  workerSlots,
} from './node-parts.ts';
import { Origin } from './origin.ts';
import { clusterRoutes } from './routes/cluster-routes.ts';
import { coordinatorRoutes } from './routes/coordinator-routes.ts';
import { type NodeControl, type WorkerMode, workerRoutes } from './routes/worker-routes.ts';
import type { FarmWorker } from './worker.ts';

/** The coordinator's work as monitoring reads it. */
export interface CoordinatorView {
  stats: QueueStats;
  encodes: RunningEncode[];
}

const log = createLogger('FarmNode');
const HEARTBEAT_MS = 1000;
/** A peer heard from within this long counts as online. */
const ONLINE_MS = 3000;
/** The coordinator's activity, asked once, answers every caller for this long. */
const ACTIVITY_SHARED_MS = 500;

/**
 * A hello that proves nothing (unsigned answer, or our signature refused) marks the peer untrusted; one
 * stamped before the peer (re)started only failed (our clock is a little behind its: the next one passes).
 */
function untrusted(error: unknown): never {
  if (error instanceof FarmHttpError && error.reason === 'before-start') throw error;
  if (error instanceof FarmHttpError && (error.kind === 'unauthenticated' || error.kind === 'unauthorized')) {
    throw new UntrustedPeerError(
      error.kind === 'unauthenticated'
        ? 'its hello answer is not signed by a member of this farm'
        : `it refused our signed hello (${error.reason ?? 'unauthorized'})`,
    );
  }
  throw error;
}

export class FarmNode {
  readonly nodeId: string;
  readonly name: string;
  readonly origin: Origin;
  readonly worker: FarmWorker;
  /** The pipeline's encode step sends its plans here (the farm encodes them, maybe in segments). */
  readonly encoder: FarmEncodeService;
  member!: ClusterMember;
  coordinator: Coordinator | null = null;
  private readonly options: FarmNodeOptions;
  private readonly trust: FarmTrust;
  private readonly client: FarmClient;
  private readonly quickClient: FarmClient;
  private server: FarmServer | null = null;
  private url = '';
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private lastActivity: {
    at: number;
    answer: Promise<FarmActivity | undefined>;
  } | null = null;
  private workstation: WorkstationGuard | null = null;
  /** The encoders that passed their trial encode at start (none before). */
  private proven: string[] = [];
  private readonly protocol: number;
  private readonly modes: WorkerModes;

  constructor(options: FarmNodeOptions) {
    this.options = options;
    const { identity } = options;
    this.nodeId = identity.id;
    this.name = options.name;
    this.protocol = options.protocol ?? PROTOCOL_VERSION;
    this.trust = new FarmTrust(options.key);
    this.client = createFarmClient({ identity, trust: this.trust, timeoutMs: 30_000 });
    // Hellos and heartbeats must fail fast: a peer is declared down after 3 s of silence.
    this.quickClient = createFarmClient({ identity, trust: this.trust, timeoutMs: 900 });
    this.origin = new Origin({
      sqlite: options.sqlite,
      dataDir: options.dataDir,
      nodeId: this.nodeId,
      selfUrl: () => this.url,
      client: this.client,
      coordinator: () => this.coordinatorPeer(),
      ffmpeg: async () => (await options.ffmpeg()).location,
      blobPath: (sha256) => options.blobs.pathFor(sha256),
    });
    this.worker = nodeWorker(options, {
      selfUrl: () => this.url,
      client: this.client,
      encoders: () => this.proven,
      protocol: this.protocol,
      coordinator: () => this.coordinatorPeer(),
    });
    this.modes = new WorkerModes(this.worker, options.workerMode, () => this.member?.refreshAdvert());
    this.encoder = nodeEncoder(options, {
      origin: this.origin,
      capacity: () => this.encodeCapacity(),
      encodes: async () => (await this.activity())?.encodes,
    });
  }

  get selfUrl(): string {
    return this.url;
  }

  /** `anyPortIfTaken`: when the port is in use (another app, a second copy), listen on any free one. */
  async start(options: { anyPortIfTaken?: boolean } = {}): Promise<void> {
    await this.worker.removeLeftovers();
    const { server, url } = await listenNode(this.options, {
      trust: this.trust,
      routes: (app) => this.routes(app),
      anyPortIfTaken: options.anyPortIfTaken,
    });
    this.server = server;
    this.url = url;
    this.proven = await proveEncoders(this.options);
    this.modes.restore();
    this.member = startClusterMember({
      id: this.nodeId,
      name: this.name,
      farm: farmIdOf(this.options.key),
      role: this.options.role,
      port: Number(new URL(url).port),
      url,
      encoders: this.proven,
      cores: availableParallelism(),
      freeSlots: () => this.worker.freeSlots,
      running: () => this.worker.runningCount(),
      version: this.options.version,
      protocol: this.protocol,
      mode: () => this.mode(),
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
        else if (event.type === 'stepped-down') this.coordinator?.stop();
        if (event.type === 'became-coordinator' || event.type === 'follow')
          log.info('coordinator', { event });
      },
    });
    this.heartbeatTimer = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.workstation = await startNodeWorkstation(this.options, this.worker);
    log.info('node started', {
      node: this.nodeId,
      url,
      version: this.options.version,
      protocol: this.protocol,
    });
  }

  async stop(): Promise<void> {
    this.workstation?.stop();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.coordinator?.stop();
    this.worker.stopAll();
    await this.member?.stop();
    await this.server?.close();
    this.client.close();
    this.quickClient.close();
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
      alerts: () => this.options.monitor?.alerts() ?? [],
      history: (since) => this.localHistory(since),
      protocol: this.protocol,
    });
    workerRoutes(app, {
      accept: (offer) => this.worker.accept(offer),
      followedCoordinator,
      setMode: (mode) => this.setWorkerMode(mode),
    });
    nodeOriginRoutes(app, this.options, this.origin, followedCoordinator);
    await this.options.extraRoutes?.(app);
  }

  /** What each live node can encode right now (from its last hello; this node's own from its worker). */
  encodeCapacity() {
    const now = Date.now();
    const peers = this.member
      .peers()
      .filter(
        (p) =>
          p.hello &&
          p.lastSeenAt !== null &&
          now - p.lastSeenAt < ONLINE_MS &&
          !speaksOtherProtocol(p, this.protocol),
      )
      .map((p) => ({
        encoders: p.hello?.capabilities.encoders ?? [],
        freeSlots: p.hello?.capabilities.slots ?? 0,
      }));
    return [
      { encoders: this.member.helloInfo().capabilities.encoders, freeSlots: this.worker.freeSlots },
      ...peers,
    ];
  }

  /** The coordinator this node follows now, and where to reach it. */
  coordinatorPeer(): Peer | null {
    const coordinator = this.member?.election().coordinator;
    if (!coordinator) return null;
    if (coordinator.id === this.nodeId) return { id: coordinator.id, url: this.url };
    const url = this.member.peers().find((p) => p.id === coordinator.id)?.url;
    return url ? { id: coordinator.id, url } : null;
  }

  private becomeCoordinator(term: number): void {
    const monitor = this.options.monitor;
    this.coordinator ??= new Coordinator({
      sqlite: this.options.sqlite,
      client: this.client,
      self: () => ({ id: this.nodeId, url: this.url }),
      ...(monitor ? { observeTasks: (before, after) => monitor.taskChanged(before, after) } : {}),
      ...(this.options.blockLimit ? { jobFailureLimit: this.options.blockLimit } : {}),
    });
    this.coordinator.start();
    log.info('this node is now the coordinator', { node: this.nodeId, term });
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

  /** An operator's pause, resume or drain of this node: kept in its settings, so a restart keeps it. */
  setWorkerMode(mode: WorkerMode) {
    return this.modes.set(mode);
  }

  /** The queue and its running encodes while this node is the coordinator, else null. */
  coordinatorView(): CoordinatorView | null {
    if (!this.coordinator?.active) return null;
    return { stats: this.coordinator.queue.stats(), encodes: this.coordinator.queue.encodes() };
  }

  /** The farm's queue as monitoring counts it: the coordinator's, on the coordinator only. */
  async queueStats(): Promise<CoordinatorView['stats'] | null> {
    return this.coordinatorView()?.stats ?? null;
  }

  /** This node's worker slots: how many it has, how many encode now, how many take work. */
  workerSlots(): { total: number; busy: number; free: number } {
    return workerSlots(this.options, this.worker);
  }

  private localHistory(since: number): FarmHistory {
    const history = this.options.monitor?.history(since);
    return history ?? { coordinatorId: this.nodeId, from: since, to: Date.now(), samples: [], runs: [] };
  }

  /** The farm's recent history, from the coordinator, which keeps it (the dashboard). */
  async history(since: number): Promise<FarmHistory> {
    if (this.coordinator?.active) return this.localHistory(since);
    const coordinator = this.coordinatorPeer();
    if (!coordinator) return { coordinatorId: '', from: since, to: Date.now(), samples: [], runs: [] };
    return this.client.json(
      coordinator,
      'GET',
      `/farm/v1/history?since=${Math.floor(since)}`,
      undefined,
      HistoryReplySchema,
    );
  }

  /**
   * The alerts and running encodes of the coordinator, from it (or from this node when it is). Every
   * encode step waiting on the farm follows its tasks through this once a second: one answer, shared
   * for half a second, serves them all.
   */
  activity(): Promise<FarmActivity | undefined> {
    const view = this.coordinatorView();
    if (view) return Promise.resolve({ alerts: this.options.monitor?.alerts() ?? [], encodes: view.encodes });
    const now = Date.now();
    if (this.lastActivity && now - this.lastActivity.at < ACTIVITY_SHARED_MS) return this.lastActivity.answer;
    const coordinator = this.coordinatorPeer();
    if (!coordinator) return Promise.resolve(undefined);
    const answer = this.quickClient
      .json(coordinator, 'GET', '/farm/v1/activity', undefined, FarmActivitySchema)
      .catch(() => undefined);
    this.lastActivity = { at: now, answer };
    return answer;
  }

  /** Whether this node takes work now, and why not. */
  mode(): NodeMode {
    if (this.worker.paused) return { state: 'paused', reason: 'paused by an operator' };
    if (this.worker.draining)
      return { state: 'draining', reason: 'draining: finishes its encodes, takes no new ones' };
    if (this.worker.yielding !== null) return { state: 'yielding', reason: this.worker.yielding };
    return { state: 'online', reason: null };
  }

  /**
   * An operator's control of any node (the GUI's Farm view): this node itself, or another one by a
   * request signed by this node for that node only. The target decides for itself (its own worker's
   * mode, kept in its own settings), so the decision outlives a change of coordinator.
   */
  async controlNode(nodeId: string, action: WorkerMode): Promise<NodeControl> {
    if (nodeId === this.nodeId) return { node: nodeId, ...this.setWorkerMode(action) };
    const peer = this.member.peers().find((p) => p.id === nodeId);
    const target = peer ? { id: peer.id, url: peer.url } : undefined;
    return controlPeer(this.client, target, nodeId, action, `no node ${nodeId} is known to this node`);
  }

  /** An operator's requeue or cancel of a task, asked of the coordinator (signed by this node). */
  async taskAction(taskId: string, action: 'requeue' | 'cancel'): Promise<string> {
    const coordinator = this.requireCoordinator();
    const reply = await this.client.json<{ result: string }>(
      coordinator,
      'POST',
      `/farm/v1/tasks/${taskId}/${action}`,
    );
    return String(reply.result);
  }

  /** An operator clears a job's blocked worker (or all of them) at the coordinator. */
  async clearBlock(originNodeId: string, jobId: string, workerId?: string): Promise<number> {
    const coordinator = this.requireCoordinator();
    const reply = await this.client.json<{ cleared: number }>(coordinator, 'POST', '/farm/v1/blocks/clear', {
      originNodeId,
      jobId,
      ...(workerId ? { workerId } : {}),
    });
    return Number(reply.cleared);
  }

  private requireCoordinator(): Peer {
    const coordinator = this.coordinatorPeer();
    if (!coordinator)
      throw new FarmHttpError('unreachable', 'no coordinator is known yet: the nodes are electing one');
    return coordinator;
  }

  /** The farm as this node sees it (`vfo status`, the GUI's Farm view). */
  async status(): Promise<FarmStatus> {
    const coordinator = this.coordinatorPeer();
    let queue: StatusInputs['queue'] = this.coordinator?.active
      ? { ...this.coordinator.queue.stats(), ...this.coordinator.queue.view() }
      : undefined;
    const activity = this.activity();
    if (!queue && coordinator) {
      queue = await this.client
        .json(coordinator, 'GET', '/farm/v1/queue', undefined, QueueReplySchema)
        .catch(() => undefined);
    }
    return farmStatus({
      self: {
        id: this.nodeId,
        name: this.name,
        url: this.url,
        version: this.options.version,
        protocol: this.protocol,
        mode: this.mode(),
        running: this.worker.runningCount(),
        hello: this.member.helloInfo(),
      },
      election: this.member.election(),
      peers: this.member.peers(),
      ignored: this.member.ignored(),
      coordinatorUrl: coordinator?.url ?? null,
      queue,
      activity: await activity,
      onlineMs: ONLINE_MS,
    });
  }
}
