/**
 * Whether a node that is also someone's workstation takes farm work now (OpenCue's NIMBY, Flamenco's
 * sleep schedule): only within its render hours, and not while its user works at it. Pure: the time
 * and the idle seconds are inputs.
 */
import { type TimeRange, withinRenderHours } from '../../../shared/render-hours.ts';

export interface YieldToUser {
  /** The user counts as present when the machine was touched within this many seconds. */
  idleSeconds: number;
  /** Also stop the running encodes (SIGSTOP) until the user is gone, not only the new leases. */
  suspend: boolean;
}

export interface WorkstationSettings {
  /** null: any time. */
  renderHours: { text: string; ranges: TimeRange[] } | null;
  /** null: never yields to a user. */
  yieldToUser: YieldToUser | null;
}

export interface WorkstationDecision {
  /** Why the node takes no new leases now; null when it takes them. */
  reason: string | null;
  /** Running encodes are to be suspended. */
  suspend: boolean;
}

export const TAKES_WORK: WorkstationDecision = { reason: null, suspend: false };

export function decideWorkstation(
  settings: WorkstationSettings,
  at: Date,
  idleSeconds: number | null,
): WorkstationDecision {
  const { yieldToUser, renderHours } = settings;
  if (yieldToUser && idleSeconds !== null && idleSeconds < yieldToUser.idleSeconds) {
    return {
      reason: `someone is using this computer (idle ${Math.floor(idleSeconds)} s, less than ${yieldToUser.idleSeconds} s)`,
      suspend: yieldToUser.suspend,
    };
  }
  if (renderHours && !withinRenderHours(renderHours.ranges, at)) {
    // Outside the hours nothing new starts; what runs finishes (like drain).
    return { reason: `outside its render hours (${renderHours.text})`, suspend: false };
  }
  return TAKES_WORK;
}
