/**
 * One synthesis request through the Speech SDK: a fresh synthesizer (so a broken connection is never
 * reused), word boundaries collected as they arrive, the raw PCM from the completed result. Every way
 * the SDK can end (result, cancellation, error callback) and the ways it can fail to end (a message it
 * cannot parse, a service that goes quiet) become one settled promise.
 */
import type { WordTiming } from '../types.ts';
import { classifySdkFailure, malformedMessageProblem } from './classify.ts';
import { AzureSpeechError } from './errors.ts';
import { AZURE_OUTPUT, type AzureEndpoint, sdk, speechConfigFor } from './sdk.ts';

/**
 * What one request may bring back, known from its text before it is sent (chunkLimits): the service is
 * not trusted to end a turn, or to send as much audio and as many words as the text can take.
 */
export interface SynthesisLimits {
  /** The longest audio the text can make (its words spoken very slowly, its pauses, some slack). */
  maxAudioMs: number;
  /** The most word boundaries it can report. */
  maxWords: number;
  /** The shortest audio the text can make (its words spoken far faster than any voice speaks). */
  minAudioMs: number;
  /** The fewest word boundaries it can report: one, for a text with a letter in it. */
  minWords: number;
}

export interface SynthesisAttempt {
  ssml: string;
  key: string;
  endpoint: AzureEndpoint;
  /** Fail as 'network' when the service sends nothing for this long. */
  idleTimeoutMs: number;
  limits: SynthesisLimits;
  signal?: AbortSignal | undefined;
}

export interface RawSynthesis {
  /** PCM s16le mono at AZURE_OUTPUT.sampleRate, no header. */
  pcm: Buffer;
  /** Milliseconds from the start of the audio (the service reports 100-ns ticks, so they may be fractional). */
  words: WordTiming[];
}

const TICKS_PER_MS = 10_000;
/** Beyond the idle timeout, a request may take as long as its longest audio lasts: no real service is slower than real time. */
function deadlineMs(attempt: SynthesisAttempt): number {
  return attempt.idleTimeoutMs + attempt.limits.maxAudioMs;
}

function audioBytes(ms: number): number {
  return Math.ceil((ms * AZURE_OUTPUT.sampleRate) / 1000) * 2 * AZURE_OUTPUT.channels;
}

export function cancelledError(signal: AbortSignal | undefined): AzureSpeechError {
  return new AzureSpeechError('cancelled', 'Azure speech synthesis was cancelled', { cause: signal?.reason });
}

export function synthesizeOnce(attempt: SynthesisAttempt): Promise<RawSynthesis> {
  const { key, signal } = attempt;
  if (signal?.aborted) return Promise.reject(cancelledError(signal));
  return new Promise<RawSynthesis>((resolve, reject) => {
    const synthesizer = new sdk.SpeechSynthesizer(speechConfigFor(attempt.endpoint, key), null);
    const words: WordTiming[] = [];
    const { maxAudioMs, maxWords } = attempt.limits;
    const maxBytes = audioBytes(maxAudioMs);
    let received = 0;
    let settled = false;
    let idleTimer: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => {
      const seconds = Math.round(deadlineMs(attempt) / 1000);
      fail(new AzureSpeechError('bad-response', `Azure Speech took more than ${seconds} s for this text`));
    }, deadlineMs(attempt));
    const tooMuchAudio = (bytes: number): boolean => {
      if (bytes <= maxBytes) return false;
      const seconds = Math.round(maxAudioMs / 1000);
      fail(
        new AzureSpeechError(
          'bad-response',
          `Azure Speech sent more audio than this text can take (more than ${seconds} s)`,
        ),
      );
      return true;
    };

    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(idleTimer);
      signal?.removeEventListener('abort', onAbort);
      // Closing also drops the connection of a request still running (abort, idle, malformed).
      synthesizer.close(undefined, () => {});
      outcome();
    };
    const fail = (error: AzureSpeechError): void => settle(() => reject(error));
    const stillAlive = (): void => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        const seconds = Math.round(attempt.idleTimeoutMs / 100) / 10;
        fail(new AzureSpeechError('network', `Azure Speech stopped responding (nothing for ${seconds} s)`));
      }, attempt.idleTimeoutMs);
    };
    function onAbort(): void {
      fail(cancelledError(signal));
    }

    signal?.addEventListener('abort', onAbort, { once: true });
    synthesizer.wordBoundary = (_sender, event) => {
      stillAlive();
      if (event.boundaryType !== sdk.SpeechSynthesisBoundaryType.Word) return;
      const word = wordOf(event.text, event.audioOffset, event.duration);
      if (!word) return;
      if (words.length >= maxWords) {
        fail(
          new AzureSpeechError(
            'bad-response',
            `Azure Speech reported more words than this text holds (more than ${maxWords})`,
          ),
        );
        return;
      }
      words.push(word);
    };
    synthesizer.synthesizing = (_sender, event) => {
      stillAlive();
      received += event.result.audioData?.byteLength ?? 0;
      tooMuchAudio(received);
    };
    const connection = sdk.Connection.fromSynthesizer(synthesizer);
    connection.messageReceived = (event) => {
      stillAlive();
      const message = event.message;
      if (!message.isTextMessage) return;
      const problem = malformedMessageProblem(message.path, message.TextMessage);
      if (problem)
        fail(new AzureSpeechError('bad-response', `Azure Speech sent a broken answer: ${problem}`));
    };

    stillAlive();
    synthesizer.speakSsmlAsync(
      attempt.ssml,
      (result) => {
        if (result.reason === sdk.ResultReason.SynthesizingAudioCompleted) {
          const pcm = Buffer.from(result.audioData ?? new ArrayBuffer(0));
          if (tooMuchAudio(pcm.length)) return;
          const audioMs = (pcm.length / 2 / AZURE_OUTPUT.sampleRate) * 1000;
          const kept = inOrderWithin(words, audioMs);
          const short = tooLittle(audioMs, kept.length, attempt.limits);
          if (short) fail(new AzureSpeechError('bad-response', short));
          else settle(() => resolve({ pcm, words: kept }));
        } else if (result.reason === sdk.ResultReason.Canceled) {
          fail(classifySdkFailure(result.errorDetails ?? '', key));
        } else {
          const reason = sdk.ResultReason[result.reason] ?? String(result.reason);
          fail(
            new AzureSpeechError('bad-response', `Azure Speech ended the synthesis unexpectedly (${reason})`),
          );
        }
      },
      (error) => fail(classifySdkFailure(String(error), key)),
    );
  });
}

/** A word boundary as the service reported it, if it is one: a text and times that are numbers, not before the audio. */
function wordOf(text: unknown, offset: unknown, duration: unknown): WordTiming | undefined {
  if (typeof text !== 'string' || typeof offset !== 'number' || typeof duration !== 'number')
    return undefined;
  if (!Number.isFinite(offset) || !Number.isFinite(duration) || offset < 0 || duration < 0) return undefined;
  return { text, startMs: offset / TICKS_PER_MS, endMs: (offset + duration) / TICKS_PER_MS };
}

/**
 * Why a finished turn brought back less than its text makes: a turn cut short (2 bytes of sound for
 * forty words) was kept as the narration, a silent video with no captions, and reused by its hash.
 */
function tooLittle(audioMs: number, words: number, limits: SynthesisLimits): string | null {
  if (audioMs < limits.minAudioMs)
    return `Azure Speech sent ${Math.round(audioMs)} ms of audio, less than this text takes (at least ${limits.minAudioMs} ms)`;
  if (words < limits.minWords) return 'Azure Speech sent no word timings for a text with words';
  return null;
}

/**
 * The words that fit the audio, in the order they are spoken: a word starting after the audio ends,
 * or before the word reported ahead of it, is dropped (its sentence then has fewer timings, and the
 * layout captions it from the ones left); a word running past the end ends with the audio.
 */
export function inOrderWithin(words: WordTiming[], audioMs: number): WordTiming[] {
  const kept: WordTiming[] = [];
  for (const word of words) {
    const previous = kept.at(-1);
    if (word.startMs > audioMs || (previous && word.startMs < previous.startMs)) continue;
    kept.push({ ...word, endMs: Math.min(word.endMs, audioMs) });
  }
  return kept;
}
