import { describe, expect, it } from 'vitest';
import type { CaptionStyle } from '../../shared/caption-styles.ts';
import { SEED_CAPTION_STYLES } from '../db/seed-data.ts';
import { resolveSettings, SettingsError } from '../engine/settings-resolver.ts';
import {
  activateCaptionStyleVersion,
  type CaptionStyleVersionInput,
  createCaptionStyleVersion,
  getCaptionStyle,
  listCaptionStyles,
  listCaptionStyleVersions,
} from './caption-styles.ts';
import { fieldsOf, libraryErrorOf, tempDatabasePerTest } from './library.fixture.ts';
import { getVideoPreset, saveVideoPreset, type VideoPresetInput } from './index.ts';

const t = tempDatabasePerTest();
const input = { kind: 'script' as const, scriptPath: '/s.md', outputPath: '/s.mp4' };
const clean = SEED_CAPTION_STYLES.find((style) => style.slug === 'clean') as CaptionStyle;
const larger: CaptionStyleVersionInput = { ...clean, name: 'Clean, larger', size: 64 };

function fieldsOfRow<T extends object>(row: T): Omit<T, 'id' | 'version' | 'isActive' | 'createdAt'> {
  const {
    id: _id,
    version: _v,
    isActive: _a,
    createdAt: _c,
    ...fields
  } = row as T & {
    id: string;
    version: number;
    isActive: boolean;
    createdAt: string;
  };
  return fields;
}

function videoPresetInput(slug: string): VideoPresetInput {
  const { id: _id, updatedAt: _updated, ...preset } = getVideoPreset(t.db, slug);
  return preset as VideoPresetInput;
}

describe('caption styles', () => {
  it('are seeded as "clean" and "bold-highlight", each with one active version the rules accept', () => {
    expect(listCaptionStyles(t.db).map((s) => [s.slug, s.active?.version, s.versionCount])).toEqual([
      ['bold-highlight', 1, 1],
      ['clean', 1, 1],
    ]);
    for (const seeded of SEED_CAPTION_STYLES) {
      expect(fieldsOfRow(getCaptionStyle(t.db, seeded.slug))).toEqual(seeded);
      const again = createCaptionStyleVersion(t.db, { ...seeded, activate: false });
      expect(fieldsOfRow(again)).toEqual(seeded);
    }
  });

  it('adds versions that new jobs use once active, while a job keeps the version it was made with', () => {
    const before = resolveSettings(t.db, { input });
    expect(before.captionStyle).toMatchObject({ slug: 'clean', version: 1, size: 56 });
    const v2 = createCaptionStyleVersion(t.db, larger);
    expect(v2).toMatchObject({ version: 2, isActive: false, size: 64 });
    expect(resolveSettings(t.db, { input }).captionStyle).toMatchObject({ version: 1, size: 56 });
    expect(activateCaptionStyleVersion(t.db, 'clean', 2)).toMatchObject({ version: 2, isActive: true });
    expect(resolveSettings(t.db, { input }).captionStyle).toMatchObject({ version: 2, size: 64 });
    expect(before.captionStyle).toMatchObject({ version: 1, size: 56 });
    expect(getCaptionStyle(t.db, 'clean', 1)).toMatchObject({ size: 56, isActive: false });
    expect(listCaptionStyleVersions(t.db, 'clean').map((row) => row.version)).toEqual([1, 2]);
    // activate: true makes the new version the one in use at once; a new slug's first version is active.
    expect(createCaptionStyleVersion(t.db, { ...larger, size: 70, activate: true }).isActive).toBe(true);
    expect(createCaptionStyleVersion(t.db, { ...larger, slug: 'mine' }).isActive).toBe(true);
  });

  it.each([
    ['font', { font: 'comic-sans' }],
    ['size', { size: 2 }],
    ['size', { size: 56.5 }],
    ['textColour', { textColour: 'white' }],
    ['outlineColour', { outlineColour: '#12345' }],
    ['shadowColour', { shadowColour: '#000000800' }],
    ['highlightColour', { highlightColour: 'FFD400' }],
    ['outline', { outline: -1 }],
    ['shadow', { shadow: 100 }],
    ['position', { position: 'left' }],
    ['margin', { margin: 80 }],
    ['maxLines', { maxLines: 0 }],
    ['textCase', { textCase: 'title' }],
    ['wordHighlight', { wordHighlight: 'sparkle' }],
    ['slug', { slug: 'Bad Slug' }],
    ['name', { name: ' ' }],
  ])('rejects a bad %s, naming the field', (field, change) => {
    const bad = { ...larger, ...change } as CaptionStyleVersionInput;
    expect(fieldsOf(() => createCaptionStyleVersion(t.db, bad))).toEqual([field]);
    expect(listCaptionStyleVersions(t.db, 'clean')).toHaveLength(1);
  });

  it('lists every broken rule at once, with messages a form can show', () => {
    const bad = {
      ...larger,
      size: 1000,
      textColour: 'red',
      wordHighlight: 'blink',
    } as unknown as CaptionStyleVersionInput;
    expect(libraryErrorOf(() => createCaptionStyleVersion(t.db, bad)).issues).toEqual([
      { field: 'size', message: 'size must be a whole number 8..400' },
      { field: 'textColour', message: 'textColour must look like "#FFD400" or "#00000080" (opacity last)' },
      { field: 'wordHighlight', message: 'wordHighlight must be one of: none, current-word, spoken-words' },
    ]);
  });

  it('says which version or style is missing', () => {
    expect(libraryErrorOf(() => getCaptionStyle(t.db, 'ghost')).message).toBe(
      'unknown caption style "ghost"',
    );
    expect(libraryErrorOf(() => getCaptionStyle(t.db, 'clean', 9)).message).toBe(
      'caption style "clean" has no version 9',
    );
    expect(libraryErrorOf(() => activateCaptionStyleVersion(t.db, 'clean', 9)).kind).toBe('not-found');
  });
});

describe('a video preset’s caption style', () => {
  it('is "clean" unless named, and must name a caption style that exists', () => {
    const { captionStyle: _style, ...withoutStyle } = videoPresetInput('preview-360p');
    expect(saveVideoPreset(t.db, { ...withoutStyle, slug: 'plain' }).captionStyle).toBe('clean');
    expect(fieldsOf(() => saveVideoPreset(t.db, { ...withoutStyle, captionStyle: 'ghost' }))).toEqual([
      'captionStyle',
    ]);
    expect(
      libraryErrorOf(() => saveVideoPreset(t.db, { ...withoutStyle, captionStyle: 'ghost', fps: 0 })).issues,
    ).toEqual([
      { field: 'fps', message: 'fps must be 1..120' },
      { field: 'captionStyle', message: 'unknown caption style "ghost" (or none of its versions is active)' },
    ]);
  });

  it('decides the caption style of the jobs made with the preset', () => {
    saveVideoPreset(t.db, {
      ...videoPresetInput('portrait-1080p'),
      slug: 'shorts',
      captionStyle: 'bold-highlight',
    });
    const settings = resolveSettings(t.db, { input, videoPreset: 'shorts' });
    expect(settings.captionStyle).toMatchObject({
      slug: 'bold-highlight',
      version: 1,
      font: 'dejavu-sans-condensed-bold',
      wordHighlight: 'current-word',
    });
    t.db.$client.prepare("UPDATE video_presets SET caption_style = 'gone' WHERE slug = 'shorts'").run();
    expect(() => resolveSettings(t.db, { input, videoPreset: 'shorts' })).toThrow(SettingsError);
  });
});
