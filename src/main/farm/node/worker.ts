import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { assetsUsedBy } from '../../../shared/plan-frames.ts';
import { compactRate, type ProgressRate } from '../../../shared/progress-rate.ts';
import { type AssetRef, validateRenderPlan } from '../../../shared/render-plan.ts';
import {
  type EncoderFallback,
  encodeInChildProcess,
  encodeWithFallback,
  type FfmpegLocation,
  type FfmpegProbe,
  linkPlanAssets,
  type RunnerChannel,
  usableEncoders,
} from '../../ffmpeg/index.ts';
import { createLogger } from '../../log/logger.ts';
import { checkRoom, DiskFullError, freeBytesAt } from '../../util/disk-room.ts';
import { sha256File } from '../../util/hash.ts';
import { type BlobCache, type BlobLease, type FarmClient, FarmHttpError, type Peer } from '../net/index.ts';
import type { HeartbeatReply } from '../queue/index.ts';
import type { LeaseOffer } from './schemas.ts';

const log = createLogger('FarmWorker');

/**
 * While an origin repairs a blob it answers 410 `blob-repairing`: ask again every second, for
 * about as long as remaking a narration may take. A transfer cut part-way (the origin found the blob
 * bad as it sent it) is asked again once.
 */
const REPAIR_WAIT = { tries: 120, delayMs: 1000 };
const CUT_TRANSFER_RETRIES = 1;

interface RunningLease {
  offer: LeaseOffer;
  progress: number;
  /** fps, speed and time left of the encode, once ffmpeg reports them. */
  rate?: ProgressRate;
  abort: AbortController;
  /** A pushed lease reports its failure to the coordinator; one taken from Redis leaves that to BullMQ. */
  reportsFailure: boolean;
  /** The ffmpeg encoding it now, once started (suspended and continued with the workstation's user). */
  ffmpegPid?: number;
}

/** How a lease ended. */
export type LeaseOutcome =
  | { kind: 'delivered' }
  /** The origin no longer takes a result from this lease (another one delivered, or it was withdrawn). */
  | { kind: 'refused' }
  | { kind: 'failed'; reason: string }
  /** Stopped from outside (withdrawn, cancelled, the node stopping). */
  | { kind: 'stopped'; reason: string };
/** A lease this worker is encoding, as the heartbeat, status and the menu bar report it. */
export interface WorkerLease {
  leaseId: string;
  taskId: string;
  jobId: string;
  progress: number;
  rate?: ProgressRate;
}

/** How this node's encodes run: libx264's threads, the runner (in the app, an Electron utility process). */
export interface EncodeProcess {
  threads?: number;
  runnerPath?: string;
  startRunner?: (runnerPath: string) => RunnerChannel;
}

export interface WorkerDeps {
  nodeId: string;
  selfUrl: () => string;
  dataDir: string;
  client: FarmClient;
  blobCache: BlobCache;
  maxConcurrency: number;
  ffmpeg: () => Promise<{ location: FfmpegLocation; probe: FfmpegProbe }>;
  /** The encoders this node proved with a trial encode when it started (encoder-trial.ts). */
  encoders: () => readonly string[];
  /** What the coordinator is told at registration: it refuses a worker of another protocol. */
  protocol: number;
  version: string;
  encoder?: EncodeProcess;
  coordinator: () => Peer | null;
  /** Free disk the node keeps (`storage.keepFree`): below it, the worker takes no encode. */
  keepFreeBytes?: () => number;
}

/**
 * Encodes what the coordinator leases to this node: fetches the plan's blobs from the origin (verified,
 * cached), encodes in a separate process, uploads the video to the origin. Heartbeats keep the leases.
 */
export class FarmWorker {
  private readonly deps: WorkerDeps;
  private readonly running = new Map<string, RunningLease>();
  private registeredWith: string | null = null;
  paused = false;
  draining = false;
  /** Why the workstation policy keeps new work away now (render hours, its user); null: it does not. */
  yieldingToUser: string | null = null;
  /** Why the disk keeps new work away now (less free than the node keeps); null: it does not. */
  private diskShort: string | null = null;
  private suspended = false;

  constructor(deps: WorkerDeps) {
    this.deps = deps;
  }

  /** Each lease's folder (its assets linked in, its video being written) while it runs. */
  private get workRoot(): string {
    return join(this.deps.dataDir, 'farm', 'work');
  }

  /**
   * Before the node takes work: what leases of a process that was killed left (a partial video each,
   * up to its full size), which nothing else would remove. This node is the only one on its data folder
   * (the folder holds its identity), so no lease folder is in use yet.
   */
  async removeLeftovers(): Promise<void> {
    await rm(this.workRoot, { recursive: true, force: true });
  }

  /**
   * Why this node takes no new work now, though neither paused nor draining: its workstation policy,
   * or its disk. Peers and the GUI see either as `yielding`, with this reason.
   */
  get yielding(): string | null {
    return this.yieldingToUser ?? this.diskShort;
  }

  /**
   * Reads the free disk again: with less than the node keeps free, it takes no new encode (an encode
   * writes its video and caches its inputs here). Says whether that changed, so the caller tells the
   * queue at once.
   */
  async checkDisk(): Promise<boolean> {
    const keep = this.deps.keepFreeBytes?.();
    if (keep === undefined) return false;
    const free = await freeBytesAt(this.deps.dataDir).catch(() => null);
    const short = free !== null && free < keep ? new DiskFullError(free, keep).message : null;
    const changed = (short === null) !== (this.diskShort === null);
    this.diskShort = short;
    if (!changed) return false;
    if (short) log.warn('takes no new encode: the disk is nearly full', { reason: short });
    else log.info('the disk has room again: takes encodes');
    return true;
  }

  get freeSlots(): number {
    if (this.paused || this.draining || this.yielding !== null) return 0;
    return Math.max(0, this.deps.maxConcurrency - this.running.size);
  }

  /**
   * Stops (SIGSTOP) or continues (SIGCONT) every running ffmpeg: its user is at the machine. The leases
   * stay renewed by the heartbeats, so nothing is requeued; an encode that starts meanwhile is stopped
   * as soon as its ffmpeg exists.
   */
  suspendEncodes(suspend: boolean): void {
    this.suspended = suspend;
    for (const lease of this.running.values()) this.signalEncode(lease);
  }

  private signalEncode(lease: RunningLease): void {
    if (lease.ffmpegPid === undefined) return;
    try {
      process.kill(lease.ffmpegPid, this.suspended ? 'SIGSTOP' : 'SIGCONT');
      log.info(this.suspended ? 'encode suspended' : 'encode continued', {
        lease: lease.offer.leaseId,
        pid: lease.ffmpegPid,
      });
    } catch {
      // The encode ended meanwhile.
    }
  }

  runningCount(): number {
    return this.running.size;
  }

  leases(): WorkerLease[] {
    return [...this.running.values()].map((r) => ({
      leaseId: r.offer.leaseId,
      taskId: r.offer.taskId,
      jobId: r.offer.jobId,
      progress: r.progress,
      ...(r.rate ? { rate: r.rate } : {}),
    }));
  }

  /** A lease offered by the coordinator: refused when there is no free slot. */
  accept(offer: LeaseOffer): boolean {
    if (this.freeSlots <= 0 || this.running.has(offer.leaseId)) return false;
    void this.perform(offer, { reportsFailure: true });
    return true;
  }

  /**
   * Runs one lease to its end and says how it ended (the Redis queue's worker awaits it; pushed leases
   * go through accept). `signal` stops it.
   */
  async perform(
    offer: LeaseOffer,
    options: { signal?: AbortSignal; reportsFailure?: boolean } = {},
  ): Promise<LeaseOutcome> {
    const lease: RunningLease = {
      offer,
      progress: 0,
      abort: new AbortController(),
      reportsFailure: options.reportsFailure ?? false,
    };
    // A stopped ffmpeg cannot hear the cancel (a requeue, a withdrawal): let it run to its end.
    lease.abort.signal.addEventListener('abort', () => {
      if (this.suspended && lease.ffmpegPid !== undefined) {
        try {
          process.kill(lease.ffmpegPid, 'SIGCONT');
        } catch {
          // Already gone.
        }
      }
    });
    const stop = () => lease.abort.abort(options.signal?.reason ?? new Error('stopped'));
    if (options.signal?.aborted) stop();
    options.signal?.addEventListener('abort', stop, { once: true });
    this.running.set(offer.leaseId, lease);
    try {
      return await this.run(lease);
    } finally {
      options.signal?.removeEventListener('abort', stop);
      this.running.delete(offer.leaseId);
    }
  }

  /** One heartbeat to the coordinator; registers (and re-announces) when the coordinator is new. */
  async heartbeat(announce: () => Promise<void>): Promise<void> {
    const coordinator = this.deps.coordinator();
    if (!coordinator) return;
    await this.checkDisk();
    const key = `${coordinator.id}@${coordinator.url}`;
    if (this.registeredWith !== key) {
      await this.register(coordinator);
      await announce();
      this.registeredWith = key;
    }
    const report = {
      freeSlots: this.freeSlots,
      leases: this.leases().map(({ leaseId, progress, rate }) => ({ leaseId, progress, ...rate })),
    };
    const reply = (await this.deps.client.json(
      coordinator,
      'POST',
      '/farm/v1/heartbeat',
      report,
    )) as HeartbeatReply;
    for (const leaseId of reply.cancel)
      this.running.get(leaseId)?.abort.abort(new Error('the coordinator cancelled this lease'));
    if (reply.unknownWorker) this.registeredWith = null;
  }

  private async register(coordinator: Peer): Promise<void> {
    await this.deps.client.json(coordinator, 'POST', '/farm/v1/workers', {
      id: this.deps.nodeId,
      url: this.deps.selfUrl(),
      encoders: [...this.deps.encoders()],
      maxConcurrency: this.deps.maxConcurrency,
      freeSlots: this.freeSlots,
      protocol: this.deps.protocol,
      version: this.deps.version,
    });
  }

  stopAll(): void {
    // A stopped ffmpeg would not hear the cancel.
    if (this.suspended) this.suspendEncodes(false);
    for (const lease of this.running.values()) lease.abort.abort(new Error('the node is stopping'));
  }

  private async run(lease: RunningLease): Promise<LeaseOutcome> {
    const { offer } = lease;
    const work = join(this.workRoot, offer.leaseId);
    const held: BlobLease[] = [];
    const origin: Peer = { url: offer.originUrl, id: offer.originNodeId };
    try {
      const checked = validateRenderPlan(offer.plan);
      if (!checked.ok) throw new Error(`invalid plan: ${checked.errors.join('; ')}`);
      const plan = checked.plan;
      // Checked again as the encode starts: the heartbeat's reading may be a second old.
      const keep = this.deps.keepFreeBytes?.();
      if (keep !== undefined) await checkRoom(this.deps.dataDir, keep);
      await mkdir(work, { recursive: true });
      // A segment needs only its scenes' pictures (and the captions), not the narration.
      const used = assetsUsedBy(plan);
      const inputs = Object.entries(plan.assets).filter(([id]) => used.has(id));
      for (const [id, ref] of inputs) {
        held.push(await this.fetchAsset(lease, ref));
        log.debug('asset ready', { lease: offer.leaseId, asset: id });
      }
      const { location, probe } = await this.deps.ffmpeg();
      // The plan's encoders this node proved, in the plan's order: the later ones are its fallbacks.
      const encoders = usableEncoders(plan.output.encoders, this.deps.encoders(), probe);
      const { assetPaths, fontsDir } = await linkPlanAssets(
        plan,
        (sha) => this.deps.blobCache.pathOf(sha),
        work,
        used,
      );
      const encode = (encoder: string) =>
        encodeInChildProcess(
          {
            ffmpegPath: location.ffmpegPath,
            ffprobePath: location.ffprobePath,
            plan,
            assetPaths,
            outPath: join(work, 'video.mp4'),
            encoder,
            fontsDir,
            ...(this.deps.encoder?.threads ? { threads: this.deps.encoder.threads } : {}),
          },
          {
            signal: lease.abort.signal,
            onProgress: (p) => {
              lease.progress = p.fraction;
              lease.rate = compactRate(p);
            },
            onStarted: ({ ffmpegPid }) => {
              lease.ffmpegPid = ffmpegPid;
              if (this.suspended) this.signalEncode(lease);
            },
            ...(this.deps.encoder?.runnerPath ? { runnerPath: this.deps.encoder.runnerPath } : {}),
            ...(this.deps.encoder?.startRunner ? { startRunner: this.deps.encoder.startRunner } : {}),
          },
        );
      const attempt = (encoder: string) =>
        encode(encoder).catch(async (error: unknown) => {
          if (lease.abort.signal.aborted) throw error;
          // A cached input may have rotted since it was last hashed (its stat unchanged): the encode
          // is worth one more try only if an input was bad and is now fetched anew.
          const refetched = await this.refetchBadInputs(lease, inputs, held);
          if (refetched.length === 0) throw error;
          log.warn('inputs of a failed encode no longer verified; fetched them again, encoding again', {
            lease: offer.leaseId,
            blobs: refetched,
            error: error instanceof Error ? error.message : String(error),
          });
          return encode(encoder);
        });
      const { result, encoder, fallback } = await encodeWithFallback(encoders, attempt, (taken) =>
        log.warn('the encoder failed at run time; encoding with the plan’s next one', {
          lease: offer.leaseId,
          ...taken,
        }),
      );
      lease.ffmpegPid = undefined;
      const { sha256 } = await sha256File(result.outPath);
      const reply = (await this.deps.client.upload(
        origin,
        `/farm/v1/results/${offer.taskId}?${resultQuery(offer.leaseId, encoder, fallback)}`,
        result.outPath,
        { sha256 },
      )) as { accepted: boolean };
      log.info(reply.accepted ? 'result delivered' : 'result refused', {
        lease: offer.leaseId,
        task: offer.taskId,
      });
      return reply.accepted ? { kind: 'delivered' } : { kind: 'refused' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const refused = /stale|409|refused/i.test(message);
      log.warn(refused ? 'result refused (the lease is no longer ours)' : 'lease failed', {
        lease: offer.leaseId,
        error: message,
      });
      if (lease.abort.signal.aborted) return { kind: 'stopped', reason: message };
      if (refused) return { kind: 'refused' };
      if (lease.reportsFailure) await this.reportFailure(offer, message);
      return { kind: 'failed', reason: message };
    } finally {
      for (const h of held) h.release();
      await rm(work, { recursive: true, force: true });
    }
  }

  /** The blob from the cache (verified there), or from the origin. */
  private fetchAsset(lease: RunningLease, ref: AssetRef): Promise<BlobLease> {
    return this.deps.blobCache.ensure(ref.sha256, ref.size, (dest) => this.download(lease, ref, dest));
  }

  private async download(lease: RunningLease, ref: AssetRef, dest: string): Promise<void> {
    const { originUrl, originNodeId, leaseId } = lease.offer;
    const origin: Peer = { url: originUrl, id: originNodeId };
    let cutRetries = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.client.download(origin, `/farm/v1/blobs/${ref.sha256}`, dest, {
          expectSha256: ref.sha256,
          maxBytes: ref.size,
        });
        return;
      } catch (error) {
        if (!(error instanceof FarmHttpError) || lease.abort.signal.aborted) throw error;
        const repairing = error.code === 'blob-repairing' && attempt < REPAIR_WAIT.tries;
        const cut =
          (error.kind === 'unreachable' || error.kind === 'bad-response') &&
          cutRetries++ < CUT_TRANSFER_RETRIES;
        if (!repairing && !cut) throw error;
        log.info('the origin cannot send a blob yet; asking again', {
          lease: leaseId,
          sha256: ref.sha256,
          error: error.message,
        });
        if (repairing) await sleep(REPAIR_WAIT.delayMs, undefined, { signal: lease.abort.signal });
      }
    }
  }

  /** Hashes every input again; those that went bad are evicted, fetched anew and their shas returned. */
  private async refetchBadInputs(
    lease: RunningLease,
    inputs: [string, AssetRef][],
    held: BlobLease[],
  ): Promise<string[]> {
    const refetched: string[] = [];
    for (const [, ref] of inputs) {
      if (refetched.includes(ref.sha256) || (await this.deps.blobCache.recheck(ref.sha256))) continue;
      held.push(await this.fetchAsset(lease, ref));
      refetched.push(ref.sha256);
    }
    return refetched;
  }

  private async reportFailure(offer: LeaseOffer, reason: string): Promise<void> {
    const coordinator = this.deps.coordinator() ?? { url: offer.coordinatorUrl, id: offer.coordinatorId };
    await this.deps.client
      .json(coordinator, 'POST', `/farm/v1/leases/${offer.leaseId}/fail`, {
        taskId: offer.taskId,
        reason: reason.slice(0, 2000),
        retryable: true,
      })
      .catch((error: unknown) =>
        log.warn('could not report the failure', { lease: offer.leaseId, error: String(error) }),
      );
  }
}

/** The upload's query: the lease, the encoder that made the video, and the fallback taken, if any. */
function resultQuery(leaseId: string, encoder: string, fallback: EncoderFallback | null): string {
  const query = new URLSearchParams({ lease: leaseId, encoder });
  if (fallback) {
    query.set('fallbackFrom', fallback.from);
    query.set('fallbackReason', fallback.reason);
  }
  return query.toString();
}
