/**
 * macOS `say` adapter: the Mac's built-in offline voice. say obeys embedded "[[...]]" commands in its
 * input, so the script's own "[[" is broken up (literalSpokenText) and only the pitch command this
 * adapter adds itself is ever obeyed.
 */
import { rename, rm } from 'node:fs/promises';
import { release } from 'node:os';
import { createLogger } from '../log/logger.ts';
import { memoizeSuccess } from '../util/memoize-success.ts';
import { checkVoiceName, synthesizeThroughTextFile, voiceNameProblem } from './engine-common.ts';
import { SpeechError } from './errors.ts';
import { resolveExecutable, runTool } from './process.ts';
import { sayPitchCommand, sayWordsPerMinute } from './prosody.ts';
import { literalSpokenText } from './spoken-text.ts';
import type { SpeechRequest, SpeechResult, SpeechSynthesizer, VoiceInfo } from './types.ts';

export interface SayOptions {
  /** say binary; /usr/bin/say on every Mac. */
  binary?: string;
  /** Words per minute for a rate of "+0%"; passed explicitly so every voice speaks at a known rate. */
  baseWordsPerMinute?: number;
  /** Longest one synthesis may take before it is killed. */
  timeoutMs?: number;
}

const log = createLogger('SaySynthesizer');
const INSTALL_HINT = 'say ships with macOS (/usr/bin/say); on other systems use espeak-ng instead.';
const QUERY_TIMEOUT_MS = 15_000;
/** Native rate of the classic voices: no resampling, and the narration format is the same. */
const SAY_DATA_FORMAT = '--data-format=LEI16@22050';

/** The exact text file content: an optional pitch command of ours, then the literal script text. */
export function sayInputText(request: SpeechRequest): string {
  return `${sayPitchCommand(request.pitch)}${literalSpokenText(request.text)}`;
}

export function sayArguments(
  request: SpeechRequest,
  textFile: string,
  wavPath: string,
  baseWordsPerMinute: number,
): string[] {
  const wordsPerMinute = sayWordsPerMinute(request.rate, baseWordsPerMinute);
  return [
    '-v',
    request.voice,
    '-r',
    String(wordsPerMinute),
    '-o',
    wavPath,
    '--file-format=WAVE',
    SAY_DATA_FORMAT,
    '-f',
    textFile,
  ];
}

/** `say -v '?'` lines look like "Eddy (English (UK)) en_GB    # Hello! My name is Eddy." */
export function parseSayVoices(listing: string): VoiceInfo[] {
  const voices: VoiceInfo[] = [];
  for (const line of listing.split('\n')) {
    const match = /^(.+?)\s+([A-Za-z]{2,3}(?:[_-][A-Za-z0-9]+)*)\s+#/.exec(line.trim());
    if (!match) continue;
    voices.push({ name: (match[1] as string).trim(), language: (match[2] as string).replace(/_/g, '-') });
  }
  return voices;
}

export function createSaySynthesizer(options: SayOptions = {}): SpeechSynthesizer {
  const binary = options.binary ?? resolveExecutable('say', ['/usr/bin']);
  const baseWordsPerMinute = options.baseWordsPerMinute ?? 175;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const tool = { toolName: 'say', installHint: INSTALL_HINT };

  const listVoices = memoizeSuccess(async () => {
    const run = await runTool(binary, ['-v', '?'], { ...tool, timeoutMs: QUERY_TIMEOUT_MS });
    return parseSayVoices(run.stdout);
  });

  const synthesizeToWav = async (
    request: SpeechRequest,
    outPath: string,
    signal?: AbortSignal,
  ): Promise<SpeechResult> => {
    checkVoiceName('say', request.voice);
    const text = sayInputText(request);
    await synthesizeThroughTextFile(text, outPath, async (textFile, wavPath) => {
      // say picks the container from the extension when it can: give it a .wav name, then move it.
      const sayOutput = `${wavPath}.wav`;
      const args = sayArguments(request, textFile, sayOutput, baseWordsPerMinute);
      log.debug('synthesizing', { voice: request.voice, chars: text.length });
      try {
        await runTool(binary, args, { ...tool, timeoutMs, ...(signal ? { signal } : {}) });
        await rename(sayOutput, wavPath);
      } catch (error) {
        if (error instanceof SpeechError && /voice\b.*\bnot found/i.test(error.message)) {
          throw new SpeechError(
            'invalid-voice',
            `say has no voice "${request.voice}"; \`say -v '?'\` lists them`,
            {
              cause: error,
            },
          );
        }
        throw error;
      } finally {
        await rm(sayOutput, { force: true });
      }
    });
    return {};
  };

  return {
    id: 'say',
    // say has no version flag; its voices change with macOS releases, which change the kernel release.
    version: async () => `darwin-${release()}`,
    available: () =>
      listVoices().then(
        () => true,
        () => false,
      ),
    voices: listVoices,
    // Only the name's form: `say -v '?'` lists names in a form ("Eddy (English (UK))") that say -v also
    // takes shorter, so a lookup here could refuse a voice the Mac speaks; say itself says which.
    voiceProblem: async (voice) => voiceNameProblem('say', voice),
    synthesizeToWav,
  };
}
