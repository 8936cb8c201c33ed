import { and, desc, eq } from 'drizzle-orm';
import { type ZodType, z } from 'zod';
import { CaptionStyleSchema } from '../../shared/caption-styles.ts';
import { DEFAULT_CAPTION_STYLE, VideoPresetSchema, VoicePresetSchema } from '../../shared/presets.ts';
import { readingRow, StoredJsonError } from '../db/json-text.ts';
import type { Db } from '../db/open.ts';
import { captionStyles, recipes, videoPresets, voicePresets } from '../db/schema.ts';
import { DirectionMapSchema } from '../script/direction-map-schema.ts';
import { StyleDegreeSchema, VoiceProsodySchema } from '../script/prosody-schema.ts';
import { mediaRootsSetting } from '../settings/index.ts';
import type {
  CaptionStyleSettings,
  JobSettings,
  ScriptJobInput,
  VideoSettings,
  VoiceSettings,
} from './job-settings.ts';
import { pipelineSchema, recipeDefaultsSchema } from './recipe-shape.ts';

export class SettingsError extends Error {
  override name = 'SettingsError';
  /** The choice that named what does not exist (a script's front matter can then place it). */
  readonly choice: 'recipe' | 'voicePreset' | undefined;
  constructor(message: string, choice?: 'recipe' | 'voicePreset') {
    super(message);
    this.choice = choice;
  }
}

export interface SettingsRequest {
  recipe?: string | undefined;
  voicePreset?: string | undefined;
  videoPreset?: string | undefined;
  input: ScriptJobInput;
}

/**
 * Rows are checked as they are read, not only when the Library saves them: the database is a file
 * anyone on the Mac may edit, or a library imported from elsewhere. Unchecked, a caption style of
 * zero lines ran the captions step out of memory, a frame rate of 1e9 hung the plan step, and a
 * recipe's visual named "../../etc/passwd" was copied into a plan for the farm.
 */
const RECIPE_ROW = z.object({
  pipeline: pipelineSchema(null),
  // The presets named are looked up below, each with its own message.
  defaults: recipeDefaultsSchema(() => z.string(), { strict: false }),
});

/**
 * A voice preset's shape, with a rate, a pitch and a style degree a voice can take (the Library's save
 * checks the same): a row edited in the database is named before any work.
 */
const VOICE_ROW = z.object({
  ...VoicePresetSchema.shape,
  prosody: z.object(VoiceProsodySchema.shape),
  styleDegree: StyleDegreeSchema,
  // `{"pause": 5}` failed every check with "Cannot read properties of undefined (reading 'ok')".
  directionMap: DirectionMapSchema,
});

/** A row read for a job: a cell edited into something that is not JSON is named with its row. */
function read<T>(what: string, query: () => T): T {
  try {
    return readingRow(what, query);
  } catch (error) {
    if (error instanceof StoredJsonError) throw new SettingsError(`${error.message}; fix it in the Library`);
    throw error;
  }
}

function checked<T>(what: string, schema: ZodType, row: T): T {
  const parsed = schema.safeParse(row);
  if (parsed.success) return row;
  const issue = parsed.error.issues[0];
  const where = issue?.path.join('.') || 'the row';
  throw new SettingsError(
    `${what} is not valid (${where}: ${issue?.message ?? 'invalid'}); fix it in the Library`,
  );
}

/**
 * Reads the active recipe version, the presets it (or the request) names, the active version of the
 * caption style the video preset names, and the media roots, frozen into a job.
 */
export function resolveSettings(db: Db, request: SettingsRequest): JobSettings {
  const slug = request.recipe ?? 'narrated-16x9';
  const recipe = read(`recipe "${slug}"`, () =>
    db
      .select()
      .from(recipes)
      .where(and(eq(recipes.slug, slug), eq(recipes.isActive, true)))
      .orderBy(desc(recipes.version))
      .get(),
  );
  if (!recipe) {
    const known = db
      .selectDistinct({ slug: recipes.slug })
      .from(recipes)
      .where(eq(recipes.isActive, true))
      .all()
      .map((row) => row.slug);
    throw new SettingsError(
      `unknown recipe "${slug}" (recipes: ${known.sort().join(', ') || 'none'})`,
      'recipe',
    );
  }
  checked(`recipe "${slug}" version ${recipe.version}`, RECIPE_ROW, recipe);
  const voiceSlug = request.voicePreset ?? recipe.defaults.voicePreset;
  const videoSlug = request.videoPreset ?? recipe.defaults.videoPreset;
  const video = videoPreset(db, videoSlug);
  return {
    recipe: {
      id: recipe.id,
      slug: recipe.slug,
      version: recipe.version,
      pipeline: recipe.pipeline,
      defaults: recipe.defaults,
    },
    voice: voicePreset(db, voiceSlug),
    video,
    captionStyle: captionStyle(db, video.captionStyle ?? DEFAULT_CAPTION_STYLE),
    input: request.input,
    media: { roots: mediaRootsSetting.read(db) ?? [] },
  };
}

export function voicePreset(db: Db, slug: string): VoiceSettings {
  const row = read(`voice preset "${slug}"`, () =>
    db.select().from(voicePresets).where(eq(voicePresets.slug, slug)).get(),
  );
  if (!row) throw new SettingsError(`unknown voice preset "${slug}"`, 'voicePreset');
  const { id: _id, updatedAt: _updated, ...preset } = row;
  checked(`voice preset "${slug}"`, VOICE_ROW, preset);
  const { name: _name, ...settings } = preset;
  return settings;
}

export function videoPreset(db: Db, slug: string): VideoSettings {
  const row = read(`video preset "${slug}"`, () =>
    db.select().from(videoPresets).where(eq(videoPresets.slug, slug)).get(),
  );
  if (!row) throw new SettingsError(`unknown video preset "${slug}"`);
  const { id: _id, updatedAt: _updated, ...preset } = row;
  checked(`video preset "${slug}"`, z.object(VideoPresetSchema.shape), preset);
  const { name: _name, ...settings } = preset;
  return { ...settings, speedPreset: settings.speedPreset as VideoSettings['speedPreset'] };
}

export function captionStyle(db: Db, slug: string): CaptionStyleSettings {
  const row = db
    .select()
    .from(captionStyles)
    .where(and(eq(captionStyles.slug, slug), eq(captionStyles.isActive, true)))
    .get();
  if (!row) throw new SettingsError(`unknown caption style "${slug}" (or none of its versions is active)`);
  const { id: _id, isActive: _active, createdAt: _created, ...style } = row;
  checked(`caption style "${slug}"`, z.object(CaptionStyleSchema.shape), style);
  const { name: _name, ...settings } = style;
  return settings;
}
