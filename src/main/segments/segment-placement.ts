/**
 * Segments are joined packet for packet, so every segment of a video must come out of the same
 * encoder. The plan lists encoders in order of preference; the first one some node with a free slot
 * has is pinned, and the free slots of the nodes that have it are what the video is split for.
 */
import type { RenderPlan } from '../../shared/render-plan.ts';
import { type SplitPolicy, splitPlan } from './split-plan.ts';

/** One node's encode capacity right now. */
export interface EncodeCapacity {
  encoders: string[];
  freeSlots: number;
}

export function segmentEncoder(
  preferences: string[],
  nodes: EncodeCapacity[],
): { encoder: string; slots: number } | null {
  for (const encoder of preferences) {
    const slots = nodes
      .filter((n) => n.encoders.includes(encoder))
      .reduce((sum, n) => sum + Math.max(0, n.freeSlots), 0);
    if (slots > 0) return { encoder, slots };
  }
  return null;
}

/**
 * The plans to send to the farm for one video: the plan itself (renders whole, any worker may take
 * it), or its segments, pinned to one encoder.
 */
export function planSegments(
  plan: RenderPlan,
  nodes: EncodeCapacity[],
  policy: SplitPolicy | null,
): RenderPlan[] {
  const choice = policy ? segmentEncoder(plan.output.encoders, nodes) : null;
  if (!policy || !choice || choice.slots < 2) return [plan];
  const pinned: RenderPlan = { ...plan, output: { ...plan.output, encoders: [choice.encoder] } };
  const parts = splitPlan(pinned, choice.slots, policy);
  return parts.length < 2 ? [plan] : parts;
}
