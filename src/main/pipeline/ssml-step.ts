import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NO_OPTIONS, type StepHandler } from '../engine/step-handler.ts';
import { buildDocumentSsml } from '../script/index.ts';
import type { ScriptDocument } from '../script/types.ts';
import { readInputJson } from './files.ts';
import { azureVoiceName, type InlineVoiceServices, switchedVoiceNames } from './inline-voices.ts';

// /2: a voice switched to is named as Azure knows it (it was the preset's slug: "azure-es-dalia").
const SSML_VERSION = 'ssml/2';

/** ScriptDocument → SSML for the job's voice (what a neural voice speaks; also shown by `vfo check --ssml`). */
export function ssmlStep(services: Pick<InlineVoiceServices, 'voiceNamesOf'>): StepHandler {
  return {
    kind: 'speech.ssml',
    options: NO_OPTIONS,
    needs: { script: 'script.parse' },
    version: () => SSML_VERSION,
    config: ({ settings }) => {
      const v = settings.voice;
      return {
        voiceNames: v.voiceNames,
        language: v.language,
        style: v.style,
        styleDegree: v.styleDegree,
        role: v.role,
        prosody: v.prosody,
      };
    },
    async fingerprint({ inputs }) {
      const document = await readInputJson<ScriptDocument>(inputs, 'script', 'document');
      return switchedVoiceNames(document, services.voiceNamesOf);
    },
    async run(ctx) {
      const document = await readInputJson<ScriptDocument>(ctx.inputs, 'script', 'document');
      const v = ctx.settings.voice;
      const ssml = buildDocumentSsml(document, ssmlVoiceOf(v), azureVoiceName(services.voiceNamesOf));
      const path = join(ctx.workDir, 'speech.ssml');
      await writeFile(path, ssml);
      return { files: { ssml: { path, type: 'ssml' } } };
    },
  };
}

export function ssmlVoiceOf(v: {
  voiceNames: Record<string, string>;
  language: string;
  style: string | null;
  styleDegree: number | null;
  role: string | null;
  prosody: { rate?: string; pitch?: string };
}) {
  return {
    name: v.voiceNames.azure ?? Object.values(v.voiceNames)[0] ?? 'default',
    language: v.language,
    ...(v.style ? { style: v.style } : {}),
    ...(v.styleDegree !== null ? { styleDegree: v.styleDegree } : {}),
    ...(v.role ? { role: v.role } : {}),
    prosody: v.prosody,
  };
}
