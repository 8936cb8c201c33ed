/**
 * espeak-ng adapter: the Linux stand-in for the Mac's voice (and usable on a Mac via Homebrew).
 * Without -m espeak-ng reads no SSML, so "<b>" and "&" are spoken as written; "[[" (its phoneme
 * input) is broken up by literalSpokenText.
 */
import { basename, dirname } from 'node:path';
import { createLogger } from '../log/logger.ts';
import { memoizeSuccess } from '../util/memoize-success.ts';
import { synthesizeThroughTextFile, voiceNameProblem } from './engine-common.ts';
import { SpeechError } from './errors.ts';
import { espeakVoiceChecker, parseEspeakVoiceTable, voicesFromTable } from './espeak-voices.ts';
import { resolveExecutable, runTool } from './process.ts';
import { espeakPitch, espeakWordsPerMinute } from './prosody.ts';
import { literalSpokenText } from './spoken-text.ts';
import type { SpeechRequest, SpeechResult, SpeechSynthesizer } from './types.ts';

export interface EspeakOptions {
  /** espeak-ng binary; found on PATH (and Homebrew folders) by default. */
  binary?: string;
  /** Words per minute for a rate of "+0%" (espeak-ng's own default is 175). */
  baseWordsPerMinute?: number;
  /** Longest one synthesis may take before it is killed. */
  timeoutMs?: number;
}

const log = createLogger('EspeakSynthesizer');
const INSTALL_HINT = 'Install espeak-ng (apt-get install espeak-ng, or brew install espeak-ng on a Mac).';
const QUERY_TIMEOUT_MS = 15_000;

/** "eSpeak NG text-to-speech: 1.51  Data at: ..." → "1.51". */
export function parseEspeakVersion(output: string): string {
  const line = output.trim().split('\n')[0] ?? '';
  return /text-to-speech:\s*(\S+)/.exec(line)?.[1] ?? line.trim();
}

export function espeakArguments(
  request: SpeechRequest,
  textFile: string,
  wavPath: string,
  baseWordsPerMinute: number,
): string[] {
  const speed = espeakWordsPerMinute(request.rate, baseWordsPerMinute);
  const pitch = espeakPitch(request.pitch);
  // -b 1: the text file is UTF-8 whatever the locale says.
  return [
    '-b',
    '1',
    '-v',
    request.voice,
    '-s',
    String(speed),
    '-p',
    String(pitch),
    '-w',
    wavPath,
    '-f',
    textFile,
  ];
}

export function createEspeakSynthesizer(options: EspeakOptions = {}): SpeechSynthesizer {
  const binary = options.binary ?? resolveExecutable('espeak-ng');
  const baseWordsPerMinute = options.baseWordsPerMinute ?? 175;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const tool = { toolName: 'espeak-ng', installHint: INSTALL_HINT };

  const version = memoizeSuccess(async () => {
    const run = await runTool(binary, ['--version'], { ...tool, timeoutMs: QUERY_TIMEOUT_MS });
    return parseEspeakVersion(run.stdout);
  });

  const listVoiceTable = async (which: string) => {
    const run = await runTool(binary, [which], { ...tool, timeoutMs: QUERY_TIMEOUT_MS });
    return parseEspeakVoiceTable(run.stdout);
  };
  const voiceChecker = memoizeSuccess(async () => {
    const [voices, variants] = await Promise.all([
      listVoiceTable('--voices'),
      listVoiceTable('--voices=variant'),
    ]);
    return espeakVoiceChecker(voices, variants);
  });

  // espeak-ng speaks an unknown voice silently with its default one: every name is looked up first.
  const voiceProblem = async (voice: string): Promise<string | undefined> => {
    const badName = voiceNameProblem('espeak-ng', voice);
    if (badName || (await voiceChecker()).accepts(voice)) return badName;
    return `espeak-ng has no voice "${voice}"; \`espeak-ng --voices\` lists them (add a variant as "en-us+f3")`;
  };

  const synthesizeToWav = async (
    request: SpeechRequest,
    outPath: string,
    signal?: AbortSignal,
  ): Promise<SpeechResult> => {
    signal?.throwIfAborted();
    const problem = await voiceProblem(request.voice);
    if (problem) throw new SpeechError('invalid-voice', problem);
    const text = literalSpokenText(request.text);
    await synthesizeThroughTextFile(text, outPath, async (textFile, wavPath) => {
      // espeak-ng keeps file names in 200-byte buffers and cuts longer ones (a deep data folder): it
      // runs in the clip's folder and is given bare names.
      const args = espeakArguments(request, basename(textFile), basename(wavPath), baseWordsPerMinute);
      log.debug('synthesizing', { voice: request.voice, chars: text.length, args: args.slice(0, 8) });
      try {
        await runTool(binary, args, {
          ...tool,
          timeoutMs,
          cwd: dirname(wavPath),
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        if (error instanceof SpeechError && /voice does not exist/i.test(error.message)) {
          throw new SpeechError(
            'invalid-voice',
            `espeak-ng has no voice "${request.voice}"; \`espeak-ng --voices\` lists them`,
            { cause: error },
          );
        }
        throw error;
      }
    });
    return {};
  };

  return {
    id: 'espeak-ng',
    version,
    available: () =>
      version().then(
        () => true,
        () => false,
      ),
    voiceProblem,
    voices: async () => voicesFromTable(await listVoiceTable('--voices')),
    synthesizeToWav,
  };
}
