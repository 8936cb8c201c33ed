/**
 * Parses ffmpeg's `-progress` output: key=value lines in blocks that end with
 * `progress=continue` or `progress=end`. Chunks can split lines anywhere. ffmpeg's `fps` and `speed`
 * are averages since the encode started, so they are steady enough to plan with (an ETA from them
 * does not jump with every scene).
 */
import { etaOf } from '../../shared/progress-rate.ts';

export interface FfmpegProgress {
  /** 0..1 of the expected duration. */
  fraction: number;
  outTimeMs: number;
  /** Encode speed as a multiple of real time; absent while ffmpeg reports N/A. */
  speed?: number;
  /** Frames encoded per second; absent until ffmpeg has a figure. */
  fps?: number;
  /** Time left at the current speed; absent while the speed is unknown. */
  etaMs?: number;
}

export interface ProgressBlock {
  outTimeMs: number | null;
  speed: number | null;
  /** null while ffmpeg has no figure yet (it reports 0.00 until the first second of work). */
  fps: number | null;
  frame: number | null;
  done: boolean;
}

export class ProgressParser {
  private pending = '';
  private fields = new Map<string, string>();
  private readonly onBlock: (block: ProgressBlock) => void;

  constructor(onBlock: (block: ProgressBlock) => void) {
    this.onBlock = onBlock;
  }

  push(chunk: string): void {
    const text = this.pending + chunk;
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.handleLine(line.trim());
  }

  private handleLine(line: string): void {
    const eq = line.indexOf('=');
    if (eq <= 0) return;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key !== 'progress') {
      this.fields.set(key, value);
      return;
    }
    this.onBlock({
      outTimeMs: outTimeMsOf(this.fields),
      speed: parseSpeed(this.fields.get('speed')),
      fps: parseFps(this.fields.get('fps')),
      frame: parseCount(this.fields.get('frame')),
      done: value === 'end',
    });
    this.fields = new Map();
  }
}

/** out_time_us and out_time_ms are BOTH microseconds (the latter is misnamed); out_time is H:MM:SS.micro. */
function outTimeMsOf(fields: Map<string, string>): number | null {
  for (const key of ['out_time_us', 'out_time_ms']) {
    const raw = fields.get(key);
    if (raw && /^-?\d+$/.test(raw)) return Math.max(0, Number(raw) / 1000);
  }
  const clock = /^(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(fields.get('out_time') ?? '');
  if (clock) {
    if (clock[1]) return 0;
    return (Number(clock[2]) * 3600 + Number(clock[3]) * 60 + Number(clock[4])) * 1000;
  }
  return null;
}

/** "speed=   2.3x", "speed=N/A" → 2.3, null. */
export function parseSpeed(raw: string | undefined): number | null {
  const match = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)x\s*$/i.exec(raw ?? '');
  return match ? Number(match[1]) : null;
}

/** "87.5" → 87.5; "0.00" (no figure yet), "N/A" or junk → null. */
export function parseFps(raw: string | undefined): number | null {
  const value = Number(raw?.trim());
  return raw !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(raw) && value > 0 ? value : null;
}

function parseCount(raw: string | undefined): number | null {
  return raw !== undefined && /^\s*\d+\s*$/.test(raw) ? Number(raw) : null;
}

export function toProgress(block: ProgressBlock, durationMs: number, lastOutTimeMs: number): FfmpegProgress {
  const outTimeMs = block.done ? durationMs : Math.max(lastOutTimeMs, block.outTimeMs ?? 0);
  const fraction = durationMs > 0 ? Math.min(1, Math.max(0, outTimeMs / durationMs)) : 1;
  const progress: FfmpegProgress = { fraction, outTimeMs: Math.min(outTimeMs, durationMs) };
  // ffmpeg says "0x" before it has measured anything: that is no speed, not a standstill.
  const speed = block.speed !== null && block.speed > 0 ? block.speed : undefined;
  if (speed !== undefined) progress.speed = speed;
  if (block.fps !== null) progress.fps = block.fps;
  const etaMs = block.done ? 0 : etaOf(durationMs - progress.outTimeMs, speed);
  if (etaMs !== undefined) progress.etaMs = etaMs;
  return progress;
}
