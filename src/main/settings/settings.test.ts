import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type Json, settings } from '../db/schema.ts';
import { resolveSettings, SettingsError } from '../engine/settings-resolver.ts';
import { tempDatabasePerTest } from '../library/library.fixture.ts';
import { addLogSink } from '../log/logger.ts';
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

describe('rows edited by hand', () => {
  // Found by attacking the Library: a node reads keep-free every second, and warned of one bad row
  // 34 times in 40 s.
  it('warns of a bad row once per value stored, not at every read', () => {
    const warnings: string[] = [];
    const removeSink = addLogSink((record) => {
      if (record.level === 'warn') warnings.push(record.message);
    });
    try {
      const store = (value: string) =>
        t.db.run(sql.raw(`INSERT OR REPLACE INTO settings VALUES ('media.roots', '${value}')`));
      store('{"bad":1}');
      for (let i = 0; i < 5; i++) expect(mediaRootsSetting.read(t.db)).toBeNull();
      expect(warnings).toHaveLength(1);
      store('{"worse":2}');
      mediaRootsSetting.read(t.db);
      mediaRootsSetting.read(t.db);
      expect(warnings).toHaveLength(2);
      // Put right, then wrong again in the same way: said again.
      store('["/Volumes/Media"]');
      mediaRootsSetting.read(t.db);
      store('{"worse":2}');
      mediaRootsSetting.read(t.db);
      expect(warnings).toHaveLength(3);
      expect(warnings[0]).toMatch(/^the media\.roots setting is not valid/);
    } finally {
      removeSink();
    }
  });

  it('a setting that is not JSON at all reads as no setting, not as a crash', () => {
    t.db.run(sql.raw("INSERT OR REPLACE INTO settings VALUES ('media.roots', '/Volumes/Media')"));
    expect(mediaRootsSetting.read(t.db)).toBeNull();
    expect(resolveSettings(t.db, { input }).media).toEqual({ roots: [] });
  });

  it('are checked as a job is made: a preset, style or recipe out of bounds is named, before any work', () => {
    const cases: [string, RegExp][] = [
      [
        "UPDATE caption_styles SET max_lines = 0 WHERE slug = 'clean'",
        /caption style "clean" is not valid \(maxLines/,
      ],
      [
        "UPDATE caption_styles SET size = 100000 WHERE slug = 'clean'",
        /caption style "clean" is not valid \(size/,
      ],
      [
        "UPDATE video_presets SET fps = 1000000000 WHERE slug = 'landscape-1080p'",
        /video preset "landscape-1080p" is not valid \(fps/,
      ],
      [
        `UPDATE voice_presets SET prosody = '{"rate":"+100000000%"}' WHERE slug = 'offline-en'`,
        /voice preset "offline-en" is not valid \(prosody.rate/,
      ],
      // Found by attacking the speech adapters: the Library's range held only when a preset was saved.
      [
        "UPDATE voice_presets SET style = 'cheerful', style_degree = 1e21 WHERE slug = 'offline-en'",
        /voice preset "offline-en" is not valid \(styleDegree: styleDegree must be 0.01..2/,
      ],
      [
        "UPDATE video_presets SET width = 100000 WHERE slug = 'landscape-1080p'",
        /video preset "landscape-1080p" is not valid \(width/,
      ],
      [
        "UPDATE recipes SET defaults = json_set(defaults, '$.visuals', json('[\"../../../etc/passwd\"]')) WHERE slug = 'narrated-16x9'",
        /recipe "narrated-16x9" version \d+ is not valid \(defaults.visuals.0: visuals are bare file names/,
      ],
      [
        `UPDATE recipes SET pipeline = '${JSON.stringify({ steps: Array.from({ length: 101 }, (_, i) => ({ key: `k${i}` })) })}' WHERE slug = 'narrated-16x9'`,
        /recipe "narrated-16x9" version \d+ is not valid \(pipeline.steps/,
      ],
      // Found by attacking the Library: each of these passed the read and failed later, unplaced (a
      // 50 MB step was parsed twice a second while the job ran; the others failed the plan step with
      // "Cannot read properties of null" after the narration was made).
      [
        `UPDATE recipes SET pipeline = json_set(pipeline, '$.steps[0].with', json('{"x":"${'a'.repeat(20_000)}"}')) WHERE slug = 'narrated-16x9'`,
        /recipe "narrated-16x9" version \d+ is not valid \(pipeline.steps.0.with: with must be at most 16384 bytes/,
      ],
      [
        "UPDATE recipes SET pipeline = json_set(pipeline, '$.steps[1]', json('null')) WHERE slug = 'narrated-16x9'",
        /recipe "narrated-16x9" version \d+ is not valid \(pipeline.steps.1/,
      ],
      [
        "UPDATE recipes SET pipeline = json_set(pipeline, '$.steps[0].dependsOn', json('[\"video\"]')) WHERE slug = 'narrated-16x9'",
        /recipe "narrated-16x9" version \d+ is not valid \(pipeline.steps: .*cycle/,
      ],
      [
        "UPDATE recipes SET defaults = json_set(defaults, '$.captions', json('null')) WHERE slug = 'narrated-16x9'",
        /recipe "narrated-16x9" version \d+ is not valid \(defaults.captions/,
      ],
      [
        "UPDATE recipes SET defaults = json_set(defaults, '$.motion', 'spin') WHERE slug = 'narrated-16x9'",
        /recipe "narrated-16x9" version \d+ is not valid \(defaults.motion/,
      ],
      [
        "UPDATE recipes SET defaults = json_set(defaults, '$.music', json('{\"bed\":\"../../../etc/passwd\"}')) WHERE slug = 'narrated-16x9'",
        /recipe "narrated-16x9" version \d+ is not valid \(defaults.music.bed/,
      ],
      [
        `UPDATE voice_presets SET direction_map = '{"pause":5}' WHERE slug = 'offline-en'`,
        /voice preset "offline-en" is not valid \(directionMap.pause/,
      ],
      // A cell that is not JSON at all failed with a bare "Expected property name or '}' in JSON".
      [
        "UPDATE recipes SET pipeline = '{oops' WHERE slug = 'narrated-16x9'",
        /recipe "narrated-16x9": its pipeline is not JSON \(.*\); fix it in the Library/,
      ],
      [
        "UPDATE voice_presets SET voice_names = '[1' WHERE slug = 'offline-en'",
        /voice preset "offline-en": its voice_names is not JSON/,
      ],
    ];
    for (const [statement, message] of cases) {
      t.db.run(sql.raw('SAVEPOINT hand_edit'));
      t.db.run(sql.raw(statement));
      const shown = statement.slice(0, 200);
      expect(() => resolveSettings(t.db, { input }), shown).toThrow(SettingsError);
      expect(() => resolveSettings(t.db, { input }), shown).toThrow(message);
      t.db.run(sql.raw('ROLLBACK TO hand_edit'));
      t.db.run(sql.raw('RELEASE hand_edit'));
    }
    expect(() => resolveSettings(t.db, { input })).not.toThrow();
  });

  // Found by reviewing the read's new shape: recipes seeded before caption styles still say
  // captions.fontSize, which a save refuses; their data folders could no longer render.
  it('reads a recipe row saved by an older version, whose captions still have a size', () => {
    t.db.run(
      sql.raw(
        "UPDATE recipes SET defaults = json_set(defaults, '$.captions.fontSize', 56) WHERE slug = 'narrated-16x9'",
      ),
    );
    expect(resolveSettings(t.db, { input }).recipe.defaults.captions.burnIn).toBe(true);
  });
});
