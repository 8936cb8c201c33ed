/** Pieces both offline adapters share: voice-name checks, a retry-friendly memo, the text file step. */
import { rm, writeFile } from 'node:fs/promises';
import { writeAtomically } from '../util/atomic-file.ts';
import { SpeechError } from './errors.ts';
import { readWavHeader } from './wav-header.ts';

const MAX_VOICE_NAME_CHARS = 100;

/**
 * Voice names go into argv (never a shell), but a name starting with "-" could still be read as an
 * option, and control characters are never part of a real voice name.
 */
export function voiceNameProblem(engine: string, voice: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  const bad = voice.trim() === '' || voice.startsWith('-') || /[\u0000-\u001f\u007f]/.test(voice);
  if (!bad && voice.length <= MAX_VOICE_NAME_CHARS) return undefined;
  return `"${voice.slice(0, MAX_VOICE_NAME_CHARS)}" is not a valid ${engine} voice name`;
}

export function checkVoiceName(engine: string, voice: string): void {
  const problem = voiceNameProblem(engine, voice);
  if (problem) throw new SpeechError('invalid-voice', problem);
}

/**
 * Runs `speak(textFile, wavPath)` so the WAV appears at outPath only when complete and readable.
 * The text travels in a file beside the output, never in argv: no injection, no length limit.
 */
export async function synthesizeThroughTextFile(
  text: string,
  outPath: string,
  speak: (textFile: string, wavPath: string) => Promise<void>,
): Promise<void> {
  await writeAtomically(
    outPath,
    async (wavPath) => {
      const textFile = `${wavPath}.txt`;
      try {
        await writeFile(textFile, text, 'utf8');
        await speak(textFile, wavPath);
      } finally {
        await rm(textFile, { force: true });
      }
    },
    async (wavPath) => {
      await readWavHeader(wavPath);
    },
  );
}
