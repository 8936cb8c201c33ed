/**
 * A cap on the audio a narration may write, charged as each clip or chunk lands on disk: a script
 * that slipped past the length check (a rate the estimate did not foresee, words without spaces) is
 * stopped within one clip of its budget instead of filling the disk first.
 */
import { formatSize } from '../util/disk-room.ts';
import { SpeechError } from './errors.ts';
import { formatLength } from './spoken-length.ts';
import { framesForMs, type WavFormat } from './wav.ts';

export class OutputBudget {
  readonly limitBytes: number;
  readonly limitMs: number;
  private used = 0;

  /** The bytes `maxMs` of PCM s16 audio take in `format` (a clip's 44-byte header aside). */
  constructor(maxMs: number, format: WavFormat) {
    this.limitMs = maxMs;
    this.limitBytes = framesForMs(maxMs, format.sampleRate) * format.channels * 2;
  }

  get usedBytes(): number {
    return this.used;
  }

  /** Counts bytes just written; throws once the total passes the limit. */
  charge(bytes: number): void {
    this.used += bytes;
    if (this.used > this.limitBytes) {
      throw this.exceeded(
        `the narration passed its budget of ${formatLength(this.limitMs)} ` +
          `(${formatSize(this.limitBytes)} of audio) here and was stopped`,
      );
    }
  }

  /** Refuses a whole narration of `frames` samples before it is written, when it would pass the limit. */
  checkTotal(frames: number, format: WavFormat, where: string): void {
    const bytes = frames * format.channels * 2;
    if (bytes <= this.limitBytes) return;
    const ms = (frames * 1000) / format.sampleRate;
    throw this.exceeded(
      `${where}: the narration would last ${formatLength(ms)}, past its budget of ${formatLength(this.limitMs)}; ` +
        'it was not written',
    );
  }

  private exceeded(message: string): SpeechError {
    return new SpeechError('over-budget', `${message}: shorten the script or split it`);
  }
}
