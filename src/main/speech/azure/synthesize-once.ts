/**
 * One synthesis request through the Speech SDK: a fresh synthesizer (so a broken connection is never
 * reused), word boundaries collected as they arrive, the raw PCM from the completed result. Every way
 * the SDK can end (result, cancellation, error callback) and the ways it can fail to end (a message it
 * cannot parse, a service that goes quiet) become one settled promise.
 */
import type { WordTiming } from '../types.ts';
import { classifySdkFailure, malformedMessageProblem } from './classify.ts';
import { AzureSpeechError } from './errors.ts';
import { type AzureEndpoint, sdk, speechConfigFor } from './sdk.ts';

export interface SynthesisAttempt {
  ssml: string;
  key: string;
  endpoint: AzureEndpoint;
  /** Fail as 'network' when the service sends nothing for this long. */
  idleTimeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface RawSynthesis {
  /** PCM s16le mono at AZURE_OUTPUT.sampleRate, no header. */
  pcm: Buffer;
  /** Milliseconds from the start of the audio (the service reports 100-ns ticks, so they may be fractional). */
  words: WordTiming[];
}

const TICKS_PER_MS = 10_000;

export function cancelledError(signal: AbortSignal | undefined): AzureSpeechError {
  return new AzureSpeechError('cancelled', 'Azure speech synthesis was cancelled', { cause: signal?.reason });
}

export function synthesizeOnce(attempt: SynthesisAttempt): Promise<RawSynthesis> {
  const { key, signal } = attempt;
  if (signal?.aborted) return Promise.reject(cancelledError(signal));
  return new Promise<RawSynthesis>((resolve, reject) => {
    const synthesizer = new sdk.SpeechSynthesizer(speechConfigFor(attempt.endpoint, key), null);
    const words: WordTiming[] = [];
    let settled = false;
    let idleTimer: NodeJS.Timeout | undefined;

    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
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
      words.push({
        text: event.text,
        startMs: event.audioOffset / TICKS_PER_MS,
        endMs: (event.audioOffset + event.duration) / TICKS_PER_MS,
      });
    };
    synthesizer.synthesizing = () => stillAlive();
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
          settle(() => resolve({ pcm, words }));
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
