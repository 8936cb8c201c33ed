/**
 * One synthesized utterance on disk, named by everything that shapes its sound (engine, engine
 * version, request, format): an unchanged line is never synthesized twice, a changed one never reused.
 */
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { partialPathFor, writeAtomically } from '../util/atomic-file.ts';
import { hashJson } from '../util/hash.ts';
import type { SpeechRequest, SpeechSynthesizer } from './types.ts';
import { convertWav, hasFormat, readWavHeader, type WavFormat } from './wav.ts';

export interface ClipOptions {
  synthesizer: SpeechSynthesizer;
  engineVersion: string;
  workDir: string;
  format: WavFormat;
  signal?: AbortSignal | undefined;
  ffmpegPath?: string | undefined;
}

export interface SpeechClip {
  wavPath: string;
  /** Makes sure wavPath holds the clip in the requested format, synthesizing only when needed. */
  prepare(): Promise<void>;
}

async function isUsable(path: string, format: WavFormat): Promise<boolean> {
  try {
    return hasFormat(await readWavHeader(path), format);
  } catch {
    return false;
  }
}

export function clipFor(request: SpeechRequest, options: ClipOptions): SpeechClip {
  const { synthesizer, format, signal } = options;
  const key = hashJson({ engine: synthesizer.id, version: options.engineVersion, request, format });
  const wavPath = join(options.workDir, `speech-${key.slice(0, 32)}.wav`);
  const prepare = async (): Promise<void> => {
    if (await isUsable(wavPath, format)) return;
    // Stopped while the cache was looked at (another clip passed the budget): nothing is started.
    signal?.throwIfAborted();
    // Files only appear complete, so an existing clip in the right format can be trusted as is.
    const enginePath = `${partialPathFor(wavPath)}.wav`;
    try {
      await synthesizer.synthesizeToWav(request, enginePath, signal);
      if (hasFormat(await readWavHeader(enginePath), format)) {
        await rename(enginePath, wavPath);
        return;
      }
      const toolOptions = {
        ...(signal ? { signal } : {}),
        ...(options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {}),
      };
      await writeAtomically(wavPath, (temp) => convertWav(enginePath, temp, format, toolOptions));
    } finally {
      await rm(enginePath, { force: true });
    }
  };
  return { wavPath, prepare };
}
