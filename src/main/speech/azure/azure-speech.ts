/**
 * Azure neural speech: SSML in, a PCM WAV and the word timings the service reported out. Throttling
 * and network trouble are retried a bounded number of times with backoff; anything else fails at once
 * with an AzureSpeechError whose message is safe to show (the key never appears in it, nor in logs).
 */
import { writeFile } from 'node:fs/promises';
import { createLogger } from '../../log/logger.ts';
import { writeAtomically } from '../../util/atomic-file.ts';
import type { WordTiming } from '../types.ts';
import { canonicalWavHeader } from '../wav-header.ts';
import { AzureSpeechError, type AzureSpeechErrorKind, redactSecret } from './errors.ts';
import { AZURE_OUTPUT, type AzureEndpoint, endpointFrom, SDK_VERSION } from './sdk.ts';
import { ssmlLimits } from './ssml-limits.ts';
import { cancelledError, type RawSynthesis, synthesizeOnce } from './synthesize-once.ts';

export interface AzureSpeechOptions {
  key: string;
  /** Azure region, e.g. "westeurope". */
  region?: string;
  /** A ws:// or wss:// host used instead of the region's (tests point it at a local fake). */
  host?: string;
  /** Attempts per request, the first included (default 3). */
  maxAttempts?: number;
  /** Waits between attempts; injectable so tests need not wait. Must reject when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A request fails as 'network' when the service sends nothing for this long (default 30 s). */
  idleTimeoutMs?: number;
}

export interface AzureSynthesis {
  /** Exact length of the written audio. */
  durationMs: number;
  /** Times in ms from the start of this audio (may be fractional: the service reports 100-ns ticks). */
  words: WordTiming[];
}

export interface AzureSpeech {
  readonly id: 'azure';
  readonly sampleRate: number;
  /** Part of a step's input hash: a new SDK or output format re-synthesizes. */
  version(): Promise<string>;
  /** True when a key and a usable region or host are set; never throws, never calls the service. */
  available(): Promise<boolean>;
  /** Writes a PCM s16le mono WAV to outWavPath atomically. */
  synthesizeSsml(ssml: string, outWavPath: string, signal?: AbortSignal): Promise<AzureSynthesis>;
}

const log = createLogger('AzureSpeech');
const FIRST_RETRY_DELAY_MS: Record<AzureSpeechErrorKind, number> = {
  throttled: 4_000,
  network: 1_000,
  'not-configured': 0,
  auth: 0,
  'bad-response': 0,
  cancelled: 0,
  'invalid-ssml': 0,
};

/** Exponential backoff; throttling waits longer because the quota needs time to refill. */
export function retryDelayMs(kind: AzureSpeechErrorKind, failedAttempt: number): number {
  return FIRST_RETRY_DELAY_MS[kind] * 2 ** (failedAttempt - 1);
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort(): void {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function checkAudio(raw: RawSynthesis): void {
  if (raw.pcm.length === 0) throw new AzureSpeechError('bad-response', 'Azure Speech returned no audio');
  if (raw.pcm.length % 2 !== 0) {
    throw new AzureSpeechError('bad-response', 'Azure Speech returned audio that is not 16-bit PCM');
  }
}

/** Printable ASCII without spaces: what a subscription key is made of. */
const KEY_CHARACTERS = /^[\x21-\x7e]+$/;

export function createAzureSpeech(options: AzureSpeechOptions): AzureSpeech {
  const key = options.key ?? '';
  const endpoint = endpointFrom(options);
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 3));
  const sleep = options.sleep ?? abortableSleep;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;

  const configured = (): AzureEndpoint => {
    if (key.trim() === '') throw new AzureSpeechError('not-configured', 'Azure Speech needs a speech key');
    // It goes into a header: a key pasted with its line break failed as "Could not connect", 3 times.
    if (!KEY_CHARACTERS.test(key))
      throw new AzureSpeechError(
        'not-configured',
        'The Azure Speech key has characters a key cannot have (a space or a line break pasted with it?)',
      );
    if ('problem' in endpoint)
      throw new AzureSpeechError('not-configured', redactSecret(endpoint.problem, key));
    return endpoint;
  };

  const attempts = async (
    ssml: string,
    target: AzureEndpoint,
    signal?: AbortSignal,
  ): Promise<RawSynthesis> => {
    const limits = ssmlLimits(ssml);
    for (let attempt = 1; ; attempt++) {
      try {
        const raw = await synthesizeOnce({ ssml, key, endpoint: target, idleTimeoutMs, limits, signal });
        checkAudio(raw);
        return raw;
      } catch (error) {
        if (!(error instanceof AzureSpeechError) || !error.retryable || attempt >= maxAttempts) throw error;
        const delayMs = retryDelayMs(error.kind, attempt);
        log.warn('Azure Speech request failed; retrying', {
          kind: error.kind,
          attempt,
          maxAttempts,
          delayMs,
        });
        try {
          await sleep(delayMs, signal);
        } catch {
          throw cancelledError(signal);
        }
      }
    }
  };

  return {
    id: 'azure',
    sampleRate: AZURE_OUTPUT.sampleRate,
    version: async () => `azure-speech-sdk ${SDK_VERSION} ${AZURE_OUTPUT.name}`,
    available: async () => KEY_CHARACTERS.test(key) && !('problem' in endpoint),
    async synthesizeSsml(ssml, outWavPath, signal) {
      const target = configured();
      if (!/^\s*<speak[\s>]/.test(ssml)) {
        throw new AzureSpeechError(
          'invalid-ssml',
          'The text to synthesize is not SSML (it must start with <speak>)',
        );
      }
      const started = Date.now();
      const raw = await attempts(ssml, target, signal);
      await writeAtomically(outWavPath, (temp) =>
        writeFile(temp, Buffer.concat([canonicalWavHeader(AZURE_OUTPUT, raw.pcm.length), raw.pcm])),
      );
      const durationMs = (raw.pcm.length / 2 / AZURE_OUTPUT.sampleRate) * 1000;
      log.debug('Azure speech synthesized', {
        ssmlChars: ssml.length,
        durationMs,
        words: raw.words.length,
        elapsedMs: Date.now() - started,
      });
      return { durationMs, words: raw.words };
    },
  };
}
