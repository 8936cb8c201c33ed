/**
 * How a video's title looks, declared once: a recipe's `titleCard` (the card over the video's opening)
 * and the thumbnail share it, and a RenderPlan carries it to the encoder. Sizes are fractions of the
 * frame's height so one look fits every preset (landscape, portrait, the 1280x720 thumbnail).
 */
import { z } from 'zod';
import { CAPTION_FONT_IDS, CAPTION_FONTS } from './caption-styles.ts';

export const TITLE_CARD_LIMITS = {
  minDurationMs: 500,
  maxDurationMs: 15_000,
  maxFadeOutMs: 5_000,
  /** Text height as a fraction of the frame height. */
  minSize: 0.02,
  maxSize: 0.3,
  maxTitleLines: 3,
  maxSubtitleLines: 2,
} as const;

const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'colour must be #RRGGBB');
const size = z
  .number()
  .min(TITLE_CARD_LIMITS.minSize, `size must be at least ${TITLE_CARD_LIMITS.minSize} of the frame height`)
  .max(TITLE_CARD_LIMITS.maxSize, `size must be at most ${TITLE_CARD_LIMITS.maxSize} of the frame height`);

/** The look: fonts are the bundled ones (the caption styles' list, licences in resources/fonts). */
export const TitleLookSchema = z.strictObject({
  font: z.enum(CAPTION_FONT_IDS, `font must be one of the bundled fonts: ${CAPTION_FONT_IDS.join(', ')}`),
  titleSize: size,
  subtitleSize: size,
  titleColor: color,
  subtitleColor: color,
  /** The picture under the text is darkened by this much (0: untouched, 1: black), so light text reads. */
  dim: z.number().min(0, 'dim must be between 0 and 1').max(1, 'dim must be between 0 and 1'),
});
export type TitleLook = z.infer<typeof TitleLookSchema>;

const cardDurationMs = z
  .number()
  .int('durationMs must be whole milliseconds')
  .min(TITLE_CARD_LIMITS.minDurationMs, `durationMs must be at least ${TITLE_CARD_LIMITS.minDurationMs}`)
  .max(TITLE_CARD_LIMITS.maxDurationMs, `durationMs must be at most ${TITLE_CARD_LIMITS.maxDurationMs}`);
const cardFadeOutMs = z
  .number()
  .int('fadeOutMs must be whole milliseconds')
  .min(0, 'fadeOutMs must not be negative')
  .max(TITLE_CARD_LIMITS.maxFadeOutMs, `fadeOutMs must be at most ${TITLE_CARD_LIMITS.maxFadeOutMs}`);

/** A recipe's title card: shown over the first `durationMs` of the video, fading out at its end. */
export const TitleCardSettingSchema = TitleLookSchema.extend({
  durationMs: cardDurationMs,
  fadeOutMs: cardFadeOutMs,
}).refine((card) => card.fadeOutMs <= card.durationMs, {
  message: 'fadeOutMs must not be longer than durationMs',
  path: ['fadeOutMs'],
});
export type TitleCardSetting = z.infer<typeof TitleCardSettingSchema>;

/**
 * The look of a thumbnail's title when the recipe has no title card: the schema's defaults, as a
 * preset's defaults are. A recipe with a title card gives its thumbnail the card's look.
 */
export const DEFAULT_TITLE_LOOK: TitleLook = {
  font: 'dejavu-sans-bold',
  titleSize: 0.1,
  subtitleSize: 0.055,
  titleColor: '#FFFFFF',
  subtitleColor: '#E0E0E0',
  dim: 0.45,
};

export function titleFontFile(look: TitleLook): string {
  return CAPTION_FONTS[look.font].file;
}

/** The words as a plan carries them; the encoder breaks them into lines for the frame it draws on. */
export const TitleTextSchema = z.strictObject({
  title: z.string().min(1).max(500),
  subtitle: z.string().min(1).max(500).optional(),
});
export type TitleText = z.infer<typeof TitleTextSchema>;

const planAssetId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** A plan's title card: drawn over frames [0, durationMs) of the whole video, fading out at the end. */
export const PlanTitleCardSchema = z.strictObject({
  text: TitleTextSchema,
  /** The bundled font file, as a plan asset. */
  font: planAssetId,
  look: TitleLookSchema,
  durationMs: cardDurationMs,
  fadeOutMs: cardFadeOutMs,
});
export type PlanTitleCard = z.infer<typeof PlanTitleCardSchema>;

/**
 * What the thumbnail is made of: the script's own `thumbnail:` image as it is (its author made it to be
 * the thumbnail), or the first scene's picture with the title (when there is one) drawn over it.
 */
export const PlanThumbnailSchema = z.strictObject({
  image: planAssetId.optional(),
  text: TitleTextSchema.optional(),
  font: planAssetId,
  look: TitleLookSchema,
});
export type PlanThumbnail = z.infer<typeof PlanThumbnailSchema>;
