/**
 * The composition root: the one place the app is assembled, from a data folder and options. The CLI,
 * the Electron shell, tests and benchmarks all start here. It opens the database (migrations, seeds),
 * builds the pipeline's services and the engine, and — for a farm node — the node, whose encoder the
 * pipeline's encode step is given when it is built, and the UI's contract served over HTTP.
 * Crash repair runs before anything does work, so every start puts back what a crash left half done.
 */

import { parseRenderHours } from '../../shared/render-hours.ts';
import type { VfoService } from '../api/service.ts';
import { type Db, type OpenedDatabase, openDatabase } from '../db/open.ts';
import { BlobStore } from '../engine/blob-store.ts';
import { Engine } from '../engine/engine.ts';
import { JobBusyError } from '../engine/errors.ts';
import type { FarmNode } from '../farm/node/farm-node.ts';
import type { FarmNodeOptions } from '../farm/node/node-options.ts';
import { blobsHeldByOriginTasks } from '../farm/node/origin.ts';
import type { RedisFarmNode, RedisFarmNodeOptions } from '../farm/redis/index.ts';
import { idleTimeOfThisMachine } from '../farm/workstation/idle-time.ts';
import type { WorkstationSettings, YieldToUser } from '../farm/workstation/workstation-policy.ts';
import type { RunnerChannel } from '../ffmpeg/index.ts';
import { receiveMedia, wantedMedia } from '../intake/media-upload.ts';
import { createLogger } from '../log/logger.ts';
import type { MetricsServer, Ops, WebhookSecret } from '../ops/index.ts';
import { bundledEncodeRunner, chooseDataDir, machineCacheDir, resourcesDir } from '../paths.ts';
import {
  builtinHandlers,
  createDefaultServices,
  ffmpegService,
  type PipelineServices,
} from '../pipeline/index.ts';
import { envSecretStore, type SecretStore } from '../secrets/secret-store.ts';
import {
  blocklistSetting,
  DEFAULT_BLOCK_LIMIT,
  DEFAULT_KEEP_FREE_BYTES,
  defaultLocalParts,
  farmQueueSetting,
  ffmpegPathSetting,
  keepFreeSetting,
  type LocalParts,
  localPartsSetting,
  renderHoursSetting,
  segmentsSetting,
  workerModeSetting,
  yieldToUserSetting,
} from '../settings/index.ts';
import { type FarmParts, loadFarmParts } from './farm-parts.ts';
import { checkScriptJob, importScriptJob, jobJsonOf } from './jobs.ts';
import { takeNodeLock } from './node-lock.ts';
import type { Ui } from './ui.ts';
import { APP_VERSION } from './version.ts';

const log = createLogger('App');

export interface AppOptions {
  /** --data, else VFO_DATA_DIR, else the OS's app-data folder. */
  data?: string | undefined;
  ffmpeg?: string | undefined;
  threads?: number | undefined;
  /** Provider keys: the environment for the CLI, the Keychain-backed store in the app. */
  secrets?: SecretStore | undefined;
  /** The app's bundled encode runner and how to start it (an Electron utility process). */
  encodeRunnerPath?: string | undefined;
  startEncodeRunner?: ((runnerPath: string) => RunnerChannel) | undefined;
  /** Overrides the render.localParts setting (`vfo render --parts`). */
  localParts?: Partial<LocalParts> | undefined;
  /** Join the farm (`vfo node`, the desktop app); without it the engine encodes in-process. */
  farm?: FarmOptions | undefined;
}

export interface FarmOptions
  extends Pick<FarmNodeOptions, 'key' | 'name' | 'host' | 'port' | 'interface' | 'role' | 'http'> {
  /** Encodes at once; absent: the render.localParts setting's parts (local parts are the node's slots). */
  maxConcurrency?: number | undefined;
  /** When the port is taken, listen on any free port instead (the app; `vfo node` fails instead). */
  anyPortIfTaken?: boolean;
  /** Overrides the `farm.segments` setting's minimum segment length for this run. */
  minSegmentSeconds?: number | undefined;
  /** Video preset for scripts submitted over the network (e.g. a quick preview preset in tests). */
  videoPreset?: string | undefined;
  /** Serve the UI and the contract to browsers on the LAN (out/renderer by default). */
  rendererDir?: string;
  /** `--ui-host`: names (besides addresses, localhost, .local names) browsers reach the UI by. */
  uiHosts?: readonly string[] | undefined;
  /** `--metrics-listen`: serve Prometheus metrics there (nothing is served by default). */
  metricsListen?: { host: string; port: number } | undefined;
  /** `--alert-webhook` (else the `ops.alerts` setting) and its secret (else the secret store's). */
  alertWebhook?: { url?: string | undefined; secret?: WebhookSecret | undefined };
  /** Override the `farm.renderHours` setting for this run (`vfo node --render-hours`). */
  renderHours?: string | undefined;
  /** Override the `farm.yieldToUser` setting for this run (`vfo node --yield-idle-seconds`). */
  yieldToUser?: YieldToUser | undefined;
  /** Another app version or farm protocol than this build's: compatibility tests only. */
  version?: string | undefined;
  protocol?: number | undefined;
  /**
   * Keep the farm's queue in Redis (`--redis`) instead of on an elected coordinator: no mDNS, no
   * election (docs/FARM.md, "Beyond one LAN").
   */
  redis?: RedisModeOptions | undefined;
}

export interface RedisModeOptions {
  url: string;
  /** A password kept out of the URL. */
  password?: string | undefined;
  /** Where other nodes reach this one (`--advertise-url`); default: the URL it listens on. */
  advertiseUrl?: string | undefined;
  /** Serve HTTPS (PEM certificate and key). */
  tls?: RedisFarmNodeOptions['tls'];
  /** PEM CA certificates to trust (rediss://, https peers without a pin). */
  tlsCa?: string | undefined;
}

/** The farm node of this app: the LAN's (mDNS, elected coordinator) or Redis's. */
export type AppFarmNode = FarmNode | RedisFarmNode;

export interface App {
  dataDir: string;
  database: OpenedDatabase;
  /** The Library and the jobs (drizzle over `database`). */
  db: Db;
  engine: Engine;
  /** The content-addressed store (artifacts, and the media sent with scripts). */
  blobs: BlobStore;
  services: PipelineServices;
  /** The farm node, when the app joined the farm. */
  node: AppFarmNode | null;
  /** Where that farm's queue is kept (null: not in a farm). */
  queueBackend: 'lan' | 'redis' | null;
  /** The contract's handlers (the UI's API), when the app joined the farm. */
  service: VfoService | null;
  /** Farm status changes as events, when the app joined the farm. */
  subscribeFarm: Ui['subscribeFarm'] | null;
  /** Monitoring (metrics, alerts, history), when the app joined the farm. */
  ops: Ops | null;
  /** Where the metrics are served once started (`metricsListen`), else null. */
  metricsUrl(): string | null;
  /** Starts a job without waiting for it (failures are logged). */
  runInBackground(jobId: string): void;
  /** Starts the node (if any) and runs the jobs left queued here. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function openApp(options: AppOptions): Promise<App> {
  const dataDir = chooseDataDir(options.data);
  const database = openDatabase(dataDir);
  const resources = resourcesDir();
  const blobs = new BlobStore(dataDir);
  // --ffmpeg beats the path chosen in Settings, which beats the search.
  const ffmpegPath = options.ffmpeg ?? ffmpegPathSetting.read(database.db);
  const ffmpeg = ffmpegService({
    ...(ffmpegPath ? { ffmpegPath } : {}),
    resourcesDir: resources,
    cacheDir: machineCacheDir(),
  });
  const runnerPath = options.encodeRunnerPath ?? bundledEncodeRunner();
  const secrets = options.secrets ?? envSecretStore();
  const keepFreeBytes = () => keepFreeSetting.read(database.db)?.minBytes ?? DEFAULT_KEEP_FREE_BYTES;
  const farm = options.farm;
  const localParts = (): LocalParts => ({
    ...(localPartsSetting.read(database.db) ?? defaultLocalParts()),
    ...options.localParts,
  });
  // The engine and the UI are built below; the node reaches them only when a request or a job comes in.
  let engine!: Engine;
  let ui: Ui | null = null;
  const runInBackground = (jobId: string) => {
    void engine.run(jobId).catch((error: unknown) => {
      // Another process runs it (a `vfo render` of its script): that one finishes it.
      if (error instanceof JobBusyError)
        log.info('job left to the process running it', { job: jobId, owner: error.owner });
      else log.error('job failed to run', { job: jobId, error: String(error) });
    });
  };
  // A farm node's parts (HTTP server, mDNS, BullMQ, metrics) load only for a node: `vfo render` starts
  // without them (a re-render of an unchanged script takes well under a second, most of it start-up).
  const parts = farm ? await loadFarmParts() : null;
  const identity = farm && parts ? await parts.loadNodeIdentity(dataDir, farm.key) : null;
  // Monitoring reads the node (built just below) only once it runs.
  let node: AppFarmNode | null = null;
  const ops =
    farm && identity && parts
      ? parts.createOps({
          db: database.db,
          self: { id: identity.id, name: farm.name },
          coordinator: () => node?.coordinatorView() ?? null,
          queue: async () => (node ? node.queueStats() : null),
          slots: () => node?.workerSlots() ?? null,
          webhook: {
            url: farm.alertWebhook?.url,
            secret: farm.alertWebhook?.secret ?? webhookSecretOf(secrets, parts.webhookSecretFromText),
          },
        })
      : null;
  const nodeOptions: FarmNodeOptions | null =
    farm && identity
      ? {
          ...farm,
          maxConcurrency: farm.maxConcurrency ?? localParts().parts,
          identity,
          sqlite: database.sqlite,
          dataDir,
          ffmpeg,
          encoder: {
            ...(options.threads ? { threads: options.threads } : {}),
            ...(runnerPath ? { runnerPath } : {}),
            ...(options.startEncodeRunner ? { startRunner: options.startEncodeRunner } : {}),
          },
          blobs: {
            pathFor: (sha256) => blobs.pathFor(sha256),
            repair: (sha256) => engine.repairBlob(sha256),
          },
          segmentPolicy: () => {
            const seconds = farm.minSegmentSeconds ?? segmentsSetting.read(database.db)?.minSegmentSeconds;
            return seconds === undefined ? null : { minSegmentMs: Math.round(seconds * 1000) };
          },
          jobs: {
            importScript: (submission) =>
              importScriptJob(
                { engine, db: database.db, dataDir, blobs, services, runInBackground },
                submission,
                farm.videoPreset,
              ),
            jobView: (jobId) => jobJsonOf(engine.store, jobId),
            checkScript: (request) =>
              checkScriptJob({ db: database.db, dataDir, blobs, services }, request, farm.videoPreset),
            media: {
              wanted: (sha256s) => wantedMedia(blobs, sha256s),
              receive: (body, sha256) => receiveMedia(blobs, dataDir, body, sha256, keepFreeBytes()),
            },
            keepFreeBytes,
          },
          extraRoutes: (app) => ui?.register(app),
          version: farm.version ?? APP_VERSION,
          ...(farm.protocol !== undefined ? { protocol: farm.protocol } : {}),
          blockLimit: () => blocklistSetting.read(database.db)?.maxTaskFailures ?? DEFAULT_BLOCK_LIMIT,
          workerMode: {
            read: () => workerModeSetting.read(database.db),
            write: (mode) => workerModeSetting.write(database.db, mode),
          },
          workstation: {
            settings: () => workstationSettings(database.db, farm),
            idle: idleTimeOfThisMachine(),
          },
          ...(ops ? { monitor: ops.monitor } : {}),
        }
      : null;
  // `--redis` beats the Settings row (the app's Farm queue field); the password comes from the
  // secrets (the Keychain in the app, VFO_REDIS_PASSWORD for a headless node), never the database.
  const fromSettings = farmQueueSetting.read(database.db);
  const chosen =
    farm?.redis ??
    (farm && fromSettings
      ? { url: fromSettings.redisUrl, advertiseUrl: fromSettings.advertiseUrl ?? undefined }
      : undefined);
  const redis = chosen && { ...chosen, password: chosen.password ?? secrets.get('redis.password') };
  // The queue's home is chosen here, once: the rest of the app sees a node either way.
  node =
    !nodeOptions || !parts
      ? null
      : redis
        ? new parts.RedisFarmNode({
            ...nodeOptions,
            redis: { target: parts.parseRedisUrl(redis.url), password: redis.password },
            advertiseUrl: redis.advertiseUrl,
            tls: redis.tls,
            tlsCa: redis.tlsCa,
          })
        : new parts.FarmNode(nodeOptions);
  const services = createDefaultServices({
    db: database.db,
    dataDir,
    resourcesDir: resources,
    blobs,
    ffmpeg,
    ...(options.threads ? { encoderThreads: options.threads } : {}),
    localParts,
    ...(runnerPath ? { encodeRunnerPath: runnerPath } : {}),
    secrets,
    ...(options.startEncodeRunner ? { startEncodeRunner: options.startEncodeRunner } : {}),
    ...(process.env.ANTHROPIC_BASE_URL ? { anthropicBaseUrl: process.env.ANTHROPIC_BASE_URL } : {}),
    ...(process.env.AZURE_SPEECH_HOST ? { azureSpeechHost: process.env.AZURE_SPEECH_HOST } : {}),
    // On a farm node the encode step sends its plan to the farm instead of encoding in-process.
    ...(node ? { farm: node.encoder } : {}),
  });
  engine = new Engine({
    dataDir,
    database,
    blobs,
    handlers: builtinHandlers(services, database.db),
    stepConcurrency: Number(process.env.VFO_STEP_CONCURRENCY) || 2,
    // A farm node waits on many encodes at once (the workers do them); alone, one encode at a time.
    encoderSlots: node ? 64 : 1,
    heldByFarm: () => blobsHeldByOriginTasks(database.sqlite),
  });
  await engine.repair();
  engine.subscribe((event) => {
    if (
      event.type === 'job' &&
      (event.status === 'done' || event.status === 'failed' || event.status === 'cancelled')
    )
      ops?.jobEnded(event.status);
  });
  let metricsServer: MetricsServer | null = null;
  if (node && farm && parts) {
    ui = parts.createUi({
      key: farm.key,
      secrets,
      engine,
      db: database.db,
      dataDir,
      blobs,
      services,
      runInBackground,
      node,
      videoPreset: farm.videoPreset,
      rendererDir: farm.rendererDir,
      media: { receive: (body, sha256) => receiveMedia(blobs, dataDir, body, sha256, keepFreeBytes()) },
      queueBackend: redis ? 'redis' : 'lan',
      // The advertised URL names this node too.
      uiHosts: [...(farm.uiHosts ?? []), ...hostOfUrl(redis?.advertiseUrl)],
    });
  }
  let nodeLock: { release(): void } | null = null;
  return {
    dataDir,
    database,
    db: database.db,
    engine,
    blobs,
    services,
    node,
    queueBackend: node ? (redis ? 'redis' : 'lan') : null,
    service: ui?.service ?? null,
    subscribeFarm: ui?.subscribeFarm ?? null,
    ops,
    metricsUrl: () => metricsServer?.url ?? null,
    runInBackground,
    async start() {
      if (node) {
        const lock = takeNodeLock(dataDir, (fn) => engine.store.transaction(fn));
        try {
          await node.start({ anyPortIfTaken: farm?.anyPortIfTaken ?? false });
        } catch (error) {
          // Not left naming this process (the desktop app lives on after a failed start).
          lock.release();
          throw error;
        }
        nodeLock = lock;
      }
      ops?.start();
      if (ops && farm?.metricsListen) {
        metricsServer = await (parts as FarmParts).startMetricsServer({
          ...farm.metricsListen,
          metrics: ops.metrics,
          name: farm.name,
        });
        log.info('metrics served', { url: metricsServer.url });
      }
      // Jobs left queued here (by a crash, a restart) run again: they belong to this node.
      if (node)
        for (const job of engine.store.listJobs(500)) if (job.status === 'queued') runInBackground(job.id);
    },
    async close() {
      await metricsServer?.close();
      await ops?.close();
      await node?.stop();
      await engine.shutdown();
      nodeLock?.release();
      database.close();
    },
  };
}

/** The webhook secret from the secret store (the Keychain in the app, VFO_ALERT_WEBHOOK_SECRET for the CLI). */
function webhookSecretOf(
  secrets: SecretStore,
  fromText: FarmParts['webhookSecretFromText'],
): WebhookSecret | null {
  const text = secrets.get('alerts.webhookSecret');
  if (!text) return null;
  try {
    return fromText(text, 'the stored webhook secret');
  } catch (error) {
    log.warn('the webhook secret is not usable; alerts are not sent to the webhook', {
      reason: (error as Error).message,
    });
    return null;
  }
}

/** Render hours and yielding to the user: this run's overrides, else the settings (read on every check). */
function workstationSettings(db: Db, farm: FarmOptions): WorkstationSettings {
  const text = farm.renderHours ?? renderHoursSetting.read(db);
  const parsed = text ? parseRenderHours(text) : null;
  return {
    renderHours: text && parsed?.ok ? { text, ranges: parsed.ranges } : null,
    yieldToUser: farm.yieldToUser ?? yieldToUserSetting.read(db),
  };
}

function hostOfUrl(url: string | undefined): string[] {
  if (!url) return [];
  try {
    return [new URL(url).hostname];
  } catch {
    return [];
  }
}
