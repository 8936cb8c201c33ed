import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VideoPresetFields } from '../../../shared/contract.ts';
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
};

let connection: FakeConnection;

beforeEach(() => {
  connection = fakeConnection({ withLogin: true });
  useSessionStore.getState().connect(connection);
  useSessionStore.getState().loggedIn();
  for (const list of ['library.recipes', 'library.presets', 'library.prompts'] as const)
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
