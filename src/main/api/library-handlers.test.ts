import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  MAX_FIELD_ISSUES,
  MAX_ISSUE_CHARS,
  type PromptInput,
  type VoicePresetFields,
} from '../../shared/contract.ts';
import { NARRATED_PIPELINE } from '../db/seed-data.ts';
import { createRecipeVersion } from '../library/index.ts';
import { STEP_KINDS, tempDatabasePerTest } from '../library/library.fixture.ts';
import { callsOf } from './dispatch.fixture.ts';
import { httpStatusOf } from './dispatch.ts';
import { libraryHandlers } from './library-handlers.ts';

const t = tempDatabasePerTest();
const library = () => callsOf(libraryHandlers(t.db, STEP_KINDS));

async function successOf<T>(
  result: Promise<{ ok: true; value: T } | { ok: false; error: unknown }>,
): Promise<T> {
  const settled = await result;
  if (!settled.ok) throw new Error(`call failed: ${JSON.stringify(settled.error)}`);
  return settled.value;
}

describe('library calls', () => {
  it('saves a prompt as a new version, activating it only when asked', async () => {
    const api = library();
    const current = await successOf(api['library.prompt']({ slug: 'script.writer' }));
    const input: PromptInput = {
      slug: current.slug,
      systemPrompt: current.systemPrompt,
      userTemplate: `${current.userTemplate}\nKeep it short.`,
      model: current.model,
      maxTokens: 1234,
      temperature: 0.5,
      kbTiers: current.kbTiers,
      activate: false,
    };
    const inactive = await successOf(api['library.savePrompt'](input));
    expect(inactive).toMatchObject({
      latestVersion: current.latestVersion + 1,
      activeVersion: current.activeVersion,
    });

    const active = await successOf(api['library.savePrompt']({ ...input, activate: true }));
    expect(active).toMatchObject({
      latestVersion: current.latestVersion + 2,
      maxTokens: 1234,
      temperature: 0.5,
    });
    expect(active.activeVersion).toBe(active.latestVersion);
    const shown = await successOf(api['library.prompt']({ slug: 'script.writer' }));
    expect(shown.userTemplate).toContain('Keep it short.');
    expect(shown.shownVersion).toBe(active.latestVersion);
  });

  // Found by attacking the Library: a template of 66,666 stray "{{" came back as a 30 MB reply.
  it('answers a prompt whose template is all stray braces with a short list of its problems', async () => {
    const api = library();
    const current = await successOf(api['library.prompt']({ slug: 'script.writer' }));
    const stray = '{{\n'.repeat(66_666);
    const result = await api['library.savePrompt']({
      slug: current.slug,
      systemPrompt: stray,
      userTemplate: stray,
      model: 'm',
      maxTokens: 10,
      temperature: null,
      kbTiers: [],
      activate: false,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const { error } = result as { error: { issues: unknown[]; message: string } };
    expect(error.issues.length).toBeLessThanOrEqual(MAX_FIELD_ISSUES);
    expect(error.message.length).toBeLessThanOrEqual(4 * MAX_ISSUE_CHARS);
    expect(JSON.stringify(result).length).toBeLessThan(20_000);
  });

  it('answers an invalid voice preset with every field problem', async () => {
    const api = library();
    const preset = await successOf(api['library.voicePreset']({ slug: 'offline-en' }));
    const broken: VoicePresetFields = {
      ...preset,
      name: ' ',
      language: 'English!',
      prosody: { rate: 'fast' },
      styleDegree: 1.5,
      style: null,
    };
    const result = await api['library.saveVoicePreset'](broken);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid');
    expect(result.error.issues?.map((issue) => issue.field).sort()).toEqual([
      'language',
      'name',
      'prosody.rate',
      'styleDegree',
    ]);
    // Nothing was saved.
    expect(await successOf(api['library.voicePreset']({ slug: 'offline-en' }))).toEqual(preset);
  });

  it('saves a valid video preset and rejects an out-of-range crf next to its field', async () => {
    const api = library();
    const preset = await successOf(api['library.videoPreset']({ slug: 'preview-360p' }));
    const rejected = await api['library.saveVideoPreset']({ ...preset, crf: 99 });
    expect(rejected).toMatchObject({ ok: false, error: { code: 'invalid', issues: [{ field: 'crf' }] } });
    const saved = await successOf(api['library.saveVideoPreset']({ ...preset, crf: 30 }));
    expect(saved).toMatchObject({ slug: 'preview-360p', kind: 'video' });
    expect((await successOf(api['library.videoPreset']({ slug: 'preview-360p' }))).crf).toBe(30);
  });

  // Found by attacking the Library: two editors opened one preset; the second save silently undid
  // the first's change (both got 200).
  it('refuses a save of a preset saved by someone else since it was opened', async () => {
    const api = library();
    const first = await successOf(api['library.videoPreset']({ slug: 'preview-360p' }));
    const second = await successOf(api['library.videoPreset']({ slug: 'preview-360p' }));
    await successOf(api['library.saveVideoPreset']({ ...first, fps: 30 }));
    const stale = await api['library.saveVideoPreset']({ ...second, name: 'Renamed' });
    expect(stale).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(httpStatusOf(stale)).toBe(409);
    const now = await successOf(api['library.videoPreset']({ slug: 'preview-360p' }));
    expect([now.fps, now.name]).toEqual([30, first.name]);
    // Opened again, it saves; so does a save that says nothing of when it was opened.
    await successOf(api['library.saveVideoPreset']({ ...now, name: 'Renamed' }));
    const voice = await successOf(api['library.voicePreset']({ slug: 'offline-en' }));
    await successOf(api['library.saveVoicePreset']({ ...voice, name: 'Mine' }));
    expect(await api['library.saveVoicePreset']({ ...voice, name: 'Theirs' })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    const { savedAt: _savedAt, ...fields } = voice;
    await successOf(api['library.saveVoicePreset']({ ...fields, name: 'Theirs' }));
  });

  it('activates a recipe version, and says not-found for one that does not exist', async () => {
    const api = library();
    const before = (await successOf(api['library.recipes']({}))).find((r) => r.slug === 'narrated-16x9');
    createRecipeVersion(
      t.db,
      {
        slug: 'narrated-16x9',
        name: 'Narrated, second take',
        pipeline: NARRATED_PIPELINE,
        defaults: {
          voicePreset: 'offline-en',
          videoPreset: 'preview-360p',
          visuals: ['dusk.png'],
          motion: 'pan-left',
          captions: { burnIn: false },
        },
      },
      STEP_KINDS,
    );
    const next = (before?.latestVersion ?? 0) + 1;
    const activated = await successOf(
      api['library.activateRecipe']({ slug: 'narrated-16x9', version: next }),
    );
    expect(activated).toMatchObject({
      activeVersion: next,
      latestVersion: next,
      name: 'Narrated, second take',
    });
    const missing = await api['library.activateRecipe']({ slug: 'narrated-16x9', version: 99 });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not-found' } });
    // Found by attacking the Library: a version edited by hand into a cycle was activated, and every
    // new job of the recipe then failed.
    const cycle = JSON.stringify({
      steps: NARRATED_PIPELINE.steps.map((s) => (s.key === 'script' ? { ...s, dependsOn: ['video'] } : s)),
    });
    t.db.run(sql`UPDATE recipes SET pipeline = ${cycle} WHERE slug = 'narrated-16x9' AND version = 1`);
    const refused = await api['library.activateRecipe']({ slug: 'narrated-16x9', version: 1 });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: expect.stringContaining('dependency cycle') },
    });
    expect(
      (await successOf(api['library.recipes']({}))).find((r) => r.slug === 'narrated-16x9'),
    ).toMatchObject({
      activeVersion: next,
    });
  });

  it('lists caption styles and saves a new version, with every field problem next to its field', async () => {
    const api = library();
    const styles = await successOf(api['library.captionStyles']({}));
    expect(styles.map((style) => [style.slug, style.activeVersion, style.summary])).toEqual([
      ['bold-highlight', 1, 'DejaVu Sans Condensed 72 · bottom · current-word highlighted'],
      ['clean', 1, 'DejaVu Sans 56 · bottom · no highlight'],
    ]);
    const clean = await successOf(api['library.captionStyle']({ slug: 'clean' }));
    expect(clean).toMatchObject({ shownVersion: 1, activeVersion: 1, fields: { slug: 'clean', size: 56 } });
    const rejected = await api['library.saveCaptionStyle']({
      ...clean.fields,
      size: 1,
      highlightColour: 'yellow',
      position: 'left' as 'top',
      activate: true,
    });
    expect(rejected).toMatchObject({ ok: false, error: { code: 'invalid' } });
    if (rejected.ok) return;
    expect(rejected.error.issues?.map((issue) => issue.field)).toEqual([
      'size',
      'position',
      'highlightColour',
    ]);
    const saved = await successOf(
      api['library.saveCaptionStyle']({ ...clean.fields, textCase: 'upper', activate: false }),
    );
    expect(saved).toMatchObject({ slug: 'clean', activeVersion: 1, latestVersion: 2 });
    const activated = await successOf(api['library.activateCaptionStyle']({ slug: 'clean', version: 2 }));
    expect(activated).toMatchObject({ activeVersion: 2, latestVersion: 2 });
    expect(await successOf(api['library.captionStyle']({ slug: 'clean' }))).toMatchObject({
      shownVersion: 2,
      fields: { textCase: 'upper' },
    });
    expect(await api['library.captionStyle']({ slug: 'ghost' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
  });

  it('refuses a video preset naming a caption style that does not exist', async () => {
    const api = library();
    const preset = await successOf(api['library.videoPreset']({ slug: 'preview-360p' }));
    expect(preset.captionStyle).toBe('clean');
    const rejected = await api['library.saveVideoPreset']({ ...preset, captionStyle: 'ghost' });
    expect(rejected).toMatchObject({
      ok: false,
      error: { code: 'invalid', issues: [{ field: 'captionStyle' }] },
    });
    await successOf(api['library.saveVideoPreset']({ ...preset, captionStyle: 'bold-highlight' }));
    expect((await successOf(api['library.videoPreset']({ slug: 'preview-360p' }))).captionStyle).toBe(
      'bold-highlight',
    );
  });

  // Found by attacking the Library: one cell edited into something that is not JSON made each
  // listing answer 500 "internal error", so no row of it could be seen, let alone fixed, in the Library.
  it('lists every row when one cell of a recipe, a prompt or a preset is not JSON, and names that cell', async () => {
    t.db.run(sql.raw("UPDATE recipes SET pipeline = '{oops' WHERE slug = 'narrated-16x9'"));
    t.db.run(sql.raw("UPDATE prompts SET kb_tiers = 'nope' WHERE slug = 'script.writer'"));
    t.db.run(sql.raw("UPDATE voice_presets SET voice_names = '[1' WHERE slug = 'offline-en'"));
    t.db.run(sql.raw("UPDATE video_presets SET encoders = '' WHERE slug = 'preview-360p'"));
    const api = library();

    const recipes = await successOf(api['library.recipes']({}));
    expect(recipes.map((r) => r.slug)).toContain('narrated-16x9');
    const prompts = await successOf(api['library.prompts']({}));
    expect(prompts.map((p) => p.slug)).toContain('script.writer');
    const presets = await successOf(api['library.presets']({}));
    expect(presets.find((p) => p.slug === 'offline-en')).toMatchObject({
      kind: 'voice',
      summary: 'not readable: its voice_names is not JSON',
    });
    expect(presets.find((p) => p.slug === 'preview-360p')).toMatchObject({
      kind: 'video',
      summary: 'not readable: its encoders is not JSON',
    });
    // The rows that still read are listed as before.
    expect(presets.filter((p) => !p.summary.startsWith('not readable')).length).toBeGreaterThan(1);

    expect(await api['library.prompt']({ slug: 'script.writer' })).toMatchObject({
      ok: false,
      error: {
        code: 'unreadable',
        message: expect.stringMatching(/^prompt "script.writer" version \d+: its kb_tiers is not JSON/),
      },
    });
    expect(await api['library.voicePreset']({ slug: 'offline-en' })).toMatchObject({
      ok: false,
      error: {
        code: 'unreadable',
        message: expect.stringMatching(/^voice preset "offline-en": its voice_names/),
      },
    });
  });
});
