/**
 * One complete encode: validate the request, run ffmpeg into a partial file, verify the result,
 * then rename it into place. Whatever fails, no partial file is left behind.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { assetsUsedBy } from '../../shared/plan-frames.ts';
import { createLogger } from '../log/logger.ts';
import { partialPathFor } from '../util/atomic-file.ts';
import { type CaptionBox, captionBoxArgs, parseCaptionBox } from './caption-overlay.ts';
import { buildEncodeCommand, type CaptionDrawingInput, captionDrawing, type SideFile } from './command.ts';
import {
  type EncodeOptions,
  type EncodeRequest,
  type EncodeResult,
  parseEncodeRequest,
  sideDirOf,
} from './encode-types.ts';
import { FfmpegError } from './errors.ts';
import { captureOutput } from './exec.ts';
import { isExecutableFile } from './locate.ts';
import { runFfmpeg } from './run.ts';
import { planExpectation, verifyVideo } from './verify.ts';

const log = createLogger('EncodeJob');

export async function runEncode(
  input: EncodeRequest | unknown,
  options: EncodeOptions = {},
): Promise<EncodeResult> {
  const started = performance.now();
  const request = parseEncodeRequest(input);
  await checkFilesExist(request);
  const { plan } = request;

  await mkdir(dirname(request.outPath), { recursive: true });
  const partialPath = partialPathFor(request.outPath);
  // Made by writeSideFiles, removed after (and by the client if the runner is killed).
  const workDir = sideDirOf(partialPath);
  const commandInput = {
    plan,
    assetPaths: request.assetPaths,
    encoder: request.encoder,
    threads: request.threads,
    fontsDir: request.fontsDir,
    workDir,
    captionsText: await readBurnedCaptions(request),
  };
  const captionBox =
    request.captionBox !== undefined
      ? request.captionBox
      : await measureCaptionBox(request.ffmpegPath, commandInput);
  const command = buildEncodeCommand({ ...commandInput, captionBox, outPath: partialPath });
  const { args } = command;
  const jobLog = log.child({ plan: plan.id, encoder: request.encoder });
  const expected = planExpectation(plan);
  jobLog.info('encode started', {
    outPath: request.outPath,
    durationMs: expected.durationMs,
    segment: plan.segment?.index,
  });

  try {
    await writeSideFiles(command.files);
    await runFfmpeg(request.ffmpegPath, args, {
      durationMs: expected.durationMs,
      onProgress: options.onProgress,
      signal: options.signal,
      onSpawn: (ffmpegPid) => options.onStarted?.({ ffmpegPid, partialPath }),
    });
    if (options.signal?.aborted) throw new FfmpegError('cancelled', 'encode cancelled');
    const facts = await verifyVideo(request.ffprobePath, request.ffmpegPath, partialPath, expected);
    await rename(partialPath, request.outPath);
    const elapsedMs = Math.round(performance.now() - started);
    jobLog.info('encode finished', { outPath: request.outPath, elapsedMs });
    return {
      outPath: request.outPath,
      encoder: request.encoder,
      // Re-runnable once its side files are written again (writeSideFiles).
      args: buildEncodeCommand({ ...commandInput, captionBox, outPath: request.outPath }).args,
      facts: { ...facts, path: request.outPath },
      elapsedMs,
    };
  } catch (error) {
    await rm(partialPath, { force: true });
    throw error;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Writes the files an encode command refers to (their folders too). */
export async function writeSideFiles(files: SideFile[]): Promise<void> {
  for (const file of files) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.text);
  }
}

/**
 * Where captions drawn once per state ever draw, found by a short ffmpeg run before the encode;
 * undefined when they are drawn every frame or the run fails (the encode then blends the whole frame).
 */
export async function measureCaptionBox(
  ffmpegPath: string,
  input: CaptionDrawingInput,
  signal?: AbortSignal,
): Promise<CaptionBox | null | undefined> {
  // How captions are drawn is decided on the whole video (captionDrawing), and where they draw is
  // measured over the whole video's captions, whatever part of it this encode draws: the layer is
  // cropped to this box, and a segment cropped to its own captions' box would differ at the box's edges.
  const { segment: _, ...whole } = input.plan;
  const drawing = captionDrawing({ ...input, plan: whole });
  if (drawing?.kind !== 'once') return undefined;
  const out = await captureOutput(ffmpegPath, captionBoxArgs(drawing.states), { timeoutMs: 600_000, signal });
  return out.code === 0 ? parseCaptionBox(out.stderr, drawing.states.output) : undefined;
}

/**
 * measureCaptionBox for a request, before it is split: the parts of one video are given the result
 * (EncodeRequest.captionBox) instead of each measuring the same whole-video captions again.
 */
export async function measureVideoCaptionBox(
  request: EncodeRequest,
  signal?: AbortSignal,
): Promise<CaptionBox | null | undefined> {
  const { plan, assetPaths, fontsDir } = request;
  const captionsText = await readBurnedCaptions(request);
  return measureCaptionBox(request.ffmpegPath, { plan, assetPaths, fontsDir, captionsText }, signal);
}

/** Burned-in captions are drawn once per caption state when their timing can be read. */
async function readBurnedCaptions(request: EncodeRequest): Promise<string | undefined> {
  const captions = request.plan.captions;
  if (!captions?.burnIn) return undefined;
  const path = request.assetPaths[captions.asset];
  return path ? readFile(path, 'utf8').catch(() => undefined) : undefined;
}

/** Missing inputs are user errors: say which asset and where it was expected. */
async function checkFilesExist(request: EncodeRequest): Promise<void> {
  if (!(await isExecutableFile(request.ffmpegPath))) {
    throw new FfmpegError('not-found', `ffmpeg not found (or not executable) at "${request.ffmpegPath}"`);
  }
  const missing: string[] = [];
  for (const id of usedAssetIds(request)) {
    const path = request.assetPaths[id];
    const name = request.plan.assets[id]?.name ?? id;
    if (!path) missing.push(`asset "${id}" (${name}) has no file path`);
    else if (!(await isReadableFile(path))) missing.push(`asset "${id}" (${name}) is missing at ${path}`);
  }
  if (missing.length > 0) throw new FfmpegError('not-found', `cannot encode: ${missing.join('; ')}`);
}

/** A font folder given separately replaces the plan's font asset. */
function usedAssetIds(request: EncodeRequest): Set<string> {
  const ids = assetsUsedBy(request.plan);
  const font = request.plan.captions?.font;
  if (font && request.fontsDir) ids.delete(font);
  return ids;
}

async function isReadableFile(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  return Boolean(info?.isFile());
}
