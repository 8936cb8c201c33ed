import { describe, expect, it } from 'vitest';
import { SEED_CAPTION_STYLES } from '../db/seed-data.ts';
import type { JobSettings } from '../engine/job-settings.ts';
import { captionFontFile, captionStyleOf } from './captions-step.ts';

const bold = SEED_CAPTION_STYLES.find((style) => style.slug === 'bold-highlight');
const settingsWith = (captionStyle: unknown) => ({ captionStyle }) as unknown as JobSettings;

describe('the caption style a job runs with', () => {
  it('is the one the job froze, drawn with that style’s bundled font', () => {
    const settings = settingsWith({ ...bold, version: 3 });
    expect(captionStyleOf(settings)).toMatchObject({ slug: 'bold-highlight', version: 3 });
    expect(captionFontFile(settings)).toBe('DejaVuSansCondensed-Bold.ttf');
  });

  it('is "clean" v1 (the look of the time) for a job made before caption styles', () => {
    const old = settingsWith(undefined);
    expect(captionStyleOf(old)).toMatchObject({ slug: 'clean', version: 1, size: 56, wordHighlight: 'none' });
    expect(captionFontFile(old)).toBe('DejaVuSans-Bold.ttf');
  });

  it('refuses, for good, a style naming a font this build does not bundle', () => {
    expect(() => captionFontFile(settingsWith({ ...bold, version: 2, font: 'future-sans' }))).toThrow(
      expect.objectContaining({
        kind: 'invalid-input',
        message:
          'caption style "bold-highlight" v2 names the font "future-sans", which this build does not bundle',
      }),
    );
  });
});
