import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaptionStyleFields, VideoPresetFields } from '../../../shared/contract.ts';
import { type FakeConnection, fakeConnection, ok } from '../test-support/fake-connection.ts';
import { useLibraryStore } from './library-store.ts';
import { useSessionStore } from './session-store.ts';
import { useSettingsStore } from './settings-store.ts';
import { useToastStore } from './toast-store.ts';

const PRESET: VideoPresetFields = {
  slug: 'preview-360p',
  name: 'Preview',
  encoders: ['libx264'],
  width: 640,
  height: 360,
  fps: 25,
  bitrate: '1M',
  crf: 28,
  speedPreset: 'veryfast',
  pixelFormat: 'yuv420p',
  audioCodec: 'aac',
  audioBitrate: '128k',
  audioSampleRate: 48000,
  loudness: { targetLufs: -14, truePeakDbtp: -1 },
  music: { levelDb: -14, duckDb: 10, attackMs: 20, releaseMs: 400, fadeInMs: 1500, fadeOutMs: 2500 },
  captionStyle: 'clean',
  transition: 'cut',
  maxDurationSeconds: null,
};

const STYLE: CaptionStyleFields = {
  slug: 'clean',
  name: 'Clean',
  font: 'dejavu-sans-bold',
  size: 56,
  textColour: '#FFFFFF',
  outlineColour: '#000000',
  outline: 3,
  shadowColour: '#0000007F',
  shadow: 2,
  position: 'bottom',
  margin: 6,
  maxLines: 2,
  textCase: 'as-written',
  wordHighlight: 'none',
  highlightColour: '#FFD400',
};

let connection: FakeConnection;

beforeEach(() => {
  connection = fakeConnection({ withLogin: true });
  useSessionStore.getState().connect(connection);
  useSessionStore.getState().loggedIn();
  for (const list of [
    'library.recipes',
    'library.presets',
    'library.prompts',
    'library.captionStyles',
  ] as const)
    connection.answer(list, () => ok([]));
});

afterEach(() => {
  useLibraryStore.setState({ editor: null, issues: [], saving: false });
  useSettingsStore.setState({ settings: null, issues: [], saving: false });
  useToastStore.setState({ toasts: [] });
});

describe('library store', () => {
  it('keeps a rejected save’s field issues for the form, then toasts a good save', async () => {
    connection.answer('library.saveVideoPreset', (args) =>
      (args as VideoPresetFields).crf === 99
        ? {
            ok: false,
            error: {
              code: 'invalid',
              message: 'bad',
              issues: [{ field: 'crf', message: 'crf must be 0..51' }],
            },
          }
        : ok({ slug: 'preview-360p', name: 'Preview', kind: 'video', summary: '' }),
    );
    const store = useLibraryStore.getState();
    expect(await store.saveVideoPreset({ ...PRESET, crf: 99 })).toBe(false);
    expect(useLibraryStore.getState().issues).toEqual([{ field: 'crf', message: 'crf must be 0..51' }]);
    expect(useToastStore.getState().toasts).toEqual([]);

    expect(await store.saveVideoPreset({ ...PRESET, crf: 30 })).toBe(true);
    expect(useLibraryStore.getState().issues).toEqual([]);
    expect(useToastStore.getState().toasts).toMatchObject([
      { kind: 'success', message: 'Saved video preset preview-360p' },
    ]);
  });

  it('saves a caption style as a new version, activated only when asked, and reopens it', async () => {
    const sent: unknown[] = [];
    const view = { slug: 'clean', name: 'Clean', summary: '', activeVersion: 1, latestVersion: 2 };
    connection.answer('library.saveCaptionStyle', (args) => {
      sent.push(args);
      return ok(view);
    });
    connection.answer('library.captionStyle', () => ok({ ...view, shownVersion: 1, fields: STYLE }));
    expect(await useLibraryStore.getState().saveCaptionStyle({ ...STYLE, size: 64 }, false)).toBe(true);
    expect(sent).toEqual([{ ...STYLE, size: 64, activate: false }]);
    expect(useToastStore.getState().toasts).toMatchObject([{ message: 'Saved caption style clean as v2' }]);
    expect(useLibraryStore.getState().editor).toMatchObject({ kind: 'caption-style', slug: 'clean' });
  });

  it('notifies a failure that names no field', async () => {
    connection.answer('library.activateRecipe', () => ({
      ok: false,
      error: { code: 'not-found', message: 'no version 9' },
    }));
    await useLibraryStore.getState().activateRecipe('narrated-16x9', 9);
    expect(useToastStore.getState().toasts).toMatchObject([{ kind: 'error' }]);
  });
});

describe('settings store', () => {
  it('shows a rejected ffmpeg path next to the field and keeps the saved settings', async () => {
    connection.answer('settings.setFfmpegPath', () => ({
      ok: false,
      error: {
        code: 'invalid',
        message: 'bad',
        issues: [{ field: 'path', message: 'path must be absolute' }],
      },
    }));
    expect(await useSettingsStore.getState().setFfmpegPath('ffmpeg')).toBe(false);
    expect(useSettingsStore.getState().issues).toEqual([{ field: 'path', message: 'path must be absolute' }]);
    expect(useSettingsStore.getState().settings).toBeNull();
  });
});
