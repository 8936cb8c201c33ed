/**
 * Applies the workstation policy to this node's worker: every couple of seconds it reads the settings
 * (a change applies without a restart) and the idle time, and tells the worker whether to take new
 * leases and whether its running encodes are to be suspended.
 */
import { createLogger } from '../../log/logger.ts';
import type { IdleTime } from './idle-time.ts';
import {
  decideWorkstation,
  type WorkstationDecision,
  type WorkstationSettings,
} from './workstation-policy.ts';

const log = createLogger('Workstation');

/** ioreg answers in ~30 ms; a person sitting down waits at most this long for the farm to step back. */
export const WORKSTATION_POLL_MS = 2000;

export interface WorkstationTarget {
  /** null: take work; a reason: no new leases. */
  setYield(reason: string | null): void;
  /** Stop (or continue) the encodes running now. */
  suspendEncodes(suspend: boolean): void;
}

export interface WorkstationGuardDeps {
  settings(): WorkstationSettings;
  idle: IdleTime | null;
  target: WorkstationTarget;
}

export interface WorkstationGuard {
  /** Decide once now (also what the timer does). */
  check(): Promise<WorkstationDecision>;
  stop(): void;
}

export function startWorkstationGuard(deps: WorkstationGuardDeps): WorkstationGuard {
  let current: WorkstationDecision = { reason: null, suspend: false };
  let checking: Promise<WorkstationDecision> | null = null;
  const check = (): Promise<WorkstationDecision> => {
    checking ??= (async () => {
      try {
        const settings = deps.settings();
        // No need to ask the system for the idle time when nothing depends on it.
        const idle = settings.yieldToUser && deps.idle ? await deps.idle.seconds() : null;
        const next = decideWorkstation(settings, new Date(), idle);
        if (next.reason !== current.reason || next.suspend !== current.suspend) {
          log.info(next.reason ? 'this node steps back from farm work' : 'this node takes farm work again', {
            reason: next.reason,
            suspend: next.suspend,
          });
          deps.target.setYield(next.reason);
          if (next.suspend !== current.suspend) deps.target.suspendEncodes(next.suspend);
          current = next;
        }
        return current;
      } finally {
        checking = null;
      }
    })();
    return checking;
  };
  const timer = setInterval(
    () =>
      void check().catch((error: unknown) =>
        log.warn('could not apply the workstation settings', { error: String(error) }),
      ),
    WORKSTATION_POLL_MS,
  );
  timer.unref?.();
  return { check, stop: () => clearInterval(timer) };
}
