import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { type RenderPlan, validateRenderPlan } from '../../shared/render-plan.ts';
import type { Json } from '../db/schema.ts';
import { StepError } from '../engine/errors.ts';
import { VIDEO_STEP_KIND } from '../engine/graph.ts';
import { NO_OPTIONS, type StepContext, type StepHandler, type StepResult } from '../engine/step-handler.ts';
import {
  type EncodeRequest,
  type EncoderFallback,
  encodeInChildProcess,
  encodeWithFallback,
  type FfmpegLocation,
  type LoudnessFacts,
  linkPlanAssets,
  measureFileLoudness,
  measureVideoCaptionBox,
  selectEncoder,
  usableEncoders,
} from '../ffmpeg/index.ts';
import { type EncodedSegment, encodeSegmented } from '../segments/segmented-encode.ts';
import { splitPlan } from '../segments/split-plan.ts';
import { sha256File } from '../util/hash.ts';
import { settled } from '../util/settled.ts';
import { readInputJson } from './files.ts';
import { findKeptPart, keepPart, keptPart } from './kept-parts.ts';
import { captionBoxOf } from './plan-caption-box.ts';
import type { PipelineServices } from './services.ts';
import { thumbnailFile } from './thumbnail-file.ts';

// /2: the video's measured loudness is part of the step's data. /3: the thumbnail. /4: titles wrapped by
// the widths their font draws (title-card.ts measureFont). /5: a title's long word is cut between
// graphemes, and its bidi controls dropped (the captions' wrap, captions/wrap.ts).
const ENCODE_VERSION = 'encode/5';

/**
 * RenderPlan → verified MP4, encoded in separate processes (utility processes in the app): on the farm,
 * or here — whole, or in parts on this machine's free cores, joined without re-encoding. A part is a
 * segment exactly as the farm makes them, so a video encoded in parts equals it encoded whole frame for
 * frame (see segments/); the version does not depend on how it was cut.
 */
export function encodeStep(services: PipelineServices): StepHandler {
  return {
    kind: VIDEO_STEP_KIND,
    options: NO_OPTIONS,
    needs: { plan: 'render.plan' },
    resource: 'encoder',
    async version({ inputs }) {
      const plan = await readInputJson<RenderPlan>(inputs, 'plan', 'plan');
      // On a farm any Mac may encode: the plan's encoder preference is what is fixed.
      if (services.farm) return `${ENCODE_VERSION}/farm/${plan.output.encoders.join(',')}`;
      const { probe } = await services.ffmpeg();
      return `${ENCODE_VERSION}/ffmpeg ${probe.version}/${selectEncoder(plan.output.encoders, probe)}`;
    },
    config: () => ({ threads: services.encoderThreads ?? null }),
    async run(ctx): Promise<StepResult> {
      const checked = validateRenderPlan(await readInputJson<unknown>(ctx.inputs, 'plan', 'plan'));
      if (!checked.ok) throw new StepError('fatal', `invalid render plan: ${checked.errors.join('; ')}`);
      // Made while the video encodes (one small picture, from the plan's assets), kept only with the
      // video: settled at once so that its failure waits, handled, for the video's.
      const thumbnail = settled(thumbnailFile(services, checked.plan, ctx.workDir, ctx.signal));
      const result = await encodeVideo(services, ctx, checked.plan).catch(async (error: unknown) => {
        await thumbnail;
        throw error;
      });
      // A thumbnail that failed while the video encoded is made once more now, alone (a fraction of a
      // second): failing the step threw the finished video away and encoded it again.
      const first = await thumbnail;
      const made =
        first.ok || ctx.signal.aborted
          ? first
          : await settled(thumbnailFile(services, checked.plan, ctx.workDir, ctx.signal));
      if (!made.ok) throw made.error;
      return { ...result, files: { ...result.files, thumbnail: made.value } };
    },
  };
}

/** The plan's video: encoded on the farm, here whole, or here in parts. */
async function encodeVideo(
  services: PipelineServices,
  ctx: StepContext,
  plan: RenderPlan,
): Promise<StepResult> {
  if (services.farm) {
    const planSha256 = ctx.inputs.plan?.files.plan?.sha256 as string;
    const result = await services.farm.encode({
      jobId: ctx.jobId,
      plan,
      planSha256,
      workDir: ctx.workDir,
      signal: ctx.signal,
      onProgress: (fraction, rate) => ctx.progress(fraction, rate),
    });
    if (result.fallback) ctx.warn(fallbackWarning(result.encoder, result.fallback));
    const metadata = {
      encoder: result.encoder,
      farm: true,
      segments: result.segments,
      ...(result.fallback ? { fallback: result.fallback } : {}),
    };
    // Verified where it was made and again here on arrival; measured once more to be recorded.
    const loudness = plan.audio.loudness
      ? await measureFileLoudness((await services.ffmpeg()).location.ffmpegPath, result.path, {
          durationMs: plan.durationMs,
          signal: ctx.signal,
        })
      : undefined;
    return {
      files: { video: { path: result.path, type: 'video', metadata } },
      data: { encoder: result.encoder, durationMs: plan.durationMs, ...loudnessData(loudness) },
    };
  }
  const { location, probe } = await services.ffmpeg();
  // The plan's later encoders are fallbacks for a hardware encoder that fails at run time.
  const encoders = usableEncoders(plan.output.encoders, probe.encoders, probe);
  const { assetPaths, fontsDir } = await linkPlanAssets(plan, services.blobPath, ctx.workDir);
  const encoder = encoders[0] as string;
  const request: EncodeRequest = {
    ffmpegPath: location.ffmpegPath,
    ffprobePath: location.ffprobePath,
    plan,
    assetPaths,
    outPath: join(ctx.workDir, 'video.mp4'),
    encoder,
    fontsDir,
    ...(services.encoderThreads ? { threads: services.encoderThreads } : {}),
  };
  // Measured by the plan step on this machine (plans made before it did: measured before the encode).
  const captionBox = captionBoxOf(ctx.inputs.plan);
  if (captionBox !== undefined) request.captionBox = captionBox;
  const local = services.localParts?.();
  // In parts on this machine's cores when it may use several, and in any case in parts of at most
  // scenesPerEncode scenes: a long video's scenes do not fit one encoder's memory (split-plan.ts).
  const slots = local?.parts ?? 1;
  const parts = splitPlan(plan, slots, { minSegmentMs: (local?.minSegmentSeconds ?? 0) * 1000 });
  if (parts.length > 1) {
    // Parts are joined packet for packet: all of them come from one encoder, the next one if it fails.
    const done = await encodeWithFallback(encoders, (next) =>
      encodeInParts(
        services,
        ctx,
        { ...request, encoder: next },
        { ...location, version: probe.version },
        pinnedTo(parts, next),
        slots,
      ),
    );
    if (done.fallback) ctx.warn(fallbackWarning(done.encoder, done.fallback));
    return done.result;
  }
  const { result, fallback } = await encodeWithFallback(encoders, (next) =>
    encodeInChildProcess(
      { ...request, encoder: next },
      {
        signal: ctx.signal,
        onProgress: ({ fraction, ...rate }) => ctx.progress(fraction, rate),
        ...runnerOptions(services),
      },
    ),
  );
  if (fallback) ctx.warn(fallbackWarning(result.encoder, fallback));
  const metadata = {
    encoder: result.encoder,
    facts: result.facts as never,
    args: result.args,
    elapsedMs: result.elapsedMs,
    ...(fallback ? { fallback: { ...fallback } } : {}),
  };
  return {
    files: { video: { path: result.outPath, type: 'video', metadata } },
    data: {
      encoder: result.encoder,
      durationMs: plan.durationMs,
      ...loudnessData(result.facts.loudness),
    },
  };
}

/** The job records the loudness its video was measured at (the verify step's figures). */
function loudnessData(loudness: LoudnessFacts | undefined): { loudness?: Json } {
  if (!loudness) return {};
  const { integratedLufs, truePeakDbtp, rangeLu } = loudness;
  // -inf (silence) is not JSON: it is recorded as null.
  const finite = (value: number) => (Number.isFinite(value) ? value : null);
  return {
    loudness: {
      integratedLufs: finite(integratedLufs),
      truePeakDbtp: finite(truePeakDbtp),
      rangeLu: finite(rangeLu),
    },
  };
}

function fallbackWarning(encoder: string, fallback: EncoderFallback): string {
  return `encoded with ${encoder}: ${fallback.from} failed at run time (${fallback.reason})`;
}

/** Parts pinned to `encoder`: segments are joined packet for packet. */
function pinnedTo(parts: RenderPlan[], encoder: string): RenderPlan[] {
  return parts.map((part) => ({ ...part, output: { ...part.output, encoders: [encoder] } }));
}

/**
 * The video in parts encoded on this machine, `atOnce` at a time (one per core it may use), then
 * joined. When there are more parts than that (the scene budget cut them), the next starts as one ends.
 */
async function encodeInParts(
  services: PipelineServices,
  ctx: StepContext,
  request: EncodeRequest,
  ffmpeg: FfmpegLocation & { version: string },
  parts: RenderPlan[],
  atOnce: number,
): Promise<StepResult> {
  const started = performance.now();
  // Where the video's captions draw is measured once, for all its parts, while the audio is encoded
  // (encodeSegmented starts it at once): both are single-threaded runs the two can share the cores.
  const captionBox =
    request.captionBox !== undefined
      ? Promise.resolve(request.captionBox)
      : measureVideoCaptionBox(request, ctx.signal);
  const running = Math.max(1, Math.min(atOnce, parts.length));
  // The parts share the cores: each runs its encoder and filters on its share (measured on 2 cores,
  // 2 parts of a 63 s video: 16.1 s against 17.0 s with every part on all cores, 1.5 CPU-s less).
  const threads = request.threads ?? Math.max(1, Math.floor(availableParallelism() / running));
  const limit = pLimit(running);
  // One part failing for good stops its siblings: the step fails (and is retried) as a whole.
  const siblings = new AbortController();
  const signal = AbortSignal.any([ctx.signal, siblings.signal]);
  // Parts finished by an earlier attempt, or before a crash, and found in the kept folder.
  let reused = 0;
  await mkdir(ctx.keptDir, { recursive: true });
  const result = await encodeSegmented({
    plan: request.plan,
    segments: parts,
    ffmpeg,
    assetPaths: request.assetPaths,
    workDir: ctx.workDir,
    signal: ctx.signal,
    onProgress: (fraction, rate) => ctx.progress(fraction, rate),
    // Every part at once, one per core: the video is done when its slowest part is.
    eta: running === parts.length ? 'slowest' : 'pooled',
    // Parts that cannot be joined would be found and fail the same way again: encoded again instead.
    onUnusable: () => rm(ctx.keptDir, { recursive: true, force: true }),
    encodeSegments: async (progress) => {
      const box = await captionBox;
      const shared = { ...request, threads, ...(box !== undefined ? { captionBox: box } : {}) };
      // The first part to fail stops its siblings; all are waited for, so an encoder fallback starts
      // only once no part of this attempt holds an encoder's memory any more.
      let failure: { error: unknown } | undefined;
      const outcomes = await Promise.allSettled(
        parts.map((plan, index) =>
          limit(async (): Promise<EncodedSegment> => {
            const place = keptPart(ctx.keptDir, {
              version: ENCODE_VERSION,
              plan,
              encoder: shared.encoder,
              threads,
              captionBox: box ?? null,
              ffmpeg: { path: ffmpeg.ffmpegPath, version: ffmpeg.version },
            });
            const kept = await findKeptPart(place);
            if (kept) {
              reused++;
              progress(index, 1);
              return kept;
            }
            const done = await encodeInChildProcess(
              { ...shared, plan, outPath: place.path },
              {
                signal,
                onProgress: ({ fraction, ...rate }) => progress(index, fraction, rate),
                ...runnerOptions(services),
              },
            );
            const { sha256 } = await sha256File(done.outPath);
            const part = { path: done.outPath, encoder: done.encoder, facts: done.facts, sha256 };
            await keepPart(place, part);
            return part;
          }).catch((error: unknown) => {
            failure ??= { error };
            siblings.abort(error);
            throw error;
          }),
        ),
      );
      if (failure) throw failure.error;
      return outcomes.map((outcome) => (outcome as PromiseFulfilledResult<EncodedSegment>).value);
    },
  });
  const elapsedMs = Math.round(performance.now() - started);
  const metadata = {
    encoder: result.encoder,
    facts: result.facts as never,
    parts: parts.length,
    ...(reused > 0 ? { reusedParts: reused } : {}),
    elapsedMs,
  };
  return {
    files: { video: { path: result.outPath, type: 'video', metadata } },
    data: {
      encoder: result.encoder,
      durationMs: request.plan.durationMs,
      ...loudnessData(result.facts.loudness),
    },
  };
}

function runnerOptions(services: PipelineServices) {
  return {
    ...(services.encodeRunnerPath ? { runnerPath: services.encodeRunnerPath } : {}),
    ...(services.startEncodeRunner ? { startRunner: services.startEncodeRunner } : {}),
  };
}
