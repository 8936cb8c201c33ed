import { createWriteStream } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  type AssetRef,
  type Motion,
  RENDER_PLAN_VERSION,
  type RenderPlan,
  validateRenderPlan,
} from '../../shared/render-plan.ts';
import type { RecipeDefaults } from '../db/schema.ts';
import { StepError } from '../engine/errors.ts';
import type { JobSettings, VideoSettings } from '../engine/job-settings.ts';
import type { HashContext, ProducedFile, StepHandler, StepOutput } from '../engine/step-handler.ts';
import { formatDiagnostic, IMAGE_MEDIA, type MediaPlaces, openCheckedMedia } from '../script/index.ts';
import type { MediaRef, Scene, ScriptDocument } from '../script/types.ts';
import type { Narration } from '../speech/index.ts';
import { sha256File, sha256Stream } from '../util/hash.ts';
import { captionFontFile } from './captions-step.ts';
import { inputFile, readInputJson, writeWorkJson } from './files.ts';
import { jobMediaPlaces } from './media-places.ts';
import type { PipelineServices } from './services.ts';

// /soft-captions: captions not burned in became a track of the video.
const PLAN_VERSION = `render-plan/${RENDER_PLAN_VERSION}/soft-captions`;

/**
 * Script + narration + captions → a RenderPlan: every asset by checksum, scene times from the
 * narration. External files (scene images, bundled visuals, the caption font) are copied into the
 * blob store so the plan can be encoded on any Mac of the farm. A script's image is read only
 * through openCheckedMedia: it is checked again when read, since it may have changed since the check.
 */
export function renderPlanStep(services: PipelineServices): StepHandler {
  const visualPath = (name: string) => join(services.resourcesDir, 'visuals', name);
  // The caption style's bundled font: the only font handed to libass, so it cannot pick another.
  const fontPathOf = (settings: JobSettings) =>
    join(services.resourcesDir, 'fonts', captionFontFile(settings));
  return {
    kind: 'render.plan',
    version: () => PLAN_VERSION,
    config: ({ settings }) => ({ video: settings.video, defaults: settings.recipe.defaults }),
    async fingerprint({ inputs, settings }: HashContext) {
      const document = await readInputJson<ScriptDocument>(inputs, 'script', 'document');
      const places = jobMediaPlaces(settings, services.dataDir);
      const shas: Record<string, string> = {};
      for (const [i, scene] of document.scenes.entries()) {
        const image = imageOf(scene);
        if (image && !(image.path in shas)) {
          const opened = await openCheckedMedia(image, places, IMAGE_MEDIA);
          // Refused: run() reports it, where the failure is recorded on the step with its location.
          if (!opened.ok) {
            shas[image.path] = 'refused';
            continue;
          }
          try {
            const stream = opened.handle.createReadStream({ autoClose: false });
            shas[image.path] = (await sha256Stream(stream)).sha256;
          } finally {
            await opened.handle.close();
          }
        } else if (!image) {
          const path = visualPath(pickVisual(settings.recipe.defaults, i));
          shas[path] ??= await checksumOf(path);
        }
      }
      const fontPath = fontPathOf(settings);
      shas[fontPath] = await checksumOf(fontPath);
      return shas;
    },
    async run(ctx) {
      const document = await readInputJson<ScriptDocument>(ctx.inputs, 'script', 'document');
      const narration = await readInputJson<Narration>(ctx.inputs, 'narration', 'timings');
      const files: Record<string, ProducedFile> = {};
      const assets: Record<string, AssetRef> = {};
      const record = async (id: string, copy: string, kind: AssetRef['kind'], name: string) => {
        const { sha256, size } = await sha256File(copy);
        assets[id] = { sha256, size, kind, name: safeName(name) };
        files[id] = { path: copy, type: kind };
      };
      const addExternal = async (id: string, path: string, kind: AssetRef['kind']) => {
        const copy = join(ctx.workDir, `${id}${extname(path).toLowerCase()}`);
        await copyFile(path, copy);
        await record(id, copy, kind, basename(path));
      };
      const places = jobMediaPlaces(ctx.settings, services.dataDir);
      const addImage = async (id: string, image: MediaRef) => {
        const media = await openImage(document, image, places);
        const copy = join(ctx.workDir, `${id}${extname(image.written).toLowerCase()}`);
        try {
          await pipeline(media.createReadStream({ autoClose: false }), createWriteStream(copy));
        } finally {
          await media.close();
        }
        await record(id, copy, 'image', basename(image.written));
      };
      const addInput = (
        id: string,
        ref: StepOutput['files'][string],
        kind: AssetRef['kind'],
        name: string,
      ) => {
        assets[id] = { sha256: ref.sha256, size: ref.size, kind, name };
      };

      addInput('narration', inputFile(ctx.inputs, 'narration', 'audio'), 'audio', 'narration.wav');
      const { defaults } = ctx.settings.recipe;
      if (defaults.captions.burnIn) {
        addInput('captions', inputFile(ctx.inputs, 'captions', 'ass'), 'subtitles', 'captions.ass');
        await addExternal('font', fontPathOf(ctx.settings), 'font');
      } else {
        // Not burned in: a caption track players can switch on (SRT is what mov_text converts from best).
        addInput('captions', inputFile(ctx.inputs, 'captions', 'srt'), 'subtitles', 'captions.srt');
      }
      const imageIds = new Map<string, string>();
      const scenes: RenderPlan['scenes'] = [];
      const sceneTimes = integerSceneTimes(narration);
      for (const [i, scene] of document.scenes.entries()) {
        const image = imageOf(scene);
        const path = image?.path ?? visualPath(pickVisual(defaults, i));
        let id = imageIds.get(path);
        if (!id) {
          id = `image-${imageIds.size}`;
          imageIds.set(path, id);
          if (image) await addImage(id, image);
          else await addExternal(id, path, 'image');
        }
        const time = sceneTimes[i];
        if (!time) continue;
        scenes.push({ ...time, visual: { kind: 'image', asset: id, motion: motionFor(defaults, i) } });
      }
      const plan: RenderPlan = {
        version: RENDER_PLAN_VERSION,
        id: ctx.jobId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 64) || 'plan',
        title: document.meta.title ?? basename(document.file),
        output: outputOf(ctx.settings.video),
        durationMs: scenes.reduce((sum, s) => sum + s.durationMs, 0),
        assets,
        scenes,
        audio: { narration: 'narration' },
        captions: defaults.captions.burnIn
          ? { asset: 'captions', font: 'font', burnIn: true }
          : { asset: 'captions', burnIn: false },
      };
      const checked = validateRenderPlan(plan);
      if (!checked.ok)
        throw new StepError('fatal', `the render plan is invalid: ${checked.errors.join('; ')}`);
      files.plan = { path: await writeWorkJson(ctx, 'plan.json', plan), type: 'plan' };
      return { files, data: { durationMs: plan.durationMs, scenes: scenes.length } };
    },
  };
}

/** A scene's image. A job checked before images carried their source re-checks the absolute path. */
function imageOf(scene: Scene): MediaRef | undefined {
  const image = scene.image as MediaRef | string | undefined;
  return typeof image === 'string' ? { written: image, path: image, line: scene.line, col: 1 } : image;
}

/** The image, opened after checking it again; refused with the same located message as the check. */
async function openImage(document: ScriptDocument, image: MediaRef, places: MediaPlaces) {
  const opened = await openCheckedMedia(image, places, IMAGE_MEDIA);
  if (opened.ok) return opened.handle;
  const { line, col } = image;
  const message = formatDiagnostic({
    file: document.file,
    line,
    col,
    severity: 'error',
    message: opened.message,
  });
  throw new StepError('invalid-input', message);
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

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').slice(-200) || 'asset';
}

async function checksumOf(path: string): Promise<string> {
  try {
    return (await sha256File(path)).sha256;
  } catch (error) {
    throw new StepError('invalid-input', `cannot read ${path}: ${(error as Error).message}`);
  }
}
