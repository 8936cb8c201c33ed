import { join } from 'node:path';
import { missingCharacters } from '../captions/glyph-coverage.ts';
import type { JobSettings } from '../engine/job-settings.ts';
import type { Diagnostic, ScriptDocument } from '../script/types.ts';
import { utterancesOf } from '../script/utterances.ts';
import { captionFontFile } from './captions-step.ts';
import { titleFontPath } from './plan-title.ts';

const quoted = (characters: string[]) => characters.map((c) => `"${c}"`).join(', ');

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
    const font = captionFontFile(settings);
    const path = join(resourcesDir, 'fonts', font);
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
