/**
 * One node of a farm whose queue is in Redis (`vfo node --redis URL`): no mDNS, no election, no
 * coordinator. It joins with the Redis URL, the farm key and the URL other nodes reach it at
 * (`--advertise-url`). It has the LAN node's HTTP server (served over HTTPS with `--tls-cert`), its
 * origin (jobs imported here; their tasks signed into Redis; videos uploaded back here) and its worker
 * (the same encode, fed by BullMQ instead of pushed leases). Job state stays in this node's SQLite;
 * Redis holds only the queue. The composition root (src/main/app) picks this node or the LAN's.
 */
import { availableParallelism } from 'node:os';
import type { FarmHistory, FarmStatus } from '../../../shared/contract.ts';
import { errorBody, type FarmApp, Refusal } from '../../http/index.ts';
import { createLogger } from '../../log/logger.ts';
import type { FarmEncodeService } from '../../pipeline/services.ts';
import { PROTOCOL_VERSION } from '../cluster/types.ts';
import {
  certificateFingerprint,
  createFarmClient,
  type FarmClient,
  FarmHttpError,
  type FarmServer,
  FarmTrust,
  farmIdOf,
  TlsTrust,
} from '../net/index.ts';
import type { FarmNodeOptions } from '../node/node-options.ts';
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
} from '../node/node-parts.ts';
import { Origin } from '../node/origin.ts';
import { SIGNED } from '../node/routes/replies.ts';
import { type NodeControl, type WorkerMode, workerRoutes } from '../node/routes/worker-routes.ts';
import type { FarmWorker } from '../node/worker.ts';
import type { WorkstationGuard } from '../workstation/workstation-guard.ts';
import { type FarmKeys, farmKeys } from './farm-keys.ts';
import { Presence, type PresenceRecord, routeTask } from './presence.ts';
import { RedisLink, type RedisTarget } from './redis-link.ts';
import { type QueueCounts, RedisOriginQueue } from './redis-origin-queue.ts';
import { redisRoutes } from './redis-routes.ts';
import { redisFarmStatus } from './redis-status.ts';
import { RedisWorker } from './redis-worker.ts';
import { REDIS_TUNING } from './tuning.ts';

const log = createLogger('RedisNode');

/** How long a start waits to hear whether Redis takes its password; Redis away does not stop a start. */
const START_SETTLE_MS = 2000;

export interface RedisFarmNodeOptions extends Omit<FarmNodeOptions, 'interface'> {
  redis: { target: RedisTarget; password?: string | undefined };
  /** Where other nodes reach this one (its jobs' workers fetch assets and upload videos there). */
  advertiseUrl?: string | undefined;
  /** Serve HTTPS with this certificate and key (PEM); workers pin the certificate. */
  tls?: { cert: string; key: string } | undefined;
  /** PEM CA certificates trusted for rediss:// and for https peers that send no pin. */
  tlsCa?: string | undefined;
}

export class RedisFarmNode {
  readonly nodeId: string;
  readonly name: string;
  readonly origin: Origin;
  readonly worker: FarmWorker;
  readonly encoder: FarmEncodeService;
  private readonly options: RedisFarmNodeOptions;
  private readonly keys: FarmKeys;
  private readonly link: RedisLink;
  private readonly client: FarmClient;
  private readonly presence: Presence;
  private readonly originQueue: RedisOriginQueue;
  private readonly redisWorker: RedisWorker;
  private server: FarmServer | null = null;
  private url = '';
  private timers: NodeJS.Timeout[] = [];
  private lastCounts: QueueCounts = { queued: 0, running: 0, done: 0, failed: 0 };
  /** The encoders that made frames in a trial encode at start (encoder-trial.ts): the queues it serves. */
  private proven: string[] = [];
  private readonly protocol: number;
  private workstation: WorkstationGuard | null = null;
  private readonly trust: FarmTrust;
  private readonly modes: WorkerModes;

  constructor(options: RedisFarmNodeOptions) {
    this.options = options;
    const { identity } = options;
    this.nodeId = identity.id;
    this.name = options.name;
    this.protocol = options.protocol ?? PROTOCOL_VERSION;
    const trust = new FarmTrust(options.key);
    this.trust = trust;
    const tls = new TlsTrust({ ca: options.tlsCa });
    this.client = createFarmClient({ identity, trust, tls, timeoutMs: 30_000 });
    const farmId = farmIdOf(options.key);
    this.keys = farmKeys(farmId);
    this.link = new RedisLink({
      target: options.redis.target,
      ca: options.tlsCa,
      password: options.redis.password,
    });
    this.presence = new Presence({ link: this.link, keys: this.keys, farmId, identity, trust });
    this.originQueue = new RedisOriginQueue({
      link: this.link,
      keys: this.keys,
      farmId,
      identity,
      trust,
      originTls: options.tls ? certificateFingerprint(options.tls.cert) : null,
      route: (encoders) => routeTask(encoders, this.presence.cached()),
      serves: (encoder) => this.presence.cached().some((node) => node.encoders.includes(encoder)),
      onFailed: (taskId, reason) => this.origin.failTask(taskId, reason),
    });
    this.origin = new Origin({
      sqlite: options.sqlite,
      dataDir: options.dataDir,
      nodeId: this.nodeId,
      selfUrl: () => this.url,
      queue: this.originQueue,
      ffmpeg: async () => (await options.ffmpeg()).location,
      blobPath: (sha256) => options.blobs.pathFor(sha256),
    });
    this.worker = nodeWorker(options, {
      selfUrl: () => this.url,
      client: this.client,
      encoders: () => this.proven,
      protocol: this.protocol,
      // No coordinator: tasks come from BullMQ, and their ends go back to it.
      coordinator: () => null,
    });
    this.modes = new WorkerModes(this.worker, options.workerMode, () => this.redisWorker.modeChanged());
    this.redisWorker = new RedisWorker({
      link: this.link,
      keys: this.keys,
      farmId,
      identity: options.identity,
      trust,
      tls,
      client: this.client,
      encoders: async () => this.proven,
      maxConcurrency: options.maxConcurrency,
      worker: this.worker,
    });
    this.encoder = nodeEncoder(options, {
      origin: this.origin,
      capacity: () => this.encodeCapacity(),
      // No coordinator follows the workers' rates in Redis mode: progress comes back as fractions.
      encodes: async () => undefined,
    });
  }

  /** Monitoring's view of a coordinator: Redis mode has none (its history is the LAN's). */
  coordinatorView(): null {
    return null;
  }

  /**
   * The farm's queue as monitoring counts it: every task in the shared Redis queues, the count
   * `vfo status` shows (the last one while Redis is away). Its metric was missing and no backlog alert
   * was ever raised in Redis mode (found by attacking the farm's controls).
   */
  async queueStats(): Promise<QueueCounts> {
    if (this.link.available) this.lastCounts = await this.originQueue.counts().catch(() => this.lastCounts);
    return this.lastCounts;
  }

  /** This node's worker slots: how many it has, how many encode now, how many take work. */
  workerSlots(): { total: number; busy: number; free: number } {
    return workerSlots(this.options, this.worker);
  }

  /** The dashboard's history is kept by a LAN coordinator; in Redis mode there is none. */
  async history(since: number): Promise<FarmHistory> {
    return { coordinatorId: '', from: since, to: Date.now(), samples: [], runs: [] };
  }

  get selfUrl(): string {
    return this.url;
  }

  async start(options: { anyPortIfTaken?: boolean } = {}): Promise<void> {
    await this.worker.removeLeftovers();
    const { server, url } = await listenNode(this.options, {
      trust: this.trust,
      tls: this.options.tls,
      routes: (app) => this.routes(app),
      anyPortIfTaken: options.anyPortIfTaken,
    });
    this.server = server;
    this.url = this.options.advertiseUrl ?? url;
    this.proven = await proveEncoders(this.options);
    this.modes.restore();
    this.link.connect();
    // Redis away is waited out (it reconnects); a refused password never changes: said, not retried.
    if ((await this.link.settle(START_SETTLE_MS)) === 'refused') throw new Error(this.link.refused ?? '');
    this.originQueue.start();
    await this.redisWorker.start();
    await this.refreshPresence();
    this.every(REDIS_TUNING.presenceEveryMs, () => this.refreshPresence());
    this.every(REDIS_TUNING.reconcileEveryMs, () =>
      this.originQueue.reconcile(this.origin.awaited(), (taskId) => this.origin.isAwaiting(taskId)),
    );
    this.workstation = await startNodeWorkstation(this.options, this.worker, () =>
      this.redisWorker.modeChanged(),
    );
    log.info('node started', {
      node: this.nodeId,
      url: this.url,
      queue: 'redis',
      redis: this.link.target.display,
    });
  }

  private every(ms: number, run: () => Promise<unknown>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      run()
        .catch((error: unknown) => log.debug('periodic redis work failed', { error: String(error) }))
        .finally(() => {
          busy = false;
        });
    }, ms);
    this.timers.push(timer);
  }

  async stop(): Promise<void> {
    this.workstation?.stop();
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    // Each step that waits on Redis is cut short when it is away (the connections go below): with a
    // refused password the worker's close waited for ever, and the node ignored SIGTERM.
    const onRedis = (work: Promise<unknown>) =>
      Promise.race([
        work,
        new Promise((resolve) => setTimeout(resolve, this.link.available ? 3000 : 200).unref()),
      ]);
    await onRedis(this.redisWorker.stop());
    this.worker.stopAll();
    await onRedis(this.presence.remove(this.nodeId));
    await onRedis(this.originQueue.close());
    this.link.close();
    await this.server?.close();
    this.client.close();
  }

  private async routes(app: FarmApp): Promise<void> {
    // With the queue unreachable a new submission is refused, not kept waiting where no one sees it
    // (docs/FARM.md, failure modes); jobs already accepted keep their tasks here until it is back.
    app.addHook('onRequest', async (request) => {
      if (request.method !== 'POST' || request.routeOptions.url !== '/farm/v1/jobs' || this.link.available)
        return;
      throw new Refusal(
        503,
        errorBody(
          'queue-unavailable',
          `the farm's queue (Redis at ${this.link.target.display}) cannot be reached: nothing was submitted; ` +
            'try again once it is back',
        ),
      );
    });
    app.get('/api/v1/status', SIGNED, () => this.status());
    workerRoutes(app, {
      // Tasks come from Redis here: nothing is pushed.
      accept: () => false,
      followedCoordinator: () => null,
      setMode: (mode) => this.setWorkerMode(mode),
    });
    nodeOriginRoutes(app, this.options, this.origin, () => null);
    // Only a task a queued or running job still waits for: a failed job's task, copied back into the
    // queue by anyone who can write to Redis, was encoded and accepted (its signature lasts a week).
    redisRoutes(app, { wanted: (taskId) => this.origin.isWanted(taskId) });
    await this.options.extraRoutes?.(app);
  }

  /** This node as its presence record says it. */
  private selfRecord(): PresenceRecord {
    const { worker } = this;
    const status = worker.paused
      ? 'paused'
      : worker.draining
        ? 'draining'
        : worker.yielding !== null
          ? 'yielding'
          : 'online';
    return {
      id: this.nodeId,
      name: this.name,
      url: this.url,
      role: this.options.role,
      encoders: this.redisWorker.encoders,
      cores: availableParallelism(),
      slots: this.redisWorker.freeSlots,
      running: worker.runningCount(),
      status,
      reason: status === 'yielding' ? worker.yielding : null,
      version: this.options.version,
      protocol: this.protocol,
      time: Date.now(),
    };
  }

  private async refreshPresence(): Promise<void> {
    if (await this.worker.checkDisk()) this.redisWorker.modeChanged();
    await this.presence.publish(this.selfRecord());
    await this.presence.read();
  }

  /** Every live node's encoders and free slots (this one's own first), for splitting a video. */
  encodeCapacity() {
    return [
      { encoders: this.redisWorker.encoders, freeSlots: this.redisWorker.freeSlots },
      ...this.presence
        .cached()
        .filter((record) => record.id !== this.nodeId && record.status === 'online')
        .map((record) => ({ encoders: record.encoders, freeSlots: record.slots })),
    ];
  }

  /** An operator's pause, resume or drain of this node: kept in its settings, so a restart keeps it. */
  setWorkerMode(mode: WorkerMode) {
    return this.modes.set(mode);
  }

  /** An operator's control of any node of the farm: this one, or another by a request signed for it. */
  async controlNode(nodeId: string, action: WorkerMode): Promise<NodeControl> {
    if (nodeId === this.nodeId) return { node: nodeId, ...this.setWorkerMode(action) };
    const peer = (await this.presence.read().catch(() => this.presence.cached())).find(
      (n) => n.id === nodeId,
    );
    const target = peer ? { id: peer.id, url: peer.url } : undefined;
    return controlPeer(this.client, target, nodeId, action, `no node ${nodeId} is in the farm now`);
  }

  /**
   * Requeue and cancel of any task are the LAN coordinator's; with the queue in Redis a job is
   * cancelled at its origin (its tasks are withdrawn) and a stuck task moves on by itself (its lock).
   */
  async taskAction(_taskId: string, _action: 'requeue' | 'cancel'): Promise<string> {
    throw new FarmHttpError(
      'rejected',
      'the farm’s queue is in Redis: cancel the job at its origin; a task whose worker died runs elsewhere by itself',
      { status: 409, code: 'not-coordinator' },
    );
  }

  /** Redis mode keeps no per-job blocklist (BullMQ's attempts bound a failing task instead). */
  async clearBlock(_originNodeId: string, _jobId: string, _workerId?: string): Promise<number> {
    return 0;
  }

  /** Resolves once nothing is left for this node to do for `ms` (`--exit-when-idle`). */
  whenIdleFor(ms: number): Promise<void> {
    return this.redisWorker.whenIdleFor(
      ms,
      async (encoders) => (await this.originQueue.counts(encoders)).queued,
    );
  }

  async status(): Promise<FarmStatus> {
    const nodes = await this.presence.read().catch(() => this.presence.cached());
    // With Redis unreachable the last counts are shown rather than waiting for a reconnect.
    return redisFarmStatus({ self: this.selfRecord(), nodes, queue: await this.queueStats() });
  }
}
