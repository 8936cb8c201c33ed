/**
 * Segments are joined packet for packet, so every segment of a video must come out of the same
 * encoder. The plan lists encoders in order of preference; the first one some node with a free slot
 * has is pinned, and the free slots of the nodes that have it are what the video is split for.
 */
import type { RenderPlan } from '../../shared/render-plan.ts';
import { scenesPerEncode } from '../ffmpeg/index.ts';
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
 * it), or its segments, pinned to one encoder. A video with more scenes than one encode may hold
 * (scenesPerEncode) is always sent in segments, free slots or not: they wait in the queue.
 */
export function planSegments(
  plan: RenderPlan,
  nodes: EncodeCapacity[],
  policy: SplitPolicy | null,
): RenderPlan[] {
  const choice = policy ? segmentEncoder(plan.output.encoders, nodes) : null;
  const tooManyScenes = plan.scenes.length > scenesPerEncode(plan);
  if (!tooManyScenes && (!policy || !choice || choice.slots < 2)) return [plan];
  // The first encoder a node has, busy or not: the segments wait for it. With none online, the plan's
  // last (its most common: libx264 after the hardware ones), which a node joining later most likely has.
  const encoder =
    choice?.encoder ??
    plan.output.encoders.find((e) => nodes.some((n) => n.encoders.includes(e))) ??
    (plan.output.encoders.at(-1) as string);
  const pinned: RenderPlan = { ...plan, output: { ...plan.output, encoders: [encoder] } };
  const parts = splitPlan(pinned, choice?.slots ?? 1, policy ?? { minSegmentMs: 0 });
  return parts.length < 2 ? [plan] : parts;
}
