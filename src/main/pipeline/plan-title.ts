/**
 * The title's part of a RenderPlan: the title card (when the recipe has one and the script a title) and
 * what the thumbnail is made of. Both draw with a bundled font, copied in as a plan asset so any Mac of
 * the farm draws the same letters.
 */
import { copyFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { RenderPlan } from '../../shared/render-plan.ts';
import {
  DEFAULT_TITLE_LOOK,
  type TitleLook,
  type TitleText,
  titleFontFile,
} from '../../shared/title-card.ts';
import type { RecipeDefaults } from '../db/schema.ts';
import { THUMBNAIL_SIZE } from '../ffmpeg/index.ts';
import type { MediaPlaces } from '../script/index.ts';
import type { MediaRef, ScriptDocument } from '../script/types.ts';
import type { PlanAssetList } from './plan-asset-list.ts';
import { copyCheckedPicture, type HashedMedia } from './plan-media.ts';

const FONT_ID = 'title-font';
const THUMBNAIL_ID = 'thumbnail-image';

/** The look the title is drawn in: the recipe's card's, or the default when the recipe has no card. */
export function titleLookOf(defaults: RecipeDefaults): TitleLook {
  const card = defaults.titleCard;
  if (!card) return DEFAULT_TITLE_LOOK;
  const { font, titleSize, subtitleSize, titleColor, subtitleColor, dim } = card;
  return { font, titleSize, subtitleSize, titleColor, subtitleColor, dim };
}

/** The bundled font file the title is drawn with. */
export function titleFontPath(resourcesDir: string, defaults: RecipeDefaults): string {
  return join(resourcesDir, 'fonts', titleFontFile(titleLookOf(defaults)));
}

/** The script's own thumbnail image (a job parsed before thumbnails existed has none). */
export function thumbnailOf(document: ScriptDocument): MediaRef | undefined {
  return document.thumbnail;
}

export async function planTitle(input: {
  document: ScriptDocument;
  defaults: RecipeDefaults;
  resourcesDir: string;
  assets: PlanAssetList;
  places: MediaPlaces;
  /** What the step's hash was made of: the thumbnail copied must still be it. */
  hashed: HashedMedia;
  ffmpeg: { ffmpegPath: string; ffprobePath: string | null; signal?: AbortSignal };
}): Promise<Pick<RenderPlan, 'titleCard' | 'thumbnail'>> {
  const { document, defaults, assets } = input;
  const look = titleLookOf(defaults);
  // Named apart from the caption font: both are linked into one fonts folder for the encoder.
  const fontPath = titleFontPath(input.resourcesDir, defaults);
  const fontCopy = assets.workPath(FONT_ID, fontPath);
  await copyFile(fontPath, fontCopy);
  await assets.record(FONT_ID, fontCopy, 'font', `title-${basename(fontPath)}`);
  const { title, subtitle } = document.meta;
  const text: TitleText | undefined = title ? { title, ...(subtitle ? { subtitle } : {}) } : undefined;
  const own = thumbnailOf(document);
  if (own) {
    const copy = assets.workPath(THUMBNAIL_ID, own.written);
    const still = await copyCheckedPicture(
      document,
      own,
      input.places,
      copy,
      input.ffmpeg,
      THUMBNAIL_SIZE,
      input.hashed,
    );
    await assets.record(THUMBNAIL_ID, still.path, 'image', still.name);
  }
  const card = defaults.titleCard;
  return {
    ...(card && text
      ? { titleCard: { text, font: FONT_ID, look, durationMs: card.durationMs, fadeOutMs: card.fadeOutMs } }
      : {}),
    thumbnail: { font: FONT_ID, look, ...(own ? { image: THUMBNAIL_ID } : {}), ...(text ? { text } : {}) },
  };
}
