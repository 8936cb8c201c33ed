/**
 * How fast an encode goes and when it will be done: what people plan with, not a bare percentage.
 * One shape and one wording for the CLI, the app and the menu bar, so the three never disagree.
 */
import { z } from 'zod';

/** Every field is optional: ffmpeg reports N/A at the start of an encode, and other steps have no rate. */
export const ProgressRateSchema = z.object({
  /** Frames encoded per second of wall time. */
  fps: z.number().min(0).max(1_000_000).optional(),
  /** Seconds of video encoded per second of wall time (ffmpeg's "speed", e.g. 2.1×). */
  speed: z.number().min(0).max(1_000_000).optional(),
  /** Milliseconds until the encode (or the job) is done, at the current speed. */
  etaMs: z
    .number()
    .min(0)
    .max(30 * 24 * 3600 * 1000)
    .optional(),
});
export type ProgressRate = z.infer<typeof ProgressRateSchema>;

/** The longest wait worth stating: beyond this an estimate says nothing useful ("more than a week"). */
const MAX_ETA_MS = 7 * 24 * 3600 * 1000;

/**
 * Time left for `remainingMs` of video at `speed`× real time; undefined while the speed is unknown
 * or zero (ffmpeg's first blocks), so nothing is promised that cannot be kept.
 */
export function etaOf(remainingMs: number, speed: number | undefined): number | undefined {
  if (speed === undefined || !Number.isFinite(speed) || speed <= 0) return undefined;
  const eta = Math.max(0, remainingMs) / speed;
  return Number.isFinite(eta) ? Math.min(eta, MAX_ETA_MS) : undefined;
}

/** "0:07", "4:05", "1:02:09": a clock, which reads at a glance and does not jitter in width much. */
export function formatEta(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}

/** "87 fps", "12.5 fps" (below 20 the decimal matters), "0.4 fps". */
export function formatFps(fps: number): string {
  return `${fps >= 20 ? Math.round(fps) : fps.toFixed(1)} fps`;
}

/** "2.1×", "0.45×", "12×": how many seconds of video one second of encoding makes. */
export function formatSpeed(speed: number): string {
  if (speed >= 10) return `${Math.round(speed)}×`;
  if (speed >= 1) return `${speed.toFixed(1)}×`;
  return `${speed.toFixed(2)}×`;
}

/** The parts that are known, e.g. ["87 fps", "2.1×", "ETA 0:32"]; empty when nothing is. */
export function rateParts(rate: ProgressRate | undefined): string[] {
  if (!rate) return [];
  const parts: string[] = [];
  if (rate.fps !== undefined) parts.push(formatFps(rate.fps));
  if (rate.speed !== undefined) parts.push(formatSpeed(rate.speed));
  if (rate.etaMs !== undefined) parts.push(`ETA ${formatEta(rate.etaMs)}`);
  return parts;
}

/** "87 fps · 2.1× · ETA 0:32", or '' when nothing is known. */
export function describeRate(rate: ProgressRate | undefined): string {
  return rateParts(rate).join(' · ');
}

/** Only the fields that are set (JSON and zod strict objects do not want `undefined` values). */
export function compactRate(rate: ProgressRate | undefined): ProgressRate | undefined {
  if (!rate) return undefined;
  const out: ProgressRate = {};
  if (rate.fps !== undefined && Number.isFinite(rate.fps)) out.fps = rate.fps;
  if (rate.speed !== undefined && Number.isFinite(rate.speed)) out.speed = rate.speed;
  if (rate.etaMs !== undefined && Number.isFinite(rate.etaMs)) out.etaMs = rate.etaMs;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** One encode of several running together (segments of one video on several workers). */
export interface EncodePart {
  /** How much video this part is, in milliseconds. */
  durationMs: number;
  /** 0..1 of this part. */
  fraction: number;
  rate?: ProgressRate | undefined;
}

/**
 * How the time left of a video in parts is estimated. `pooled`: the video still to encode over the
 * parts' combined speed — for the farm, where a part may still wait for a worker (it counts as video to
 * encode, so the estimate grows honest as workers free up rather than promising the fastest part's
 * finish). `slowest`: the latest of the running parts' own estimates — for parts that all start at once
 * on one machine's cores, where a part that is done frees no speed for the others.
 */
export type PartsEta = 'pooled' | 'slowest';

/**
 * The progress of one video made of parts encoded at once: the fraction weighted by each part's length,
 * frames and speed added up (the parts run side by side), and the time left as `eta` says.
 */
export function combineParts(
  parts: readonly EncodePart[],
  eta: PartsEta = 'pooled',
): { fraction: number; rate?: ProgressRate } {
  const total = parts.reduce((sum, p) => sum + Math.max(0, p.durationMs), 0);
  if (total <= 0) return { fraction: parts.length > 0 && parts.every((p) => p.fraction >= 1) ? 1 : 0 };
  let done = 0;
  let fps = 0;
  let speed = 0;
  let anyFps = false;
  let anySpeed = false;
  let slowestMs: number | undefined = 0;
  for (const part of parts) {
    const fraction = Math.min(1, Math.max(0, part.fraction));
    done += fraction * Math.max(0, part.durationMs);
    if (fraction >= 1) continue;
    if (part.rate?.fps !== undefined) {
      fps += part.rate.fps;
      anyFps = true;
    }
    if (part.rate?.speed !== undefined) {
      speed += part.rate.speed;
      anySpeed = true;
    }
    // One running part with no estimate yet (ffmpeg's N/A at its start) leaves the video's unknown.
    const partEta = part.rate?.etaMs;
    slowestMs = partEta === undefined || slowestMs === undefined ? undefined : Math.max(slowestMs, partEta);
  }
  const slowest = done < total ? slowestMs : undefined;
  const rate = compactRate({
    ...(anyFps ? { fps } : {}),
    ...(anySpeed ? { speed } : {}),
    etaMs: eta === 'slowest' ? slowest : etaOf(total - done, anySpeed ? speed : undefined),
  });
  return rate ? { fraction: done / total, rate } : { fraction: done / total };
}
