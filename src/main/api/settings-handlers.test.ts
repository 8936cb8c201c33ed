import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDatabasePerTest } from '../library/library.fixture.ts';
import {
  envSecretStore,
  type SecretName,
  type SecretStore,
  type WritableSecretStore,
} from '../secrets/secret-store.ts';
import {
  blocklistSetting,
  defaultLocalParts,
  farmQueueSetting,
  ffmpegPathSetting,
  localPartsSetting,
  renderHoursSetting,
  segmentsSetting,
  uiHostsSetting,
  yieldToUserSetting,
} from '../settings/index.ts';
import { callsOf } from './dispatch.fixture.ts';
import { settingsHandlers } from './settings-handlers.ts';

const t = tempDatabasePerTest();
let dir = '';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vfo-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A writable store like the app's Keychain-backed one, kept in memory. */
function memoryStore(): WritableSecretStore & { values: Map<SecretName, string> } {
  const values = new Map<SecretName, string>();
  return {
    values,
    get: (name) => values.get(name),
    async set(name, value) {
      if (value.trim()) values.set(name, value.trim());
      else values.delete(name);
    },
  };
}

const settings = (secrets: SecretStore = envSecretStore({})) =>
  callsOf(
    settingsHandlers({
      db: t.db,
      dataDir: '/data/vfo',
      providers: () => ({ anthropic: true, azureSpeech: false }),
      secrets,
    }),
  );

function fileIn(name: string, mode: number): string {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\nexit 0\n');
  chmodSync(path, mode);
  return path;
}

describe('settings calls', () => {
  it('shows the data folder, provider readiness and no ffmpeg path until one is set', async () => {
    expect(await settings()['settings.get']({})).toEqual({
      ok: true,
      value: {
        ffmpegPath: null,
        providers: { anthropic: true, azureSpeech: false },
        dataDir: '/data/vfo',
        // The seeded farm.segments setting.
        minSegmentSeconds: 20,
        // No render.localParts row: one part per core (up to four), none under ten seconds.
        localParts: defaultLocalParts(),
        renderHours: null,
        yieldToUser: null,
        blockLimit: 3,
        // No farm.queue row: the farm's queue is on the LAN.
        farmQueue: null,
        farmQueueNow: 'lan',
        // No ui.hosts row: only the node's addresses, short and .local names.
        uiHosts: [],
      },
    });
  });

  it('stores the UI’s other names in lower case, once each; refuses a URL or a port; clears them', async () => {
    const saved = await settings()['settings.setUiHosts']({
      hosts: [' Render-1.Studio.Example ', 'render-1.studio.example', ''],
    });
    expect(saved).toMatchObject({ ok: true, value: { uiHosts: ['render-1.studio.example'] } });
    expect(uiHostsSetting.read(t.db)).toEqual(['render-1.studio.example']);
    for (const bad of ['http://render-1', 'render-1:4870', 'a b', '-lead.example']) {
      const refused = await settings()['settings.setUiHosts']({ hosts: [bad] });
      expect(refused, bad).toMatchObject({
        ok: false,
        error: { code: 'invalid', issues: [{ field: 'hosts' }] },
      });
    }
    expect(uiHostsSetting.read(t.db)).toEqual(['render-1.studio.example']);
    await settings()['settings.setUiHosts']({ hosts: [] });
    expect(uiHostsSetting.read(t.db)).toBeNull();
  });

  it('stores the node’s render hours, refuses what is not a range, and clears them', async () => {
    const saved = await settings()['settings.setRenderHours']({ hours: ' 22:00-07:00 ' });
    expect(saved).toMatchObject({ ok: true, value: { renderHours: '22:00-07:00' } });
    expect(renderHoursSetting.read(t.db)).toBe('22:00-07:00');
    const refused = await settings()['settings.setRenderHours']({ hours: '10pm-7am' });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'invalid', issues: [{ field: 'hours', message: expect.stringContaining('10pm-7am') }] },
    });
    expect(renderHoursSetting.read(t.db)).toBe('22:00-07:00');
    await settings()['settings.setRenderHours']({ hours: null });
    expect(renderHoursSetting.read(t.db)).toBeNull();
  });

  it('stores yielding to the user and the per-job failure limit, within their bounds', async () => {
    const yielded = await settings()['settings.setYieldToUser']({
      yieldToUser: { idleSeconds: 300, suspend: true },
    });
    expect(yielded).toMatchObject({ ok: true, value: { yieldToUser: { idleSeconds: 300, suspend: true } } });
    expect(yieldToUserSetting.read(t.db)).toEqual({ idleSeconds: 300, suspend: true });
    const tooShort = await settings()['settings.setYieldToUser']({
      yieldToUser: { idleSeconds: 1, suspend: false },
    });
    expect(tooShort).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const limit = await settings()['settings.setBlockLimit']({ maxTaskFailures: 5 });
    expect(limit).toMatchObject({ ok: true, value: { blockLimit: 5 } });
    expect(blocklistSetting.read(t.db)).toEqual({ maxTaskFailures: 5 });
    expect(await settings()['settings.setBlockLimit']({ maxTaskFailures: 0 })).toMatchObject({ ok: false });
  });

  it('keeps the farm’s queue in Redis from the next start, never with a password in the URL', async () => {
    const saved = await settings()['settings.setFarmQueue']({
      redisUrl: ' rediss://queue.example.com:6380 ',
      advertiseUrl: 'https://studio-mac.example.com:4870',
    });
    expect(saved).toMatchObject({
      ok: true,
      value: {
        farmQueue: {
          redisUrl: 'rediss://queue.example.com:6380',
          advertiseUrl: 'https://studio-mac.example.com:4870',
        },
        // This run keeps the queue it started with.
        farmQueueNow: 'lan',
      },
    });
    const refusals: [Record<string, string | null>, string, RegExp][] = [
      [{ redisUrl: 'redis://:hunter2@queue.example.com' }, 'redisUrl', /password field/],
      // ioredis reads this form too (found by a review: it reached the settings row).
      [{ redisUrl: 'redis://queue.example.com/?Password=hunter2' }, 'redisUrl', /password field/],
      [{ redisUrl: 'http://queue.example.com' }, 'redisUrl', /redis:\/\/host/],
      [{ redisUrl: 'redis://queue.example.com', advertiseUrl: 'ftp://x' }, 'advertiseUrl', /advertised URL/],
    ];
    for (const [args, field, message] of refusals) {
      const refused = await settings()['settings.setFarmQueue']({
        advertiseUrl: null,
        redisUrl: null,
        ...args,
      });
      expect(refused).toMatchObject({ ok: false, error: { code: 'invalid', issues: [{ field }] } });
      if (!refused.ok) expect(refused.error.issues?.[0]?.message).toMatch(message);
    }
    // Refused values leave the saved one alone; none of them (nor the password) reached the database.
    expect(farmQueueSetting.read(t.db)?.redisUrl).toBe('rediss://queue.example.com:6380');
    expect(JSON.stringify(t.db.$client.prepare('SELECT * FROM settings').all())).not.toMatch(/hunter2/);
    const cleared = await settings()['settings.setFarmQueue']({ redisUrl: null, advertiseUrl: null });
    expect(cleared).toMatchObject({ ok: true, value: { farmQueue: null } });
    expect(farmQueueSetting.read(t.db)).toBeNull();
  });

  it('stores the minimum segment length the farm splits videos with, and refuses what is not one', async () => {
    const saved = await settings()['settings.setMinSegmentSeconds']({ seconds: 45 });
    expect(saved).toMatchObject({ ok: true, value: { minSegmentSeconds: 45 } });
    expect(segmentsSetting.read(t.db)).toEqual({ minSegmentSeconds: 45 });
    for (const seconds of [0, -3, 86_401, Number.NaN, '30' as unknown as number]) {
      const refused = await settings()['settings.setMinSegmentSeconds']({ seconds });
      expect(refused).toMatchObject({
        ok: false,
        error: {
          code: 'invalid',
          issues: [{ field: 'seconds', message: 'seconds must be a number from 1 to 86400' }],
        },
      });
    }
    expect(segmentsSetting.read(t.db)).toEqual({ minSegmentSeconds: 45 });
  });

  it('stores how many parts a video is encoded in here, and refuses what is not a count or a length', async () => {
    const saved = await settings()['settings.setLocalParts']({ parts: 3, minSegmentSeconds: 8 });
    expect(saved).toMatchObject({ ok: true, value: { localParts: { parts: 3, minSegmentSeconds: 8 } } });
    expect(localPartsSetting.read(t.db)).toEqual({ parts: 3, minSegmentSeconds: 8 });
    for (const parts of [0, 17, 2.5, Number.NaN]) {
      const refused = await settings()['settings.setLocalParts']({ parts, minSegmentSeconds: 8 });
      expect(refused).toMatchObject({
        ok: false,
        error: {
          code: 'invalid',
          issues: [{ field: 'parts', message: 'parts must be a whole number from 1 to 16' }],
        },
      });
    }
    const badLength = await settings()['settings.setLocalParts']({ parts: 2, minSegmentSeconds: 0 });
    expect(badLength).toMatchObject({ ok: false, error: { issues: [{ field: 'minSegmentSeconds' }] } });
    expect(localPartsSetting.read(t.db)).toEqual({ parts: 3, minSegmentSeconds: 8 });
  });

  it('stores an absolute path to an executable file, and clears it with null', async () => {
    const ffmpeg = fileIn('ffmpeg', 0o755);
    const saved = await settings()['settings.setFfmpegPath']({ path: ffmpeg });
    expect(saved).toMatchObject({ ok: true, value: { ffmpegPath: ffmpeg } });
    expect(ffmpegPathSetting.read(t.db)).toBe(ffmpeg);
    await settings()['settings.setFfmpegPath']({ path: null });
    expect(ffmpegPathSetting.read(t.db)).toBeNull();
  });

  it('rejects a relative path', async () => {
    const result = await settings()['settings.setFfmpegPath']({ path: 'bin/ffmpeg' });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'invalid', issues: [{ field: 'path', message: expect.stringContaining('absolute') }] },
    });
    expect(ffmpegPathSetting.read(t.db)).toBeNull();
  });

  it('rejects a file that is not executable, and a missing one', async () => {
    const plain = fileIn('ffmpeg', 0o644);
    const notExecutable = await settings()['settings.setFfmpegPath']({ path: plain });
    expect(notExecutable).toMatchObject({
      ok: false,
      error: { code: 'invalid', issues: [{ field: 'path', message: 'the file is not executable' }] },
    });
    const missing = await settings()['settings.setFfmpegPath']({ path: join(dir, 'nope') });
    expect(missing).toMatchObject({ ok: false, error: { issues: [{ message: 'no file at this path' }] } });
    expect(ffmpegPathSetting.read(t.db)).toBeNull();
  });
});

describe('provider keys (app only)', () => {
  it('stores a key in a writable store and never in the database', async () => {
    const store = memoryStore();
    const result = await settings(store)['settings.setSecret']({
      name: 'anthropic.apiKey',
      value: ' sk-ant-settings-test-123 ',
    });
    expect(result.ok).toBe(true);
    expect(store.values.get('anthropic.apiKey')).toBe('sk-ant-settings-test-123');
    const rows = JSON.stringify(t.db.$client.prepare('SELECT * FROM settings').all());
    expect(rows).not.toContain('sk-ant-settings-test-123');
    await settings(store)['settings.setSecret']({ name: 'anthropic.apiKey', value: '' });
    expect(store.values.has('anthropic.apiKey')).toBe(false);
  });

  it('explains the environment variable where keys cannot be stored, and refuses unknown names', async () => {
    const readOnly = await settings()['settings.setSecret']({ name: 'azure.speechKey', value: 'x' });
    expect(readOnly).toMatchObject({
      ok: false,
      error: { code: 'unavailable', message: expect.stringContaining('AZURE_SPEECH_KEY') },
    });
    const unknown = await settings(memoryStore())['settings.setSecret']({
      name: 'nope' as never,
      value: 'x',
    });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });
});
