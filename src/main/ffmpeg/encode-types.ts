/**
 * The encode contract shared by the client, the runner process and the in-process runEncode.
 * Everything crossing the process boundary is plain JSON and is parsed again on arrival.
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { PLAN_LIMITS, type RenderPlan, validateRenderPlan } from '../../shared/render-plan.ts';
import type { CaptionBox } from './caption-overlay.ts';
import { FfmpegError, type FfmpegErrorKind } from './errors.ts';
import type { FfmpegProgress } from './progress.ts';
import type { VideoFacts } from './verify.ts';

export interface EncodeRequest {
  ffmpegPath: string;
  ffprobePath: string | null;
  plan: RenderPlan;
  /** Absolute file path of every asset the plan uses, by asset id. */
  assetPaths: Record<string, string>;
  /** Absolute path of the finished video; written only after it verified. */
  outPath: string;
  encoder: string;
  threads?: number;
  fontsDir?: string;
  /**
   * Where the whole video's captions draw, measured once by whoever splits it (measureVideoCaptionBox):
   * the parts of one video on one machine share it. Absent: the encode measures it itself.
   */
  captionBox?: CaptionBox | null;
}

export interface EncodeResult {
  outPath: string;
  encoder: string;
  /** Exactly the ffmpeg arguments that ran, with the final out path (re-runnable by a benchmark). */
  args: string[];
  facts: VideoFacts;
  elapsedMs: number;
}

export interface EncodeOptions {
  onProgress?: (progress: FfmpegProgress) => void;
  /** ffmpeg started: its pid and the partial file it writes (lets a parent clean up after a crash). */
  onStarted?: (info: { ffmpegPid: number; partialPath: string }) => void;
  signal?: AbortSignal;
}

export type RunnerInbound = { type: 'encode'; request: EncodeRequest } | { type: 'cancel' };

export type RunnerOutbound =
  | { type: 'started'; ffmpegPid: number; partialPath: string }
  | { type: 'progress'; fraction: number; outTimeMs: number; speed?: number; fps?: number; etaMs?: number }
  | { type: 'done'; result: EncodeResult }
  | { type: 'error'; kind: FfmpegErrorKind; message: string };

const absolutePath = z.string().min(1).refine(isAbsolute, 'must be an absolute path');

/** The most threads one encode is given (`--threads`, a request's `threads`). */
export const MAX_ENCODE_THREADS = 256;

/** Where captions draw (caption-overlay.ts), as it crosses a process or comes back from the database. */
export const CaptionBoxSchema = z.strictObject({
  x: z.number().int().min(0).max(PLAN_LIMITS.maxDimension),
  y: z.number().int().min(0).max(PLAN_LIMITS.maxDimension),
  width: z.number().int().min(1).max(PLAN_LIMITS.maxDimension),
  height: z.number().int().min(1).max(PLAN_LIMITS.maxDimension),
});

const RequestShape = z.object({
  ffmpegPath: absolutePath,
  ffprobePath: absolutePath.nullable(),
  plan: z.unknown(),
  assetPaths: z.record(z.string(), absolutePath),
  outPath: absolutePath,
  encoder: z.string().regex(/^[a-z0-9_]+$/, 'must be an ffmpeg encoder name'),
  threads: z.number().int().min(1).max(MAX_ENCODE_THREADS).optional(),
  fontsDir: absolutePath.optional(),
  captionBox: CaptionBoxSchema.nullable().optional(),
});

/** Never trust a request: it may come from another process or another machine. */
export function parseEncodeRequest(input: unknown): EncodeRequest {
  const shape = RequestShape.safeParse(input);
  if (!shape.success) {
    const issues = shape.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`);
    throw new FfmpegError('invalid-request', `invalid encode request: ${issues.join('; ')}`);
  }
  const plan = validateRenderPlan(shape.data.plan);
  if (!plan.ok) throw new FfmpegError('invalid-plan', `invalid render plan: ${plan.errors.join('; ')}`);
  const { plan: _unchecked, ...rest } = shape.data;
  return { ...rest, plan: plan.plan };
}

export function parseRunnerInbound(message: unknown): RunnerInbound | null {
  if (!message || typeof message !== 'object') return null;
  const m = message as { type?: unknown; request?: unknown };
  if (m.type === 'cancel') return { type: 'cancel' };
  // The request itself is validated by runEncode, which reports problems as typed errors.
  if (m.type === 'encode') return { type: 'encode', request: m.request as EncodeRequest };
  return null;
}

/**
 * Where an encode keeps its side files (the zooms' keyframe commands) while ffmpeg runs: beside its
 * partial video, named from it, so whoever removes the one after a killed runner removes the other
 * (in the system's temporary folder, a runner killed with -9 left them for good).
 */
export function sideDirOf(partialPath: string): string {
  return `${partialPath}.side`;
}
