import { join } from 'node:path';
import { z } from 'zod';
import { PLAN_LIMITS } from '../../shared/render-plan.ts';
import type { PipelineStep } from '../db/schema.ts';
import { StepError, type StepErrorKind } from '../engine/errors.ts';
import type { VideoSettings } from '../engine/job-settings.ts';
import type { HashContext, StepContext, StepHandler } from '../engine/step-handler.ts';
import { DATA_FOLDERS } from '../paths.ts';
import type { ScriptDocument, Utterance } from '../script/types.ts';
import type { AzureSpeech } from '../speech/azure/azure-speech.ts';
import { AzureSpeechError } from '../speech/azure/errors.ts';
import { synthesizeAzureNarration } from '../speech/azure/narration.ts';
import { type Narration, SpeechError, synthesizeNarration } from '../speech/index.ts';
import { readInputJson, writeWorkJson } from './files.ts';
import { azureVoiceName, offlineVoiceName, switchedVoiceNames } from './inline-voices.ts';
import type { PipelineServices } from './services.ts';
import { ssmlVoiceOf } from './ssml-step.ts';

const NARRATION_VERSION = 'narration/2';
// /3: offline timings also hold each word's estimated time (Azure's always held its word boundaries).
const OFFLINE_NARRATION_VERSION = 'narration/3';

/**
 * ScriptDocument → one narration WAV plus exact cue and scene timings. Azure presets speak through the
 * neural voice (word boundaries give the caption times); offline presets — and Azure presets when Azure
 * is not configured, with a visible warning — use per-sentence offline synthesis.
 */
export function narrationStep(services: PipelineServices): StepHandler {
  /** The engine that will actually speak: part of the hash, so configuring Azure re-runs narration. */
  const engineFor = async (provider: string): Promise<AzureSpeech | undefined> =>
    provider === 'azure' ? services.azureSpeech() : undefined;
  return {
    kind: 'speech.synthesize',
    // A recipe of short clips caps its narration: see narrationBudget.
    options: z.strictObject({ maxSeconds: z.number().positive().finite().optional() }),
    needs: { script: 'script.parse' },
    async version({ settings }) {
      const azure = await engineFor(settings.voice.provider);
      if (azure) return `${NARRATION_VERSION}/azure/${await azure.version()}`;
      const offline = await services.offlineSynthesizer();
      return `${OFFLINE_NARRATION_VERSION}/${offline.id}/${await offline.version()}`;
    },
    config: ({ settings }: HashContext) => {
      const v = settings.voice;
      return {
        provider: v.provider,
        voiceNames: v.voiceNames,
        language: v.language,
        prosody: v.prosody,
        style: v.style,
        styleDegree: v.styleDegree,
        role: v.role,
      };
    },
    // Voices switched to inside the script are presets too: their current names belong in the hash.
    async fingerprint({ inputs }) {
      const document = await readInputJson<ScriptDocument>(inputs, 'script', 'document');
      return switchedVoiceNames(document, services.voiceNamesOf);
    },
    async run(ctx) {
      const document = await readInputJson<ScriptDocument>(ctx.inputs, 'script', 'document');
      const voice = ctx.settings.voice;
      const azure = await engineFor(voice.provider);
      if (voice.provider === 'azure' && !azure) {
        ctx.warn(
          'Azure Speech is not configured (AZURE_SPEECH_KEY and AZURE_SPEECH_REGION): narrated with the offline voice instead',
        );
      }
      const outPath = join(ctx.workDir, 'narration.wav');
      const budget = narrationBudget(ctx.step, ctx.settings.video);
      const narration = await (azure
        ? speakWithAzure(ctx, document, azure, outPath, budget.ms)
        : speakOffline(ctx, document, outPath, budget.ms)
      ).catch((error: unknown) => {
        throw asStepError(
          budget.why && isOverBudget(error)
            ? new SpeechError('over-budget', `${error.message} (${budget.why})`)
            : error,
        );
      });
      return {
        files: {
          audio: { path: outPath, type: 'audio', metadata: { durationMs: narration.durationMs } },
          timings: { path: await writeWorkJson(ctx, 'timings.json', narration), type: 'timings' },
        },
        data: {
          durationMs: narration.durationMs,
          cues: narration.cues.length,
          engine: azure ? 'azure' : 'offline',
        },
      };
    },
  };

  async function speakOffline(
    ctx: StepContext,
    document: ScriptDocument,
    outPath: string,
    maxDurationMs: number,
  ): Promise<Narration> {
    const voice = ctx.settings.voice;
    const synthesizer = await services.offlineSynthesizer();
    const jobVoice = voice.voiceNames[synthesizer.id];
    if (!jobVoice)
      throw new StepError('fatal', `voice preset "${voice.slug}" names no voice for ${synthesizer.id}`);
    const voiceFor = (u: Utterance): string =>
      u.voice ? offlineVoiceName(u.voice, synthesizer.id, services.voiceNamesOf) : jobVoice;
    return synthesizeNarration({
      document,
      synthesizer,
      voiceFor,
      baseProsody: voice.prosody,
      workDir: join(ctx.workDir, 'parts'),
      outPath,
      maxDurationMs,
      signal: ctx.signal,
      onProgress: ctx.progress,
    });
  }

  function speakWithAzure(
    ctx: StepContext,
    document: ScriptDocument,
    speech: AzureSpeech,
    outPath: string,
    maxDurationMs: number,
  ) {
    return synthesizeAzureNarration({
      document,
      voice: ssmlVoiceOf(ctx.settings.voice),
      resolveVoiceName: azureVoiceName(services.voiceNamesOf),
      speech,
      // Shared by attempts and jobs: a chunk Azure already spoke (and was paid for) is not asked again
      // when a later one failed (every attempt asked for them all), nor when another scene of the
      // script was edited (every chunk was asked again: its cache was the job's).
      workDir: join(services.dataDir, DATA_FOLDERS.speech, 'azure'),
      outPath,
      maxDurationMs,
      signal: ctx.signal,
      onProgress: ctx.progress,
    });
  }
}

/**
 * The narration's output budget: no longer than the longest video a plan allows, than the video
 * preset allows (the plan step refuses a longer one: a narration of 253 s for a preset of 60 s was
 * spoken whole, and paid for, first), or than the step's own `maxSeconds` (recipe data:
 * `with: { maxSeconds: 60 }` for a recipe of short clips). Not part of the input hash: a narration
 * within it is the same whatever the budget was.
 */
function narrationBudget(step: PipelineStep, video: VideoSettings): { ms: number; why?: string } {
  // A positive number, or none: the recipe was compiled with the step's options.
  const seconds = step.with?.maxSeconds as number | undefined;
  const ownMs =
    seconds === undefined ? PLAN_LIMITS.maxDurationMs : Math.min(seconds * 1000, PLAN_LIMITS.maxDurationMs);
  const presetMs = video.maxDurationSeconds ? video.maxDurationSeconds * 1000 : Number.POSITIVE_INFINITY;
  if (presetMs >= ownMs) return { ms: ownMs };
  return {
    ms: presetMs,
    why: `the video preset "${video.slug}" allows at most ${video.maxDurationSeconds} s`,
  };
}

const isOverBudget = (error: unknown): error is SpeechError =>
  error instanceof SpeechError && error.kind === 'over-budget';

/** Failures retrying cannot fix — a wrong voice, a rejected key — must not be retried. */
function asStepError(error: unknown): unknown {
  if (error instanceof SpeechError) {
    return new StepError(SPEECH_ERROR_KINDS[error.kind] ?? 'retryable', error.message, { cause: error });
  }
  if (error instanceof AzureSpeechError) {
    return new StepError(AZURE_ERROR_KINDS[error.kind] ?? 'retryable', error.message);
  }
  return error;
}

const SPEECH_ERROR_KINDS: Partial<Record<SpeechError['kind'], StepErrorKind>> = {
  'invalid-voice': 'invalid-input',
  'invalid-prosody': 'invalid-input',
  'nothing-to-say': 'invalid-input',
  'engine-missing': 'fatal',
  // Too long a script, caught while it was spoken: retrying would only make as much audio again.
  'over-budget': 'invalid-input',
};

/**
 * Throttling and a flaky network were retried by the adapter, with its backoff, for each chunk; each
 * attempt of the engine's did all that again (9 requests for a chunk, found by attacking the Azure
 * adapter): they fail the step, and `vfo jobs retry` tries again.
 */
const AZURE_ERROR_KINDS: Partial<Record<AzureSpeechError['kind'], StepErrorKind>> = {
  throttled: 'fatal',
  network: 'fatal',
  auth: 'fatal',
  'not-configured': 'fatal',
  'invalid-ssml': 'invalid-input',
  'bad-response': 'fatal',
  cancelled: 'cancelled',
};
