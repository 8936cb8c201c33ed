import { basename, extname, join } from 'node:path';
import {
  type Motion,
  RENDER_PLAN_VERSION,
  type RenderPlan,
  validateRenderPlan,
} from '../../shared/render-plan.ts';
import type { RecipeDefaults } from '../db/schema.ts';
import { StepError } from '../engine/errors.ts';
import type { VideoSettings } from '../engine/job-settings.ts';
import { type HashContext, NO_OPTIONS, type StepContext, type StepHandler } from '../engine/step-handler.ts';
import {
  BUNDLED_BEDS,
  type CaptionBox,
  type ClipFacts,
  cutClipRange,
  hasVideoFrame,
  planLoudness,
  probeClip,
  type Size,
  stillFit,
} from '../ffmpeg/index.ts';
import { CLIP_MEDIA, IMAGE_MEDIA, type MediaPlaces, MUSIC_MEDIA } from '../script/index.ts';
import type { ClipRef, MediaRef, Scene, ScriptDocument } from '../script/types.ts';
import type { Narration } from '../speech/index.ts';
import { sha256File, sha256Hex } from '../util/hash.ts';
import { captionFontPath } from './captions-step.ts';
import { inputFile, readInputJson, writeWorkJson } from './files.ts';
import { jobMediaPlaces } from './media-places.ts';
import { clipFileProblem, clipRangeProblem, seconds, UNREADABLE_CLIP } from './media-verdicts.ts';
import { PlanAssetList } from './plan-asset-list.ts';
import { planCaptionBox } from './plan-caption-box.ts';
import { checkMaxDuration, planTransition } from './plan-limits.ts';
import {
  checkedMediaChecksum,
  copyCheckedMedia,
  copyCheckedPicture,
  type HashedMedia,
  locatedError,
  mediaRunLimit,
} from './plan-media.ts';
import { bedCacheDir, planMusic } from './plan-music.ts';
import { planTitle, thumbnailOf, titleFontPath } from './plan-title.ts';
import type { PipelineServices } from './services.ts';

// /soft-captions: captions not burned in became a track of the video.
// /clips-music-loudness: clips, music spans and a measured loudness.
// /transitions: a plan may blend scenes (the front matter's or the video preset's transition).
// /title-thumbnail: the title card and what the thumbnail is made of.
// /fitted-stills: a still larger than the video can use is cropped and scaled down (still-fit.ts).
const PLAN_VERSION = `render-plan/${RENDER_PLAN_VERSION}/soft-captions/clips-music-loudness/transitions/title-thumbnail/fitted-stills`;

/**
 * Script + narration + captions → a RenderPlan: every asset by checksum, scene times from the
 * narration. External files (scene images and clips, music, bundled visuals and beds, the caption
 * font) are copied into the blob store so the plan can be encoded on any Mac of the farm. A script's
 * media are read only through openCheckedMedia (plan-media.ts). The mix is measured here, so the
 * plan carries the gains that bring music under the voice and the whole to the preset's loudness.
 */
export function renderPlanStep(services: PipelineServices): StepHandler {
  const visualPath = (name: string) => join(services.resourcesDir, 'visuals', name);
  return {
    kind: 'render.plan',
    options: NO_OPTIONS,
    needs: { script: 'script.parse', narration: 'speech.synthesize', captions: 'captions.build' },
    version: () => PLAN_VERSION,
    config: ({ settings }) => ({ video: settings.video, defaults: settings.recipe.defaults }),
    async fingerprint({ inputs, settings }: HashContext) {
      const document = await readInputJson<ScriptDocument>(inputs, 'script', 'document');
      const places = jobMediaPlaces(settings, services.dataDir);
      const shas: Record<string, string> = {};
      const media = async (ref: MediaRef, kind: typeof IMAGE_MEDIA) => {
        shas[ref.path] ??= await checkedMediaChecksum(ref, places, kind);
      };
      for (const [i, scene] of document.scenes.entries()) {
        const image = imageOf(scene);
        if (scene.clip) await media(scene.clip, CLIP_MEDIA);
        else if (image) await media(image, IMAGE_MEDIA);
        else {
          const path = visualPath(pickVisual(settings.recipe.defaults, i));
          shas[path] ??= await checksumOf(path);
        }
        if (scene.music?.kind === 'file') await media(scene.music.media, MUSIC_MEDIA);
      }
      if (document.music?.kind === 'file') await media(document.music.media, MUSIC_MEDIA);
      const bed = settings.recipe.defaults.music?.bed;
      // A bed is rendered from its recipe: a changed recipe is other music.
      if (bed) shas[`bed:${bed}`] = sha256Hex(JSON.stringify(BUNDLED_BEDS[bed] ?? null));
      const fontPath = captionFontPath(services.resourcesDir, settings);
      shas[fontPath] = await checksumOf(fontPath);
      const own = thumbnailOf(document);
      if (own) await media(own, IMAGE_MEDIA);
      const titleFont = titleFontPath(services.resourcesDir, settings.recipe.defaults);
      shas[titleFont] ??= await checksumOf(titleFont);
      return shas;
    },
    async run(ctx) {
      const document = await readInputJson<ScriptDocument>(ctx.inputs, 'script', 'document');
      const narration = await readInputJson<Narration>(ctx.inputs, 'narration', 'timings');
      checkMaxDuration(narration.durationMs, ctx.settings.video);
      const transition = planTransition(document, ctx.settings.video);
      const { location, probe } = await services.ffmpeg();
      const assets = new PlanAssetList(ctx.workDir);
      const places = jobMediaPlaces(ctx.settings, services.dataDir);

      assets.addInput('narration', inputFile(ctx.inputs, 'narration', 'audio'), 'audio', 'narration.wav');
      const { defaults } = ctx.settings.recipe;
      if (defaults.captions.burnIn) {
        assets.addInput('captions', inputFile(ctx.inputs, 'captions', 'ass'), 'subtitles', 'captions.ass');
        await assets.addExternal('font', captionFontPath(services.resourcesDir, ctx.settings), 'font');
      } else {
        // Not burned in: a caption track players can switch on (SRT is what mov_text converts from best).
        assets.addInput('captions', inputFile(ctx.inputs, 'captions', 'srt'), 'subtitles', 'captions.srt');
      }
      const visualIds = new Map<string, string>();
      const scenes: RenderPlan['scenes'] = [];
      const sceneTimes = integerSceneTimes(narration);
      const hashed = hashedMediaOf(ctx.fingerprint);
      const visuals: VisualSources = {
        document,
        places,
        hashed,
        assets,
        ffmpeg: {
          ffmpegPath: location.ffmpegPath,
          ffprobePath: location.ffprobePath,
          encoders: probe.encoders,
          signal: ctx.signal,
        },
        frame: outputOf(ctx.settings.video),
      };
      // The pictures (each still probed, a clip probed and cut), the music (each file measured) and the
      // title's thumbnail are made ready at once: most of it is ffmpeg's and ffprobe's start-up. The
      // plan's assets are listed by id below, so the plan is the same whichever ends first.
      const planVisuals = async () => {
        // In the script's order, started once every clip's length is known.
        const work: (() => Promise<void>)[] = [];
        const clips = new ClipSources(visuals);
        /** How long each clip is on screen at most (a clip in several scenes: the longest). */
        const clipNeeds = new Map<string, number>();
        for (const [i, scene] of document.scenes.entries()) {
          const time = sceneTimes[i];
          if (scene.clip) {
            const { clip } = scene;
            const key = `clip:${clip.path}:${clip.range?.startMs}-${clip.range?.endMs}`;
            let id = visualIds.get(key);
            if (!id) {
              const clipId = `clip-${visualIds.size}`;
              id = clipId;
              visualIds.set(key, clipId);
              work.push(() => addClip(visuals, clipId, clip, clips, clipNeeds.get(clipId) ?? 0));
            }
            const onScreen = (time?.durationMs ?? 0) + (transition?.durationMs ?? 0);
            clipNeeds.set(id, Math.max(clipNeeds.get(id) ?? 0, onScreen));
            if (time) scenes.push({ ...time, visual: { kind: 'clip', asset: id, loop: true } });
            continue;
          }
          const image = imageOf(scene);
          const path = image?.path ?? visualPath(pickVisual(defaults, i));
          let id = visualIds.get(path);
          if (!id) {
            const imageId = `image-${visualIds.size}`;
            id = imageId;
            visualIds.set(path, imageId);
            work.push(() =>
              image ? addPicture(visuals, imageId, image) : assets.addExternal(imageId, path, 'image'),
            );
          }
          if (time)
            scenes.push({ ...time, visual: { kind: 'image', asset: id, motion: motionFor(defaults, i) } });
        }
        const limit = mediaRunLimit();
        await firstFailureInOrder(work.map((start) => limit(start)));
      };
      const musicPlanned = planMusic({
        document,
        defaultBed: defaults.music?.bed ?? null,
        mix: ctx.settings.video.music,
        sceneTimes,
        narration: 'narration',
        assets,
        places,
        hashed,
        ffmpegPath: location.ffmpegPath,
        sampleRate: ctx.settings.video.audioSampleRate,
        bedCacheDir: bedCacheDir(services.dataDir),
        warn: (message) => ctx.warn(message),
        signal: ctx.signal,
      });
      const titlePlanned = planTitle({
        document,
        defaults,
        resourcesDir: services.resourcesDir,
        assets,
        places,
        hashed,
        ffmpeg: visuals.ffmpeg,
      });
      // All are waited for; a script's picture error is reported before its music's and its
      // thumbnail's, in the order the script is read.
      const [, music, title] = await firstFailureInOrder([
        planVisuals(),
        musicPlanned,
        titlePlanned,
      ] as const);
      const plan: RenderPlan = {
        version: RENDER_PLAN_VERSION,
        id: 'plan',
        title: document.meta.title ?? basename(document.file),
        output: outputOf(ctx.settings.video),
        durationMs: scenes.reduce((sum, s) => sum + s.durationMs, 0),
        assets: Object.fromEntries(Object.entries(assets.assets).sort(([a], [b]) => (a < b ? -1 : 1))),
        scenes,
        audio: { narration: 'narration', ...(music ? { music } : {}) },
        captions: defaults.captions.burnIn
          ? { asset: 'captions', font: 'font', burnIn: true }
          : { asset: 'captions', burnIn: false },
        ...(transition ? { transition } : {}),
        ...title,
      };
      const { loudness } = ctx.settings.video;
      const [normalized, captionBox] = await Promise.all([
        loudness && planLoudness(location.ffmpegPath, plan, assets.paths, loudness, ctx.signal),
        planCaptionBox(location.ffmpegPath, plan, assets, ctx.workDir, ctx.signal),
      ]);
      if (normalized) plan.audio.loudness = normalized;
      else if (loudness) ctx.warn('the audio is silent: it was not brought to the preset’s loudness');
      return finish(ctx, plan, assets, scenes.length, captionBox);
    },
  };
}

async function finish(
  ctx: StepContext,
  plan: RenderPlan,
  assets: PlanAssetList,
  sceneCount: number,
  captionBox: CaptionBox | null | undefined,
) {
  const checked = validateRenderPlan(plan);
  if (!checked.ok) throw new StepError('fatal', `the render plan is invalid: ${checked.errors.join('; ')}`);
  // Named by what it holds, not by its job: a plan made again (its file lost, a new job of the same
  // script) is the same bytes, and its video is reused, where it was encoded again (found by attacking
  // the engine).
  plan.id = `plan-${sha256Hex(JSON.stringify(plan)).slice(0, 16)}`;
  const files = {
    ...assets.files,
    plan: { path: await writeWorkJson(ctx, 'plan.json', plan), type: 'plan' },
  };
  const data = {
    durationMs: plan.durationMs,
    scenes: sceneCount,
    ...(plan.audio.loudness ? { loudness: plan.audio.loudness } : {}),
    // null: the captions draw nothing (the encode skips them); absent: the encode measures.
    ...(captionBox !== undefined ? { captionBox: captionBox && { ...captionBox } } : {}),
  };
  return { files, data };
}

interface VisualSources {
  document: ScriptDocument;
  places: MediaPlaces;
  hashed: HashedMedia;
  assets: PlanAssetList;
  /** With the job's signal: a cancelled job kills the step's ffmpeg runs instead of waiting for them. */
  ffmpeg: {
    ffmpegPath: string;
    ffprobePath: string | null;
    encoders: readonly string[];
    signal: AbortSignal;
  };
  /** The video's frame size: stills larger than it can use are made smaller. */
  frame: Size;
}

/** A script's still, copied in and probed (copyCheckedPicture). */
async function addPicture(sources: VisualSources, id: string, image: MediaRef): Promise<void> {
  const { document, assets, places, ffmpeg, frame, hashed } = sources;
  const copy = assets.workPath(id, image.written);
  const still = await copyCheckedPicture(document, image, places, copy, ffmpeg, frame, hashed);
  await assets.record(id, still.path, 'image', still.name);
}

/**
 * Waits for every one of `work` and gives their values; if any failed, throws the first failure in
 * the order given (not the first to happen), so a script with several errors reports the same one
 * every time.
 */
async function firstFailureInOrder<T extends readonly unknown[]>(
  work: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

/**
 * Each clip file the script names, copied in (checked again as it is copied) and probed once, however
 * many scenes cut it: a script naming one large file in many scenes with ranges a tenth of a second
 * apart copied the whole file once per scene.
 */
class ClipSources {
  private readonly sources: VisualSources;
  private readonly byPath = new Map<string, Promise<{ copy: string; facts: ClipFacts }>>();

  constructor(sources: VisualSources) {
    this.sources = sources;
  }

  of(clip: ClipRef): Promise<{ copy: string; facts: ClipFacts }> {
    let source = this.byPath.get(clip.path);
    if (!source) {
      source = this.copy(clip, `clip-source-${this.byPath.size}`);
      this.byPath.set(clip.path, source);
    }
    return source;
  }

  private async copy(clip: ClipRef, id: string): Promise<{ copy: string; facts: ClipFacts }> {
    const { document, assets, ffmpeg, places, hashed } = this.sources;
    const copy = assets.workPath(id, clip.written);
    await copyCheckedMedia(document, clip, places, CLIP_MEDIA, copy, hashed);
    const facts = (await probeClip(ffmpeg.ffprobePath, ffmpeg.ffmpegPath, copy)) ?? UNREADABLE_CLIP;
    const problem = clipFileProblem(clip.written, facts);
    if (problem) throw locatedError(document, clip, problem);
    return { copy, facts };
  }
}

/**
 * A clip's asset: the file as it is, or its range cut to what the scenes show of it (`onScreenMs`,
 * the longest of them, with its transition): a range longer than its scene was encoded whole.
 */
async function addClip(
  sources: VisualSources,
  id: string,
  clip: ClipRef,
  clips: ClipSources,
  onScreenMs: number,
): Promise<void> {
  const { document, assets, ffmpeg, frame } = sources;
  const { copy, facts } = await clips.of(clip);
  const name = basename(clip.written, extname(clip.written));
  // Larger than the video can use (an 8K clip in a 1080p video): its frames are fitted as it is cut.
  const fitTo = stillFit(facts, frame) ? frame : undefined;
  if (!clip.range && !fitTo) {
    // A header may claim video that holds no frame: one is decoded (a range's cut counts its own).
    if (!(await hasVideoFrame(ffmpeg.ffmpegPath, copy)))
      throw locatedError(document, clip, `clip "${clip.written}" has no video`);
    await assets.record(id, copy, 'video', basename(clip.written));
    return;
  }
  // Unranged and fitted: from its start, as much as the scenes show (a shorter clip loops whole).
  const range = clip.range ?? { startMs: 0, endMs: onScreenMs + CLIP_MARGIN_MS };
  const pastEnd = clipRangeProblem(clip, facts);
  if (pastEnd) throw locatedError(document, clip, pastEnd);
  const cut = assets.workPath(id, `${name}.mp4`);
  // A second more than shown: the encode takes a scene's frames to its last one.
  const endMs = Math.min(range.endMs, range.startMs + onScreenMs + CLIP_MARGIN_MS);
  const { frames } = await cutClipRange(
    ffmpeg.ffmpegPath,
    ffmpeg.encoders,
    copy,
    { startMs: range.startMs, endMs },
    cut,
    fitTo,
    ffmpeg.signal,
  );
  // The header's length may be its sound's: the cut shows whether any picture lies in the range.
  if (frames === 0)
    throw locatedError(
      document,
      clip,
      clip.range
        ? `clip "${clip.written}" has no video from ${seconds(range.startMs)} to ${seconds(range.endMs)}`
        : `clip "${clip.written}" has no video`,
    );
  const fitted = fitTo ? '-fitted' : '';
  await assets.record(id, cut, 'video', `${name}-${range.startMs}-${range.endMs}${fitted}.mp4`);
}

const CLIP_MARGIN_MS = 1000;

/** The fingerprint this attempt's hash was made of: each medium's checksum by its checked path. */
function hashedMediaOf(fingerprint: unknown): HashedMedia {
  if (typeof fingerprint !== 'object' || fingerprint === null)
    throw new StepError('fatal', 'the plan step has no fingerprint');
  return fingerprint as HashedMedia;
}

/** A scene's image. A job checked before images carried their source re-checks the absolute path. */
function imageOf(scene: Scene): MediaRef | undefined {
  const image = scene.image as MediaRef | string | undefined;
  return typeof image === 'string' ? { written: image, path: image, line: scene.line, col: 1 } : image;
}

function pickVisual(defaults: RecipeDefaults, sceneIndex: number): string {
  const visuals = defaults.visuals;
  if (visuals.length === 0) throw new StepError('fatal', 'the recipe lists no default visuals');
  return visuals[sceneIndex % visuals.length] as string;
}

/** Gentle motion that alternates direction scene by scene, so cuts feel deliberate. */
function motionFor(defaults: RecipeDefaults, sceneIndex: number): Motion {
  if (defaults.motion === 'zoom-in' && sceneIndex % 2 === 1) return 'zoom-out';
  return defaults.motion;
}

/** Scenes in whole milliseconds, contiguous, summing exactly to the narration's length. */
export function integerSceneTimes(narration: Narration): { startMs: number; durationMs: number }[] {
  const total = Math.round(narration.durationMs);
  const sorted = [...narration.scenes].sort((a, b) => a.index - b.index);
  const times: { startMs: number; durationMs: number }[] = [];
  let start = 0;
  sorted.forEach((scene, i) => {
    const end = i === sorted.length - 1 ? total : Math.round(scene.endMs);
    if (end > start) {
      times[scene.index] = { startMs: start, durationMs: end - start };
      start = end;
    }
  });
  return times;
}

function outputOf(video: VideoSettings): RenderPlan['output'] {
  return {
    container: 'mp4',
    width: video.width,
    height: video.height,
    fps: video.fps,
    videoCodec: video.encoders.some((e) => e.includes('hevc') || e.includes('265')) ? 'hevc' : 'h264',
    encoders: video.encoders,
    bitrate: video.bitrate,
    ...(video.crf !== null ? { crf: video.crf } : {}),
    ...(video.speedPreset ? { speedPreset: video.speedPreset } : {}),
    pixelFormat: video.pixelFormat as RenderPlan['output']['pixelFormat'],
    audioCodec: 'aac',
    audioBitrate: video.audioBitrate,
    audioSampleRate: video.audioSampleRate,
  };
}

async function checksumOf(path: string): Promise<string> {
  try {
    return (await sha256File(path)).sha256;
  } catch (error) {
    throw new StepError('invalid-input', `cannot read ${path}: ${(error as Error).message}`);
  }
}
