/**
 * WAV utilities for narration: durations from sample counts, format conversion through ffmpeg, and
 * a streaming concatenation that never holds more than one small buffer of audio in memory.
 */
import { createReadStream } from 'node:fs';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { partialPathFor } from '../util/atomic-file.ts';
import { SpeechError } from './errors.ts';
import { resolveExecutable, runTool } from './process.ts';
import { canonicalWavHeader, readWavHeader, WAV_HEADER_BYTES, type WavHeader } from './wav-header.ts';

export { readWavHeader, type WavHeader } from './wav-header.ts';

export interface WavFormat {
  sampleRate: number;
  channels: 1;
}

/** Both espeak-ng and macOS say produce 22.05 kHz natively, so nothing is resampled in the usual case. */
export const NARRATION_FORMAT: WavFormat = { sampleRate: 22050, channels: 1 };

export type WavPart = { wavPath: string } | { silenceMs: number } | { silenceFrames: number };

export interface WavToolOptions {
  /** ffmpeg binary used to convert parts in another format; found on PATH (and Homebrew) by default. */
  ffmpegPath?: string;
  signal?: AbortSignal;
}

export interface ConcatenatedWav {
  frameCount: number;
  /** Frames each part contributed, in order: what cue times are computed from. */
  partFrames: number[];
}

const COPY_CHUNK_BYTES = 1 << 16;
const ZEROS = Buffer.alloc(COPY_CHUNK_BYTES);

export function framesForMs(ms: number, sampleRate: number): number {
  return Math.round((ms * sampleRate) / 1000);
}

/** Exact (fractional) milliseconds of `frames` samples. */
export function msForFrames(frames: number, sampleRate: number): number {
  return (frames * 1000) / sampleRate;
}

/** Exact duration from the sample count in the header, not from a decoder's estimate. */
export async function wavDurationMs(path: string): Promise<number> {
  const header = await readWavHeader(path);
  return msForFrames(header.frameCount, header.sampleRate);
}

export function hasFormat(header: WavHeader, format: WavFormat): boolean {
  return header.sampleRate === format.sampleRate && header.channels === format.channels;
}

/** Re-encodes any audio ffmpeg can read into PCM s16le WAV of the given format. */
export async function convertWav(
  inPath: string,
  outPath: string,
  format: WavFormat,
  options: WavToolOptions = {},
): Promise<void> {
  const ffmpeg = options.ffmpegPath ?? resolveExecutable('ffmpeg');
  // "file:" stops ffmpeg from reading a colon in a path as a protocol name.
  const args = ['-nostdin', '-v', 'error', '-y', '-i', `file:${inPath}`];
  args.push('-ac', String(format.channels), '-ar', String(format.sampleRate));
  args.push('-c:a', 'pcm_s16le', '-f', 'wav', `file:${outPath}`);
  await runTool(ffmpeg, args, {
    toolName: 'ffmpeg',
    installHint: 'Install ffmpeg (apt-get install ffmpeg, or brew install ffmpeg on a Mac).',
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

async function writeFully(out: FileHandle, data: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await out.write(data, written, data.length - written, position + written);
    written += bytesWritten;
  }
}

async function appendSamples(
  out: FileHandle,
  position: number,
  header: WavHeader,
  path: string,
): Promise<void> {
  if (header.dataBytes === 0) return;
  const samples = createReadStream(path, {
    start: header.dataOffset,
    end: header.dataOffset + header.dataBytes - 1,
    highWaterMark: COPY_CHUNK_BYTES,
  });
  let offset = position;
  for await (const chunk of samples) {
    await writeFully(out, chunk as Buffer, offset);
    offset += (chunk as Buffer).length;
  }
}

async function appendSilence(out: FileHandle, position: number, bytes: number): Promise<void> {
  for (let done = 0; done < bytes; done += COPY_CHUNK_BYTES) {
    await writeFully(out, ZEROS.subarray(0, Math.min(COPY_CHUNK_BYTES, bytes - done)), position + done);
  }
}

function silenceFramesOf(
  part: { silenceMs: number } | { silenceFrames: number },
  sampleRate: number,
): number {
  const frames = 'silenceFrames' in part ? part.silenceFrames : framesForMs(part.silenceMs, sampleRate);
  if (!Number.isInteger(frames) || frames < 0) {
    throw new SpeechError(
      'invalid-wav',
      `A silence must last zero or more whole samples, got ${JSON.stringify(part)}`,
    );
  }
  return frames;
}

/**
 * Writes the parts one after another into a canonical WAV at outPath (not atomically: wrap it in
 * writeAtomically when the result must never be seen half-written). A part in another sample rate or
 * channel count is converted with ffmpeg through a temp file first.
 */
export async function concatenateWav(
  parts: WavPart[],
  outPath: string,
  format: WavFormat,
  options: WavToolOptions = {},
): Promise<ConcatenatedWav> {
  if (!Number.isInteger(format.sampleRate) || format.sampleRate < 1 || format.channels !== 1) {
    throw new SpeechError('invalid-wav', `Unsupported narration format ${JSON.stringify(format)}`);
  }
  const frameBytes = format.channels * 2;
  const partFrames: number[] = [];
  let dataBytes = 0;
  const out = await open(outPath, 'w');
  try {
    await writeFully(out, Buffer.alloc(WAV_HEADER_BYTES), 0);
    for (const part of parts) {
      options.signal?.throwIfAborted();
      const position = WAV_HEADER_BYTES + dataBytes;
      let frames: number;
      if ('wavPath' in part) {
        frames = await appendWavPart(out, position, part.wavPath, outPath, format, options);
      } else {
        frames = silenceFramesOf(part, format.sampleRate);
        await appendSilence(out, position, frames * frameBytes);
      }
      partFrames.push(frames);
      dataBytes += frames * frameBytes;
    }
    await writeFully(out, canonicalWavHeader(format, dataBytes), 0);
  } finally {
    await out.close();
  }
  return { frameCount: dataBytes / frameBytes, partFrames };
}

async function appendWavPart(
  out: FileHandle,
  position: number,
  wavPath: string,
  outPath: string,
  format: WavFormat,
  options: WavToolOptions,
): Promise<number> {
  const header = await readWavHeader(wavPath);
  if (hasFormat(header, format)) {
    await appendSamples(out, position, header, wavPath);
    return header.frameCount;
  }
  const converted = `${partialPathFor(outPath)}.wav`;
  try {
    await convertWav(wavPath, converted, format, options);
    const convertedHeader = await readWavHeader(converted);
    await appendSamples(out, position, convertedHeader, converted);
    return convertedHeader.frameCount;
  } finally {
    await rm(converted, { force: true });
  }
}
