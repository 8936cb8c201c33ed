import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CAPTION_FONTS, DEFAULT_CAPTION_STYLE } from '../../shared/caption-styles.ts';
import { assLineWidth } from '../captions/font-file.ts';
import { buildAss, buildSrt, CaptionError } from '../captions/index.ts';
import { SEED_CAPTION_STYLES } from '../db/seed-data.ts';
import { StepError } from '../engine/errors.ts';
import type { CaptionStyleSettings, JobSettings } from '../engine/job-settings.ts';
import { NO_OPTIONS, type StepHandler } from '../engine/step-handler.ts';
import type { Narration } from '../speech/index.ts';
import { readInputJson } from './files.ts';
import type { PipelineServices } from './services.ts';

// /2: the look comes from the job's caption style, and words are lit from the narration's word timings.
// /3: the SRT's last cue ends with a blank line too.
// /4: lines are as wide as the font draws them, not as many characters as an average glyph allows.
const CAPTIONS_VERSION = 'captions/4';

/**
 * The caption style a job runs with. A job made before caption styles froze none: it keeps the look
 * captions had then, which is the seeded "clean" style's first version.
 */
export function captionStyleOf(settings: JobSettings): CaptionStyleSettings {
  if (settings.captionStyle) return settings.captionStyle;
  const seeded = SEED_CAPTION_STYLES.find((style) => style.slug === DEFAULT_CAPTION_STYLE);
  const { name: _name, ...clean } = seeded as (typeof SEED_CAPTION_STYLES)[number];
  return { ...clean, version: 1 };
}

/** The bundled font file (under resources/fonts) the job's captions are drawn with. */
export function captionFontFile(settings: JobSettings): string {
  const style = captionStyleOf(settings);
  const font = CAPTION_FONTS[style.font] as (typeof CAPTION_FONTS)[keyof typeof CAPTION_FONTS] | undefined;
  // Only a style saved by a newer build (with more fonts) can name one this build does not ship.
  if (!font) {
    throw new StepError(
      'invalid-input',
      `caption style "${style.slug}" v${style.version} names the font "${style.font}", which this build does not bundle`,
    );
  }
  return font.file;
}

/** Where the job's caption font lies: the only font handed to libass, so it cannot pick another. */
export function captionFontPath(resourcesDir: string, settings: JobSettings): string {
  return join(resourcesDir, 'fonts', captionFontFile(settings));
}

/** Narration timings → ASS (burned in, in the job's caption style) and SRT (a sidecar for players). */
export function captionsStep(services: Pick<PipelineServices, 'resourcesDir'>): StepHandler {
  return {
    kind: 'captions.build',
    options: NO_OPTIONS,
    needs: { narration: 'speech.synthesize' },
    version: () => CAPTIONS_VERSION,
    config: ({ settings }) => ({
      width: settings.video.width,
      height: settings.video.height,
      captionStyle: captionStyleOf(settings),
    }),
    async run(ctx) {
      const narration = await readInputJson<Narration>(ctx.inputs, 'narration', 'timings');
      const { width, height } = ctx.settings.video;
      const style = captionStyleOf(ctx.settings);
      let ass: string;
      try {
        ass = buildAss(narration.cues, {
          width,
          height,
          look: style,
          ...(narration.words ? { words: narration.words } : {}),
          lineWidth: assLineWidth(captionFontPath(services.resourcesDir, ctx.settings)),
        });
      } catch (error) {
        // A style that cannot be drawn stays so on every retry.
        if (!(error instanceof CaptionError)) throw error;
        throw new StepError(
          'invalid-input',
          `caption style "${style.slug}" v${style.version}: ${error.message}`,
        );
      }
      const assPath = join(ctx.workDir, 'captions.ass');
      const srtPath = join(ctx.workDir, 'captions.srt');
      await writeFile(assPath, ass);
      await writeFile(srtPath, buildSrt(narration.cues));
      return {
        files: { ass: { path: assPath, type: 'subtitles' }, srt: { path: srtPath, type: 'subtitles' } },
        data: { cues: narration.cues.length, words: narration.words?.length ?? 0 },
      };
    },
  };
}
