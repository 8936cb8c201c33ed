import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildAss, buildSrt } from '../captions/index.ts';
import type { StepHandler } from '../engine/step-handler.ts';
import type { Narration } from '../speech/index.ts';
import { readInputJson } from './files.ts';

// /2: the SRT's last cue ends with a blank line too.
const CAPTIONS_VERSION = 'captions/2';
/** The family name inside the bundled font file (resources/fonts), which libass matches on. */
export const CAPTION_FONT_NAME = 'DejaVu Sans';
export const CAPTION_FONT_FILE = 'DejaVuSans-Bold.ttf';

/** Narration timings → ASS (burned in) and SRT (a sidecar for players and platforms). */
export function captionsStep(): StepHandler {
  return {
    kind: 'captions.build',
    version: () => CAPTIONS_VERSION,
    config: ({ settings }) => ({
      width: settings.video.width,
      height: settings.video.height,
      fontSize: settings.recipe.defaults.captions.fontSize,
      fontName: CAPTION_FONT_NAME,
    }),
    async run(ctx) {
      const narration = await readInputJson<Narration>(ctx.inputs, 'narration', 'timings');
      const { width, height } = ctx.settings.video;
      const ass = buildAss(narration.cues, {
        width,
        height,
        fontName: CAPTION_FONT_NAME,
        fontSize: ctx.settings.recipe.defaults.captions.fontSize,
      });
      const assPath = join(ctx.workDir, 'captions.ass');
      const srtPath = join(ctx.workDir, 'captions.srt');
      await writeFile(assPath, ass);
      await writeFile(srtPath, buildSrt(narration.cues));
      return {
        files: { ass: { path: assPath, type: 'subtitles' }, srt: { path: srtPath, type: 'subtitles' } },
        data: { cues: narration.cues.length },
      };
    },
  };
}
