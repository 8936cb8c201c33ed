import { describe, expect, it } from 'vitest';
import type { Pipeline, PipelineStep } from '../db/schema.ts';
import { FROM_BRIEF_PIPELINE, NARRATED_PIPELINE } from '../db/seed-data.ts';
import { resolveSettings } from '../engine/settings-resolver.ts';
import { fieldsOf, STEP_KINDS as KINDS, libraryErrorOf, tempDatabasePerTest } from './library.fixture.ts';
import type { RecipeVersionInput } from './recipe-schema.ts';
import {
  activateRecipeVersion,
  createRecipeVersion,
  getRecipe,
  listRecipes,
  listRecipeVersions,
} from './recipes.ts';

const t = tempDatabasePerTest();
const input = { kind: 'script' as const, scriptPath: '/s.md', outputPath: '/s.mp4' };

const recipe: RecipeVersionInput = {
  slug: 'narrated-16x9',
  name: 'Narrated, quick preview',
  pipeline: NARRATED_PIPELINE,
  defaults: {
    voicePreset: 'offline-es',
    videoPreset: 'preview-360p',
    visuals: ['dusk.png'],
    motion: 'pan-left',
    captions: { burnIn: false },
  },
};

const TITLE_CARD = {
  durationMs: 3000,
  fadeOutMs: 600,
  font: 'dejavu-sans-bold',
  titleSize: 0.1,
  subtitleSize: 0.05,
  titleColor: '#FFFFFF',
  subtitleColor: '#DDDDDD',
  dim: 0.5,
} as const;

function withSteps(steps: Pipeline['steps']): RecipeVersionInput {
  return { ...recipe, pipeline: { steps } };
}

describe('recipe versions', () => {
  it('adds a version without switching jobs to it until it is activated', () => {
    const v1 = getRecipe(t.db, 'narrated-16x9');
    const v2 = createRecipeVersion(t.db, recipe, KINDS);
    expect(v2).toMatchObject({ version: 2, isActive: false, description: '' });
    expect(resolveSettings(t.db, { recipe: 'narrated-16x9', input }).recipe.version).toBe(1);

    expect(activateRecipeVersion(t.db, 'narrated-16x9', 2, KINDS).version).toBe(2);
    const settings = resolveSettings(t.db, { recipe: 'narrated-16x9', input });
    expect(settings.recipe.version).toBe(2);
    expect(settings.video).toMatchObject({ slug: 'preview-360p', width: 640, height: 360 });
    expect(settings.voice.slug).toBe('offline-es');
    // The old version is untouched apart from no longer being the active one.
    expect(getRecipe(t.db, 'narrated-16x9', 1)).toEqual({ ...v1, isActive: false });
    expect(listRecipeVersions(t.db, 'narrated-16x9').map((r) => [r.version, r.isActive])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('activates immediately when asked, or when the slug is new', () => {
    createRecipeVersion(t.db, { ...recipe, activate: true }, KINDS);
    expect(getRecipe(t.db, 'narrated-16x9').version).toBe(2);
    const fresh = createRecipeVersion(t.db, { ...recipe, slug: 'my-recipe', description: 'mine' }, KINDS);
    expect(fresh).toMatchObject({ version: 1, isActive: true, description: 'mine' });
    expect(resolveSettings(t.db, { recipe: 'my-recipe', input }).recipe.id).toBe(fresh.id);
  });

  it('lists each recipe with its latest and active version', () => {
    createRecipeVersion(t.db, recipe, KINDS);
    expect(listRecipes(t.db).map((s) => [s.slug, s.latest.version, s.active?.version])).toEqual([
      ['from-brief-16x9', 1, 1],
      ['narrated-16x9', 2, 1],
      ['narrated-16x9-music', 1, 1],
      ['narrated-16x9-titled', 1, 1],
      ['narrated-9x16', 1, 1],
    ]);
  });

  it('reports unknown recipes and versions as not-found', () => {
    expect(libraryErrorOf(() => getRecipe(t.db, 'nope')).message).toContain('unknown recipe "nope"');
    expect(libraryErrorOf(() => getRecipe(t.db, 'narrated-16x9', 9)).kind).toBe('not-found');
    expect(libraryErrorOf(() => activateRecipeVersion(t.db, 'narrated-16x9', 9, KINDS)).kind).toBe(
      'not-found',
    );
    expect(getRecipe(t.db, 'narrated-16x9').isActive).toBe(true);
  });
});

describe('recipe validation', () => {
  it('rejects a pipeline with a cycle', () => {
    const error = libraryErrorOf(() =>
      createRecipeVersion(
        t.db,
        withSteps([
          { key: 'script', kind: 'script.parse', dependsOn: ['video'] },
          { key: 'video', kind: 'render.encode', dependsOn: ['script'] },
        ]),
        KINDS,
      ),
    );
    expect(error.issues).toEqual([{ field: 'pipeline.steps', message: expect.stringMatching(/cycle/) }]);
    expect(listRecipeVersions(t.db, 'narrated-16x9')).toHaveLength(1);
  });

  // Found by attacking the Library: a recipe without its encode step was saved, and its jobs ended
  // "done" with no video (`vfo render` printed an empty line and exited 0).
  it('refuses to save a recipe that makes no video', () => {
    const error = libraryErrorOf(() =>
      createRecipeVersion(t.db, withSteps(NARRATED_PIPELINE.steps.filter((s) => s.key !== 'video')), KINDS),
    );
    expect(error.issues).toEqual([
      {
        field: 'pipeline.steps',
        message: 'pipeline makes no video: it needs a step of kind "render.encode"',
      },
    ]);
    expect(listRecipeVersions(t.db, 'narrated-16x9')).toHaveLength(1);
  });

  it('names each step of an unknown kind, and still reports graph problems', () => {
    const error = libraryErrorOf(() =>
      createRecipeVersion(
        t.db,
        withSteps([
          { key: 'script', kind: 'script.parse', dependsOn: [] },
          { key: 'talk', kind: 'ai.generate', dependsOn: ['script'] },
          { key: 'video', kind: 'render.encode', dependsOn: ['ghost'] },
        ]),
        KINDS,
      ),
    );
    expect(error.issues.map((i) => i.field)).toEqual(['pipeline.steps.1.kind', 'pipeline.steps']);
    expect(error.message).toContain('unknown kind "ai.generate"');
    expect(error.message).toContain('depends on unknown step "ghost"');
  });

  // Found by attacking the Library: a plan not wired to the captions it reads was saved, and its jobs
  // were refused only when they ran.
  it('refuses a step not wired to a step it reads', () => {
    const error = libraryErrorOf(() =>
      createRecipeVersion(
        t.db,
        withSteps(
          NARRATED_PIPELINE.steps.map((s) =>
            s.key === 'plan' ? { ...s, dependsOn: ['script', 'narration'] } : s,
          ),
        ),
        KINDS,
      ),
    );
    expect(error.issues).toEqual([
      {
        field: 'pipeline.steps',
        message:
          'step "plan" (render.plan) reads step "captions": it must depend on a step "captions" of kind "captions.build"',
      },
    ]);
    expect(listRecipeVersions(t.db, 'narrated-16x9')).toHaveLength(1);
  });

  // Found by attacking the Library: `with.prompt: 42` ran with the default prompt, a negative
  // `maxSeconds` failed only at the narration, a misspelled option did nothing, and two encode steps
  // encoded the one video twice.
  it.each([
    [{ write: { prompt: 42 } }, 'step "write" (script.write): with.prompt: '],
    [{ narration: { maxSeconds: -5 } }, 'step "narration" (speech.synthesize): with.maxSeconds: '],
    [
      { narration: { maxSecs: 60 } },
      'step "narration" (speech.synthesize): with: Unrecognized key: "maxSecs"',
    ],
    [{ script: { prompt: 'x' } }, 'step "script" (script.parse): with: Unrecognized key: "prompt"'],
  ])('refuses a step option its kind does not take: %j', (options, message) => {
    const steps = FROM_BRIEF_PIPELINE.steps.map((s) => {
      const own = (options as Record<string, PipelineStep['with']>)[s.key];
      return own ? { ...s, with: own } : s;
    });
    const error = libraryErrorOf(() => createRecipeVersion(t.db, withSteps(steps), KINDS));
    expect(error.issues).toEqual([{ field: 'pipeline.steps', message: expect.stringContaining(message) }]);
  });

  it('refuses a second encode step', () => {
    const steps = [...NARRATED_PIPELINE.steps, { key: 'again', kind: 'render.encode', dependsOn: ['plan'] }];
    const error = libraryErrorOf(() => createRecipeVersion(t.db, withSteps(steps), KINDS));
    expect(error.issues).toEqual([
      {
        field: 'pipeline.steps',
        message: 'pipeline makes one video: it has 2 steps of kind "render.encode"',
      },
    ]);
  });

  it.each([
    ['pipeline.steps', withSteps([])],
    ['pipeline.steps', withSteps([{ key: 'Bad Key', kind: 'script.parse', dependsOn: [] }])],
    ['pipeline.steps.0.dependsOn', withSteps([{ key: 'a', kind: 'script.parse' } as Pipeline['steps'][0]])],
    // Found by attacking the Library: a step depending on one step twice, and 50 MB of settings, saved.
    [
      'pipeline.steps.4.dependsOn',
      withSteps(
        NARRATED_PIPELINE.steps.map((s) =>
          s.key === 'plan' ? { ...s, dependsOn: [...s.dependsOn, 'script'] } : s,
        ),
      ),
    ],
    [
      'pipeline.steps.0.with',
      withSteps(
        FROM_BRIEF_PIPELINE.steps.map((s) =>
          s.key === 'write' ? { ...s, with: { prompt: 'A'.repeat(20_000) } } : s,
        ),
      ),
    ],
    ['slug', { ...recipe, slug: 'Bad/Slug' }],
    ['name', { ...recipe, name: '' }],
    ['defaults.voicePreset', { ...recipe, defaults: { ...recipe.defaults, voicePreset: 'ghost-voice' } }],
    ['defaults.videoPreset', { ...recipe, defaults: { ...recipe.defaults, videoPreset: 'ghost-video' } }],
    ['defaults.visuals', { ...recipe, defaults: { ...recipe.defaults, visuals: [] } }],
    ['defaults.visuals.0', { ...recipe, defaults: { ...recipe.defaults, visuals: ['../secret.png'] } }],
    ['defaults.visuals.0', { ...recipe, defaults: { ...recipe.defaults, visuals: ['notes.txt'] } }],
    ['defaults.motion', { ...recipe, defaults: { ...recipe.defaults, motion: 'spin' } }],
    [
      'defaults.captions.burnIn',
      { ...recipe, defaults: { ...recipe.defaults, captions: { burnIn: 'yes' } } },
    ],
    // A recipe names a bundled bed, never a file: a path would reach past every script's folder.
    ['defaults.music.bed', { ...recipe, defaults: { ...recipe.defaults, music: { bed: '/etc/passwd' } } }],
    ...(
      [
        ['durationMs', { durationMs: 100, fadeOutMs: 0 }],
        ['fadeOutMs', { fadeOutMs: 4000, durationMs: 3000 }],
        ['font', { font: 'comic-sans' }],
        ['titleSize', { titleSize: 0.9 }],
        ['titleColor', { titleColor: 'white' }],
        ['dim', { dim: 1.5 }],
      ] as const
    ).map(([field, change]): [string, RecipeVersionInput] => [
      `defaults.titleCard.${field}`,
      { ...recipe, defaults: { ...recipe.defaults, titleCard: { ...TITLE_CARD, ...change } as never } },
    ]),
  ])('rejects a bad %s', (field, bad) => {
    expect(fieldsOf(() => createRecipeVersion(t.db, bad as RecipeVersionInput, KINDS))).toEqual([field]);
    expect(listRecipeVersions(t.db, 'narrated-16x9')).toHaveLength(1);
  });

  it('keeps a title card a designer set', () => {
    const titled = { ...recipe, defaults: { ...recipe.defaults, titleCard: TITLE_CARD } };
    expect(createRecipeVersion(t.db, titled, KINDS).defaults.titleCard).toEqual(TITLE_CARD);
  });

  it('says a caption size now belongs to the caption style', () => {
    const old = { ...recipe, defaults: { ...recipe.defaults, captions: { burnIn: true, fontSize: 56 } } };
    expect(
      libraryErrorOf(() => createRecipeVersion(t.db, old as unknown as RecipeVersionInput, KINDS)).issues,
    ).toEqual([
      {
        field: 'defaults.captions.fontSize',
        message: 'caption size is now set by the caption style the video preset names (captionStyle)',
      },
    ]);
  });

  it('names the missing preset in the message', () => {
    const bad = { ...recipe, defaults: { ...recipe.defaults, voicePreset: 'ghost-voice' } };
    expect(libraryErrorOf(() => createRecipeVersion(t.db, bad, KINDS)).message).toContain(
      'defaults.voicePreset: unknown voice preset "ghost-voice"',
    );
  });
});
