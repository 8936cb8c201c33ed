import { describe, expect, it } from 'vitest';
import { type Json, settings } from '../db/schema.ts';
import { resolveSettings } from '../engine/settings-resolver.ts';
import { tempDatabasePerTest } from '../library/library.fixture.ts';
import { mediaRootsSetting } from './index.ts';

const readMediaRoots = (db: typeof t.db) => mediaRootsSetting.read(db) ?? [];

const t = tempDatabasePerTest();
const input = { kind: 'script' as const, scriptPath: '/s/a.md', outputPath: '/s/a.mp4' };

function store(value: Json): void {
  t.db
    .insert(settings)
    .values({ key: mediaRootsSetting.key, value })
    .onConflictDoUpdate({ target: settings.key, set: { value } })
    .run();
}

describe('the media.roots setting', () => {
  it('is empty by default, and every job is made with it', () => {
    expect(readMediaRoots(t.db)).toEqual([]);
    expect(resolveSettings(t.db, { input }).media).toEqual({ roots: [] });
  });

  it('is read as a list of absolute folders and frozen into the job settings', () => {
    store(['/Volumes/Media', '/Users/me/Pictures']);
    expect(readMediaRoots(t.db)).toEqual(['/Volumes/Media', '/Users/me/Pictures']);
    expect(resolveSettings(t.db, { input }).media).toEqual({
      roots: ['/Volumes/Media', '/Users/me/Pictures'],
    });
  });

  it('gives no roots at all when the row is not a list of absolute folders', () => {
    for (const value of [['/ok', 'relative/folder'], '/Volumes/Media', { roots: ['/x'] }, [42]] as Json[]) {
      store(value);
      expect(readMediaRoots(t.db), JSON.stringify(value)).toEqual([]);
    }
  });
});
