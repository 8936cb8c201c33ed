import { basename } from 'node:path';
import { missingCharacters } from '../captions/glyph-coverage.ts';
import type { JobSettings } from '../engine/job-settings.ts';
import type { Diagnostic, ScriptDocument } from '../script/types.ts';
import { utterancesOf } from '../script/utterances.ts';
import { checkSpokenLength } from '../speech/spoken-length.ts';
import { captionFontFile, captionFontPath } from './captions-step.ts';
import { titleFontPath } from './plan-title.ts';

const quoted = (characters: string[]) => characters.map((c) => `"${c}"`).join(', ');

/**
 * The settings undrawableTextWarnings reads, for the input hash of a step that warns with it: a parse
 * reused for a job of another caption font repeated the first one's warnings, not its own.
 */
export function undrawableTextConfig(settings: JobSettings, resourcesDir: string): unknown {
  const { defaults } = settings.recipe;
  return {
    captionFont: defaults.captions.burnIn ? captionFontFile(settings) : null,
    titleFont: basename(titleFontPath(resourcesDir, defaults)),
  };
}

/**
 * What a job's settings make of a script that would still render, said before the job and recorded
 * with it (the check printed them, and the job kept none): a narration longer than the video preset
 * allows, text the video's fonts cannot draw.
 */
export async function scriptWarnings(
  document: ScriptDocument,
  settings: JobSettings,
  resourcesDir: string,
  estimatedMs: number,
): Promise<Omit<Diagnostic, 'file'>[]> {
  const tooLong = presetLengthWarning(document, settings, estimatedMs);
  // A font this build cannot read is the encode's to report; the warnings go on without it.
  const boxes = await undrawableTextWarnings(document, settings, resourcesDir).catch(() => []);
  return [...(tooLong ? [tooLong] : []), ...boxes];
}

/**
 * A warning, not an error, when the estimate passes the video preset's longest video: the estimate is
 * rough (±15 %), so the script still queues and the plan step, which knows the narration's real
 * length, is where it fails. The warning stands where the script passes the limit.
 */
function presetLengthWarning(
  document: ScriptDocument,
  settings: JobSettings,
  estimatedMs: number,
): Omit<Diagnostic, 'file'> | undefined {
  const max = settings.video.maxDurationSeconds;
  if (max === null || max === undefined || estimatedMs <= max * 1000) return undefined;
  const at = checkSpokenLength(document, settings.voice, max * 1000).estimate.passesLimitAt;
  const message =
    `the narration would last about ${Math.round(estimatedMs / 1000)} s; the video preset ` +
    `"${settings.video.slug}" allows at most ${max} s, passed here: the render will fail unless it is shorter`;
  return { line: at?.line ?? 1, col: at?.col ?? 1, severity: 'warning', message };
}

/**
 * Warnings for text the video would show as empty boxes: burned-in captions and the title are drawn
 * with one bundled font each, and a character it lacks (an emoji, Japanese) has no other font to come
 * from. Each is placed at the first sentence, or the title, that uses one.
 */
export async function undrawableTextWarnings(
  document: ScriptDocument,
  settings: JobSettings,
  resourcesDir: string,
): Promise<Omit<Diagnostic, 'file'>[]> {
  const warnings: Omit<Diagnostic, 'file'>[] = [];
  if (settings.recipe.defaults.captions.burnIn) {
    const path = captionFontPath(resourcesDir, settings);
    const font = basename(path);
    const spoken = [...utterancesOf(document)];
    const missing = await missingCharacters(path, spoken.map((u) => u.text).join('\n'));
    const first = spoken.find((u) => missing.some((c) => u.text.includes(c)));
    if (first) {
      warnings.push({
        line: first.line,
        col: first.col,
        severity: 'warning',
        message: `the captions cannot show ${quoted(missing)}: their font (${font}) has no such characters, so they appear as empty boxes`,
      });
    }
  }
  // The subtitle is drawn only under a title (plan-title.ts).
  const { title, subtitle } = document.meta;
  const titled = title === undefined ? '' : [title, subtitle ?? ''].join('\n');
  const path = titleFontPath(resourcesDir, settings.recipe.defaults);
  const missing = await missingCharacters(path, titled);
  if (missing.length > 0) {
    warnings.push({
      line: 1,
      col: 1,
      severity: 'warning',
      message: `the title card and thumbnail cannot show ${quoted(missing)}: their font has no such characters, so they appear as empty boxes`,
    });
  }
  return warnings;
}
