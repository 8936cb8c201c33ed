/**
 * Serves this node's stored blobs to workers (`GET /farm/v1/blobs/:sha256`), hashing each one as it
 * streams. A blob that does not match its name is withheld at once (410 for every request from then
 * on; transfers already under way find the mismatch themselves and are cut) and repaired: the engine
 * runs again the step that made it. It is served again once it verifies. One that cannot be made
 * again stays withheld, and the encodes waiting for it fail with the reason.
 */
import { existsSync } from 'node:fs';
import type { BlobRepairOutcome } from '../../engine/blob-repair.ts';
import { errorMessage } from '../../engine/errors.ts';
import type { SentContentExpectation } from '../../http/index.ts';
import { createLogger } from '../../log/logger.ts';
import { fileIdentity } from '../../util/file-identity.ts';
import type { Origin } from './origin.ts';

const log = createLogger('BlobGuard');

export interface BlobGuardDeps {
  pathFor(sha256: string): string;
  repair(sha256: string): Promise<BlobRepairOutcome>;
  /** A blob that could not be made again: what needs it fails, with the reason. */
  lost(sha256: string, reason: string): Promise<void> | void;
}

export type BlobAnswer =
  | { path: string; expect: SentContentExpectation }
  | { refused: number; code: string; message: string };

type Withheld =
  | { state: 'repairing' }
  /** `identity`: the file as it was left; once something writes it anew it is served (and checked) again. */
  | { state: 'lost'; reason: string; identity: string | null };

export class BlobGuard {
  private readonly deps: BlobGuardDeps;
  private readonly withheld = new Map<string, Withheld>();
  private readonly repairs = new Set<Promise<void>>();

  constructor(deps: BlobGuardDeps) {
    this.deps = deps;
  }

  /** What to send for a request of this blob: the file (checked as it streams), or why not. */
  async serve(sha256: string): Promise<BlobAnswer> {
    const path = this.deps.pathFor(sha256);
    const held = this.withheld.get(sha256);
    if (held?.state === 'repairing') {
      return {
        refused: 410,
        code: 'blob-repairing',
        message: 'this blob failed its checksum here; it is being made again',
      };
    }
    if (held?.state === 'lost') {
      if ((await fileIdentity(path)) === held.identity)
        return { refused: 410, code: 'blob-lost', message: held.reason };
      this.withheld.delete(sha256);
    }
    if (!existsSync(path)) return { refused: 404, code: 'not-found', message: 'no such blob' };
    return { path, expect: { sha256, onMismatch: (actual) => this.withhold(sha256, actual) } };
  }

  /** Resolves once no repair is under way. */
  async settled(): Promise<void> {
    while (this.repairs.size > 0) await Promise.allSettled([...this.repairs]);
  }

  /** Synchronous up to the mark, so no request that arrives after the mismatch gets the blob. */
  private withhold(sha256: string, actual: string): void {
    if (this.withheld.get(sha256)?.state === 'repairing') return;
    this.withheld.set(sha256, { state: 'repairing' });
    log.error('a blob did not match its checksum as it was served; withheld until it is repaired', {
      sha256,
      actual,
    });
    const run = this.repair(sha256).finally(() => this.repairs.delete(run));
    this.repairs.add(run);
  }

  private async repair(sha256: string): Promise<void> {
    const outcome = await this.deps
      .repair(sha256)
      .catch((error: unknown): BlobRepairOutcome => ({ ok: false, reason: errorMessage(error) }));
    if (outcome.ok) {
      this.withheld.delete(sha256);
      log.info('blob repaired', {
        sha256,
        job: outcome.by?.jobId ?? null,
        step: outcome.by?.stepKey ?? null,
      });
      return;
    }
    const identity = await fileIdentity(this.deps.pathFor(sha256));
    this.withheld.set(sha256, { state: 'lost', reason: outcome.reason, identity });
    log.error('blob could not be repaired; it stays withheld', { sha256, reason: outcome.reason });
    try {
      await this.deps.lost(sha256, outcome.reason);
    } catch (error) {
      log.warn('could not fail the tasks that need a lost blob', { sha256, error: errorMessage(error) });
    }
  }
}

/**
 * The encodes this node waits for whose plan needs a blob that is lost: they fail for good with the
 * reason (retrying would fetch the same damage), and their tasks leave the farm.
 */
export async function failTasksNeeding(
  origin: Pick<Origin, 'unfinished' | 'planOf' | 'failTask' | 'withdraw'>,
  sha256: string,
  reason: string,
): Promise<void> {
  for (const task of origin.unfinished()) {
    const assets = Object.values(origin.planOf(task.id)?.assets ?? {});
    if (!assets.some((asset) => asset.sha256 === sha256)) continue;
    origin.failTask(
      task.id,
      `its input ${sha256} is damaged on this node and could not be made again: ${reason}`,
    );
    await origin.withdraw(task.id);
  }
}
