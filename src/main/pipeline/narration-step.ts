import { join } from 'node:path';
import { StepError, type StepErrorKind } from '../engine/errors.ts';
import type { HashContext, StepHandler } from '../engine/step-handler.ts';
import type { ScriptDocument, Utterance } from '../script/types.ts';
import { SpeechError, synthesizeNarration } from '../speech/index.ts';
import { readInputJson, writeWorkJson } from './files.ts';
import type { PipelineServices } from './services.ts';

const NARRATION_VERSION = 'narration/1';

/**
 * ScriptDocument → one narration WAV plus exact cue and scene timings (per-cue synthesis, so caption
 * times match the audio to the sample).
 */
export function narrationStep(services: PipelineServices): StepHandler {
  const voiceConfig = ({ settings }: HashContext) => {
    const v = settings.voice;
    return { provider: v.provider, voiceNames: v.voiceNames, language: v.language, prosody: v.prosody };
  };
  return {
    kind: 'speech.synthesize',
    async version({ settings }) {
      const { synthesizer } = await services.synthesizer(settings.voice.provider);
      return `${NARRATION_VERSION}/${synthesizer.id}/${await synthesizer.version()}`;
    },
    config: voiceConfig,
    // Voices switched to inside the script are presets too: their current names belong in the hash.
    async fingerprint({ inputs }) {
      const document = await readInputJson<ScriptDocument>(inputs, 'script', 'document');
      const switched: Record<string, Record<string, string> | null> = {};
      for (const u of utterancesOf(document)) {
        if (u.voice && !(u.voice in switched)) switched[u.voice] = services.voiceNamesOf(u.voice) ?? null;
      }
      return switched;
    },
    async run(ctx) {
      const document = await readInputJson<ScriptDocument>(ctx.inputs, 'script', 'document');
      const voice = ctx.settings.voice;
      const { synthesizer, fallbackFrom } = await services.synthesizer(voice.provider);
      if (fallbackFrom)
        ctx.warn(`${fallbackFrom} voice unavailable: narrated with the offline voice instead`);
      const jobVoice = voice.voiceNames[synthesizer.id];
      if (!jobVoice) {
        throw new StepError('fatal', `voice preset "${voice.slug}" names no voice for ${synthesizer.id}`);
      }
      const voiceFor = (u: Utterance): string => {
        if (!u.voice) return jobVoice;
        return services.voiceNamesOf(u.voice)?.[synthesizer.id] ?? u.voice;
      };
      const outPath = join(ctx.workDir, 'narration.wav');
      const narration = await synthesizeNarration({
        document,
        synthesizer,
        voiceFor,
        baseProsody: voice.prosody,
        workDir: join(ctx.workDir, 'parts'),
        outPath,
        signal: ctx.signal,
        onProgress: ctx.progress,
      }).catch((error: unknown) => {
        throw asStepError(error);
      });
      return {
        files: {
          audio: { path: outPath, type: 'audio', metadata: { durationMs: narration.durationMs } },
          timings: { path: await writeWorkJson(ctx, 'timings.json', narration), type: 'timings' },
        },
        data: { durationMs: narration.durationMs, cues: narration.cues.length, synthesizer: synthesizer.id },
      };
    },
  };
}

/** A wrong voice name or prosody is the script's or preset's fault: retrying cannot fix it. */
function asStepError(error: unknown): unknown {
  if (!(error instanceof SpeechError)) return error;
  const kind = SPEECH_ERROR_KINDS[error.kind] ?? 'retryable';
  return new StepError(kind, error.message, { cause: error });
}

const SPEECH_ERROR_KINDS: Partial<Record<SpeechError['kind'], StepErrorKind>> = {
  'invalid-voice': 'invalid-input',
  'invalid-prosody': 'invalid-input',
  'nothing-to-say': 'invalid-input',
  'engine-missing': 'fatal',
};

function* utterancesOf(document: ScriptDocument): Generator<Utterance> {
  for (const scene of document.scenes) {
    for (const item of scene.items) if (item.kind === 'speech') yield item;
  }
}
