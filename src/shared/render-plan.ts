/**
 * RenderPlan: everything an encoder needs to produce a video, and nothing machine-specific.
 * Assets are referenced by sha256 + size so a plan can travel to another Mac, which fetches
 * the blobs it lacks and verifies them. Validated with a schema on every boundary.
 */
import { z } from 'zod';
import { videoFrameCount } from './frame-grid.ts';
import { PRESET_LIMITS, VideoEncodingSchema } from './presets.ts';
import { PlanThumbnailSchema, PlanTitleCardSchema } from './title-card.ts';
import { TimedTransitionSchema } from './transition.ts';

export const RENDER_PLAN_VERSION = 1;

/** Upper bounds that keep a hostile or broken plan from asking for absurd work. */
export const PLAN_LIMITS = {
  minDimension: PRESET_LIMITS.minDimension,
  maxDimension: PRESET_LIMITS.maxDimension,
  maxFps: PRESET_LIMITS.maxFps,
  maxDurationMs: 6 * 60 * 60 * 1000,
  /** 6 h at 120 fps. */
  maxFrames: 6 * 60 * 60 * 120,
  maxScenes: 10_000,
  maxAssets: 20_000,
  maxAssetBytes: 20 * 1024 ** 3,
  /** Each span is an input of the audio mix: a script switching music at every scene is refused. */
  maxMusicSpans: 200,
} as const;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lower-case hex digits');

export const AssetRefSchema = z.strictObject({
  sha256,
  size: z.number().int().nonnegative().max(PLAN_LIMITS.maxAssetBytes),
  kind: z.enum(['image', 'audio', 'video', 'subtitles', 'font']),
  /** File name with extension (no folders): ffmpeg and fonts care about extensions. */
  name: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^/\\\0]+$/, 'asset name must be a bare file name')
    .refine((n) => n !== '.' && n !== '..', 'asset name must be a bare file name'),
});
export type AssetRef = z.infer<typeof AssetRefSchema>;

const assetId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const durationMs = z.number().int().positive().max(PLAN_LIMITS.maxDurationMs);
export const MotionSchema = z.enum(['none', 'zoom-in', 'zoom-out', 'pan-left', 'pan-right']);
export type Motion = z.infer<typeof MotionSchema>;

export const VisualSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('image'), asset: assetId, motion: MotionSchema }),
  z.strictObject({ kind: z.literal('color'), color: z.string().regex(/^#[0-9a-fA-F]{6}$/) }),
  z.strictObject({ kind: z.literal('clip'), asset: assetId, loop: z.boolean() }),
]);
export type Visual = z.infer<typeof VisualSchema>;

export const SceneSchema = z.strictObject({
  startMs: z.number().int().nonnegative(),
  durationMs,
  visual: VisualSchema,
});

export type Scene = z.infer<typeof SceneSchema>;

const gainDb = z.number().min(-60).max(60);

/** One stretch of music: its file from the start, looped or cut to the span, at a measured gain. */
export const MusicSpanSchema = z.strictObject({
  asset: assetId,
  startMs: z.number().int().nonnegative().max(PLAN_LIMITS.maxDurationMs),
  durationMs,
  /** Brings this file to its level under the narration (measured when the plan was made). */
  gainDb,
});
export type MusicSpan = z.infer<typeof MusicSpanSchema>;

/** The music bed: spans in order, never overlapping; silence between them. */
export const MusicSchema = z.strictObject({
  spans: z.array(MusicSpanSchema).min(1).max(PLAN_LIMITS.maxMusicSpans),
  /** How far the music drops while someone speaks, in dB. */
  duckDb: z.number().min(0).max(60),
  attackMs: z.number().min(0.01).max(2000),
  releaseMs: z.number().min(0.01).max(9000),
  /** Each span fades in at its start and out at its end (at most half the span each). */
  fadeInMs: z.number().min(0).max(60_000),
  fadeOutMs: z.number().min(0).max(60_000),
});
export type Music = z.infer<typeof MusicSchema>;

/**
 * The finished mix's loudness: the target and ceiling (from the video preset) and what was measured
 * to reach them — a gain for the whole mix, and the ceiling a true-peak limiter holds (null when the
 * gained mix already stays under it). The encoder applies exactly these, whole or in segments.
 */
export const LoudnessPlanSchema = z.strictObject({
  targetLufs: z.number().min(-70).max(0),
  truePeakDbtp: z.number().min(-20).max(0),
  gainDb,
  limitDbtp: z.number().min(-20).max(0).nullable(),
});
export type LoudnessPlan = z.infer<typeof LoudnessPlanSchema>;

/** The video preset's encoding (src/shared/presets.ts), as a plan carries it to the encoder. */
export const OutputSchema = VideoEncodingSchema.extend({
  container: z.literal('mp4'),
  videoCodec: z.enum(['h264', 'hevc']),
  /** Quality for software encoders (libx264 crf); ignored by hardware encoders. */
  crf: VideoEncodingSchema.shape.crf.unwrap().optional(),
  /** libx264 speed preset, e.g. "veryfast"; ignored by hardware encoders. */
  speedPreset: VideoEncodingSchema.shape.speedPreset.unwrap().optional(),
});
export type RenderOutput = z.infer<typeof OutputSchema>;

export const SegmentSchema = z.strictObject({
  index: z.number().int().nonnegative().max(PLAN_LIMITS.maxScenes),
  count: z.number().int().min(2).max(PLAN_LIMITS.maxScenes),
  /** Frames [startFrame, startFrame + frameCount) of the whole video. */
  startFrame: z.number().int().nonnegative().max(PLAN_LIMITS.maxFrames),
  frameCount: z.number().int().min(1).max(PLAN_LIMITS.maxFrames),
});
export type Segment = z.infer<typeof SegmentSchema>;

export const RenderPlanSchema = z
  .strictObject({
    version: z.literal(RENDER_PLAN_VERSION),
    id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    title: z.string().max(500),
    output: OutputSchema,
    durationMs,
    assets: z.record(assetId, AssetRefSchema),
    scenes: z.array(SceneSchema).min(1).max(PLAN_LIMITS.maxScenes),
    audio: z.strictObject({
      narration: assetId,
      music: MusicSchema.optional(),
      loudness: LoudnessPlanSchema.optional(),
    }),
    captions: z.strictObject({ asset: assetId, font: assetId.optional(), burnIn: z.boolean() }).optional(),
    /** The title over the video's opening (a recipe's title card, the script's title); absent: none. */
    titleCard: PlanTitleCardSchema.optional(),
    /** What the thumbnail is made of; the encoder ignores it, the encode step makes the JPEG from it. */
    thumbnail: PlanThumbnailSchema.optional(),
    /**
     * How each scene after the first comes in (absent: cuts). The timeline does not move: the transition
     * into a scene takes its first frames, over which the scene before it goes on (plan-frames.ts).
     */
    transition: TimedTransitionSchema.optional(),
    /**
     * Set on the plan of one segment of a split encode: render only these scenes, video only, to be
     * joined with the other segments and the audio later. Absent: the whole video.
     */
    segment: SegmentSchema.optional(),
  })
  .superRefine((plan, ctx) => {
    if (Object.keys(plan.assets).length > PLAN_LIMITS.maxAssets) {
      ctx.addIssue({ code: 'custom', message: 'too many assets', path: ['assets'] });
    }
    const referenced: { id: string; path: (string | number)[] }[] = [
      { id: plan.audio.narration, path: ['audio', 'narration'] },
    ];
    let musicEnd = 0;
    plan.audio.music?.spans.forEach((span, i) => {
      const path = ['audio', 'music', 'spans', i];
      referenced.push({ id: span.asset, path: [...path, 'asset'] });
      if (span.startMs < musicEnd)
        ctx.addIssue({ code: 'custom', message: 'music spans must be in order, apart', path });
      musicEnd = span.startMs + span.durationMs;
      if (musicEnd > plan.durationMs)
        ctx.addIssue({ code: 'custom', message: 'music span ends after the video', path });
    });
    if (plan.captions) {
      referenced.push({ id: plan.captions.asset, path: ['captions', 'asset'] });
      if (plan.captions.font) referenced.push({ id: plan.captions.font, path: ['captions', 'font'] });
    }
    if (plan.titleCard) referenced.push({ id: plan.titleCard.font, path: ['titleCard', 'font'] });
    if (plan.thumbnail) {
      referenced.push({ id: plan.thumbnail.font, path: ['thumbnail', 'font'] });
      if (plan.thumbnail.image) referenced.push({ id: plan.thumbnail.image, path: ['thumbnail', 'image'] });
    }
    let expectedStart = 0;
    plan.scenes.forEach((scene, i) => {
      if (scene.visual.kind !== 'color')
        referenced.push({ id: scene.visual.asset, path: ['scenes', i, 'visual', 'asset'] });
      if (scene.startMs !== expectedStart) {
        ctx.addIssue({
          code: 'custom',
          message: 'scenes must be contiguous and in order',
          path: ['scenes', i, 'startMs'],
        });
      }
      expectedStart = scene.startMs + scene.durationMs;
    });
    if (expectedStart !== plan.durationMs) {
      ctx.addIssue({
        code: 'custom',
        message: 'scene durations must add up to durationMs',
        path: ['durationMs'],
      });
    }
    if (plan.segment) {
      const { index, count, startFrame, frameCount } = plan.segment;
      if (index >= count)
        ctx.addIssue({ code: 'custom', message: 'segment index must be below count', path: ['segment'] });
      if (
        expectedStart === plan.durationMs &&
        startFrame + frameCount > videoFrameCount(plan.durationMs, plan.output.fps)
      )
        ctx.addIssue({
          code: 'custom',
          message: 'segment frames are past the end of the video',
          path: ['segment'],
        });
    }
    for (const ref of referenced) {
      if (!plan.assets[ref.id])
        ctx.addIssue({ code: 'custom', message: `unknown asset "${ref.id}"`, path: ref.path });
    }
  });

export type RenderPlan = z.infer<typeof RenderPlanSchema>;

/** The assets of the audio track, in the order the mix takes them: the narration, then each music span. */
export function audioAssetIds(plan: Pick<RenderPlan, 'audio'>): string[] {
  return [plan.audio.narration, ...(plan.audio.music?.spans.map((span) => span.asset) ?? [])];
}

export type PlanValidation = { ok: true; plan: RenderPlan } | { ok: false; errors: string[] };

export function validateRenderPlan(input: unknown): PlanValidation {
  const result = RenderPlanSchema.safeParse(input);
  if (result.success) return { ok: true, plan: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((issue) => `${issue.path.join('.') || '(plan)'}: ${issue.message}`),
  };
}
