import type { VoiceSettings } from '../engine/job-settings.ts';
import type { Diagnostic, ScriptDocument, Utterance } from '../script/types.ts';
import { utterancesOf } from '../script/utterances.ts';
import { SpeechError } from '../speech/errors.ts';
import type { PipelineServices } from './services.ts';

/** What finding the offline engine's name for a `[voice X]` needs. */
export type InlineVoiceServices = Pick<PipelineServices, 'offlineSynthesizer' | 'voiceNamesOf'>;

/**
 * The offline engine's name for a `[voice X]`: the name preset X gives that engine, else X itself as
 * one of the engine's own voices. The narration speaks with it; the check asks the engine about it.
 */
export function offlineVoiceName(
  voice: string,
  synthesizerId: string,
  voiceNamesOf: InlineVoiceServices['voiceNamesOf'],
): string {
  return voiceNamesOf(voice)?.[synthesizerId] ?? voice;
}

/**
 * Azure's name for a `[voice X]`: the name preset X gives Azure, else X itself (one of Azure's). A
 * preset that gives Azure no name is refused: its slug was sent to Azure as a voice, and failed there.
 */
export function azureVoiceName(voiceNamesOf: InlineVoiceServices['voiceNamesOf']): (voice: string) => string {
  return (voice) => {
    const names = voiceNamesOf(voice);
    if (!names) return voice;
    if (names.azure) return names.azure;
    throw new SpeechError('invalid-voice', noAzureName(voice));
  };
}

const noAzureName = (voice: string) =>
  `voice preset "${voice}" names no Azure voice, and this job speaks with Azure: give the preset an Azure voice, or switch to one of Azure's voices`;

/**
 * The names each voice a script switches to has now, for a step's input hash: those voices are
 * presets too, and editing one must make its speech again.
 */
export function switchedVoiceNames(
  document: ScriptDocument,
  voiceNamesOf: InlineVoiceServices['voiceNamesOf'],
): Record<string, Record<string, string> | null> {
  const switched: Record<string, Record<string, string> | null> = {};
  for (const u of utterancesOf(document)) {
    if (u.voice && !(u.voice in switched)) switched[u.voice] = voiceNamesOf(u.voice) ?? null;
  }
  return switched;
}

/**
 * Each `[voice X]` the job's engine cannot speak, at its first sentence, before any job exists:
 * espeak-ng speaks an unknown name with its default voice, so the narration looks every name up,
 * and a typo failed the job mid-narration after `vfo check` had said ok. For Azure only a preset
 * without an Azure name is found here: only the service knows its own list, and it is not asked
 * before a job.
 */
export async function inlineVoiceProblems(
  document: ScriptDocument,
  voice: Pick<VoiceSettings, 'provider'>,
  services: InlineVoiceServices,
): Promise<Omit<Diagnostic, 'file'>[]> {
  const first = new Map<string, Utterance>();
  for (const u of utterancesOf(document)) if (u.voice && !first.has(u.voice)) first.set(u.voice, u);
  if (first.size === 0) return [];
  const problems: Omit<Diagnostic, 'file'>[] = [];
  const at = (u: Utterance, message: string) =>
    problems.push({ ...(u.voiceAt ?? { line: u.line, col: u.col }), severity: 'error', message });
  if (voice.provider === 'azure') {
    for (const [name, u] of first) {
      const names = services.voiceNamesOf(name);
      if (names && !names.azure) at(u, noAzureName(name));
    }
    return problems;
  }
  try {
    const synthesizer = await services.offlineSynthesizer();
    for (const [name, u] of first) {
      const problem = await synthesizer.voiceProblem(
        offlineVoiceName(name, synthesizer.id, services.voiceNamesOf),
      );
      if (problem) at(u, problem);
    }
  } catch (error) {
    // No offline voice on this machine (espeak-ng missing): said where a voice is first switched to,
    // not as the check's own failure.
    const [u] = first.values();
    if (u) at(u, `cannot look up the voice: ${error instanceof Error ? error.message : String(error)}`);
  }
  return problems;
}
