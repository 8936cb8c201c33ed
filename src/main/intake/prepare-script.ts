import { lstatSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Db } from '../db/open.ts';
import type { Engine } from '../engine/engine.ts';
import { entryKey, fileKey, thumbnailPathFor } from '../engine/output-paths.ts';
import type { SettingsRequest } from '../engine/settings-resolver.ts';
import { resolveSettings, SettingsError } from '../engine/settings-resolver.ts';
import { type InlineVoiceServices, inlineVoiceProblems } from '../pipeline/inline-voices.ts';
import { jobMediaPlaces } from '../pipeline/media-places.ts';
import { expectedMusicSpans, musicChangesProblem } from '../pipeline/music-spans.ts';
import { scriptWarnings } from '../pipeline/script-warnings.ts';
import type { PipelineServices } from '../pipeline/services.ts';
import {
  formatDiagnostic,
  type MediaPlaces,
  parseScriptFile,
  readScriptFrontMatter,
} from '../script/index.ts';
import type { Diagnostic, MediaUse, ScriptDocument } from '../script/types.ts';
import { checkSpokenLength } from '../speech/spoken-length.ts';
import { PARTIAL_SUFFIX_BYTES } from '../util/atomic-file.ts';
import { canWriteIn, nearestExisting } from '../util/folders.ts';
import { mediaContentProblems } from './media-content.ts';
import type { MediaBlobs } from './media-upload.ts';
import { ProbeCache } from './probe-cache.ts';

/** What checking a script needs of the pipeline's services. */
export type IntakeServices = InlineVoiceServices & Pick<PipelineServices, 'resourcesDir' | 'ffmpeg'>;

/** What turning a script into a job reads: the Library (presets, recipes) and the data folder. */
export interface IntakeContext {
  db: Db;
  /** No script's media is ever read from it (database, keys, blobs). */
  dataDir: string;
  /** Where media sent with an uploaded script were stored (absent: none can be). */
  blobs?: MediaBlobs;
  /**
   * The offline voice and the voice presets (a `[voice X]` is looked up before a job exists), and the
   * bundled fonts (text they cannot draw is warned of), and ffmpeg (what each medium holds is probed).
   */
  services: IntakeServices;
  /** Whether this build can run the recipe chosen (its steps and how they are wired), when known. */
  engine?: Pick<Engine, 'recipeProblem'>;
}

export function outputPathFor(scriptPath: string, outDir: string | undefined): string {
  return join(outDir ?? dirname(scriptPath), `${basename(scriptPath, extname(scriptPath))}.mp4`);
}

export interface ScriptChoices {
  recipe?: string | undefined;
  voice?: string | undefined;
  videoPreset?: string | undefined;
  out?: string | undefined;
}

export type PreparedScript =
  | {
      ok: true;
      path: string;
      request: SettingsRequest;
      document: ScriptDocument;
      estimatedMs: number;
      media: MediaUse[];
    }
  /** estimatedMs: set when the script parsed, and was refused for its length. */
  | { ok: false; path: string; diagnostics: Diagnostic[]; estimatedMs?: number; media: MediaUse[] };

export interface PrepareOptions {
  /**
   * Only to check a script whose media are still to be sent (never to make a job): these paths,
   * relative to its folder, count as found ('any': every path inside the folder it names).
   */
  incoming?: ReadonlySet<string> | 'any';
}

/**
 * Validate a script with the vocabulary of the voice it will be spoken with, before any job exists:
 * the recipe and voice come from the command line, else the script's front matter, else the recipe.
 * Its media must lie in its own folder or a media root (`media.roots`), never in the data folder.
 * A script whose estimated narration passes the longest video a plan allows is refused here, at the
 * place it passes it, before a sentence is synthesized.
 */
export async function prepareScript(
  ctx: IntakeContext,
  file: string,
  choices: ScriptChoices,
  options: PrepareOptions = {},
): Promise<PreparedScript> {
  const path = resolve(file);
  const { meta, positions } = await readScriptFrontMatter(path);
  const request: SettingsRequest = {
    recipe: choices.recipe ?? meta.recipe,
    voicePreset: choices.voice ?? meta.voice,
    videoPreset: choices.videoPreset,
    input: { kind: 'script', scriptPath: path, outputPath: resolve(outputPathFor(path, choices.out)) },
  };
  // A recipe or voice the script names that does not exist is reported, and the rest of the script is
  // still checked with the default in its place: one run lists every problem.
  const chosen = resolveWithDefault(ctx.db, request, choices, positions, file);
  if (!chosen.settings) return { ok: false, path, diagnostics: chosen.problems, media: [] };
  const { settings } = chosen;
  const recipe = ctx.engine?.recipeProblem(settings);
  if (recipe) {
    const at = (!choices.recipe && positions.recipe) || { line: 1, col: 1 };
    const diagnostics = [...chosen.problems, { file, ...at, severity: 'error' as const, message: recipe }];
    return { ok: false, path, diagnostics, media: [] };
  }
  const places = jobMediaPlaces(settings, ctx.dataDir);
  const result = await parseScriptFile(path, {
    directionMap: settings.voice.directionMap,
    language: settings.voice.language,
    // The same places the job will read its media from: the check and the read agree.
    media: options.incoming ? { ...places, incoming: options.incoming } : places,
  });
  if (!result.ok) {
    const diagnostics = [...chosen.problems, ...result.diagnostics.map((d) => ({ ...d, file }))];
    return { ok: false, path, diagnostics, media: result.media };
  }
  const media = result.document.media ?? [];
  const problems: Diagnostic[] = [...chosen.problems];
  const located = (d: Omit<Diagnostic, 'file'>) => problems.push({ ...d, file });
  for (const d of await inlineVoiceProblems(result.document, settings.voice, ctx.services)) located(d);
  const overwritten =
    mediaAtOutput(media, dirname(path), request.input.outputPath) ??
    unwritableOutput(request.input.outputPath);
  if (overwritten) located(overwritten);
  const { estimate, problem } = checkSpokenLength(result.document, settings.voice);
  if (problem) located(problem);
  // Counted before anything is spoken: a plan takes at most so many music changes.
  const music = musicChangesProblem(
    expectedMusicSpans(result.document, settings.recipe.defaults.music?.bed ?? null),
  );
  if (music) located({ ...music.at, severity: 'error', message: music.message });
  // Last: each medium is probed.
  for (const d of await unusableMedia(ctx, result.document, places)) located(d);
  if (problems.length > 0) {
    const diagnostics = problems.sort((a, b) => a.line - b.line || a.col - b.col);
    return { ok: false, path, diagnostics, estimatedMs: estimate.totalMs, media };
  }
  const warnings = [
    ...result.document.warnings,
    ...(await scriptWarnings(result.document, settings, ctx.services.resourcesDir, estimate.totalMs)),
  ];
  return {
    ok: true,
    path,
    request,
    document: { ...result.document, warnings: warnings.map((d) => ({ ...d, file })) },
    estimatedMs: estimate.totalMs,
    media,
  };
}

/** Media whose content the plan would refuse (mediaContentProblems); none when ffmpeg is not found. */
async function unusableMedia(
  ctx: IntakeContext,
  document: ScriptDocument,
  places: MediaPlaces,
): Promise<Omit<Diagnostic, 'file'>[]> {
  const found = await ctx.services.ffmpeg().catch(() => null);
  // Without ffmpeg nothing can be rendered: the encode step says so, with how to install it.
  if (!found) return [];
  const cache = await ProbeCache.open(ctx.dataDir);
  // Its build is part of what the cache keys an answer by: another ffmpeg may read a medium otherwise.
  const tool = { ...found.location, version: found.probe.version };
  const problems = await mediaContentProblems(document, places, tool, cache);
  // Only a cache: a data folder it cannot be written to is checked again next time.
  await cache.save().catch(() => undefined);
  return problems;
}

/** Where a script's job writes: its video and, beside it, its thumbnail. */
function outputsOf(outputPath: string): { path: string; what: 'video' | 'thumbnail' }[] {
  return [
    { path: resolve(outputPath), what: 'video' },
    { path: resolve(thumbnailPathFor(outputPath)), what: 'thumbnail' },
  ];
}

/** The error for a medium that sits where `whose` video or thumbnail is written. */
function overwrittenMedium(use: MediaUse, whose: string, what: string): Omit<Diagnostic, 'file'> {
  return {
    line: use.line,
    col: use.col,
    severity: 'error',
    message: `${use.path} is where ${whose} ${what} is written: rename the ${use.kind === 'image' ? 'picture' : 'file'}, or render with --out DIR`,
  };
}

/**
 * A medium the script names where its video or thumbnail will be written (`[image intro.jpg]` in
 * intro.md, rendered beside it): the render wrote over the user's own picture, silently, and the next
 * render showed the thumbnail as that picture. Refused where it is named, before anything is made.
 */
function mediaAtOutput(
  media: MediaUse[],
  folder: string,
  outputPath: string,
): Omit<Diagnostic, 'file'> | null {
  const outputs = outputsOf(outputPath).map((o) => ({ ...o, key: entryKey(o.path) }));
  for (const use of media) {
    const at = mediumKeys(resolve(folder, use.path));
    const output = outputs.find((o) => at.includes(o.key));
    if (output) return overwrittenMedium(use, "this script's", output.what);
  }
  return null;
}

/**
 * Where the video or thumbnail cannot be written: a folder in the way, a name too long for its
 * partial file, a folder this user cannot write in. Each failed the render only when it delivered,
 * after all its work (found by attacking output paths).
 */
function unwritableOutput(outputPath: string): Omit<Diagnostic, 'file'> | null {
  const refused = (message: string) => ({ line: 1, col: 1, severity: 'error' as const, message });
  for (const output of outputsOf(outputPath)) {
    if (isFolder(output.path))
      return refused(
        `${output.path} is a folder, where this script's ${output.what} is written: move it, or render with --out DIR`,
      );
    if (Buffer.byteLength(basename(output.path)) > MAX_NAME_BYTES - PARTIAL_SUFFIX_BYTES)
      return refused(
        `the ${output.what}'s name ${basename(output.path)} is too long to be written (at most ${MAX_NAME_BYTES - PARTIAL_SUFFIX_BYTES} bytes): shorten the script's name`,
      );
  }
  const folder = nearestExisting(dirname(outputPath));
  if (!canWriteIn(folder))
    return refused(`cannot write into ${folder}, where the video goes: render with --out DIR`);
  return null;
}

/** The longest file name most disks take (APFS, ext4). */
const MAX_NAME_BYTES = 255;

function isFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Where writing would harm a medium: its own entry (a symlink written over is the picture no more) and
 * the file it reads.
 */
function mediumKeys(path: string): string[] {
  return [entryKey(path), fileKey(path)];
}

/**
 * Scripts rendered by one command that write over each other (`vfo render a/intro.md b/intro.md --out v`
 * wrote one video over the other; `a.md` naming `[image b.jpg]` lost its picture to b.md's thumbnail):
 * the script that would lose its video, or its medium, is refused, naming the other.
 */
export function outputCollisionsRefused(prepared: PreparedScript[]): PreparedScript[] {
  const writer = new Map<string, { script: string; what: string }>();
  const refuse = (p: PreparedScript, problem: Omit<Diagnostic, 'file'>): PreparedScript => ({
    ok: false,
    path: p.path,
    diagnostics: [{ file: p.path, ...problem }],
    media: p.media,
  });
  const checked = prepared.map((p) => {
    if (!p.ok) return p;
    const [video] = outputsOf(p.request.input.outputPath);
    const first = writer.get(entryKey(video?.path ?? ''));
    if (first)
      return refuse(p, {
        line: 1,
        col: 1,
        severity: 'error',
        message: `its video would be written over ${first.script}'s (${video?.path}): render it on its own or with another --out`,
      });
    for (const output of outputsOf(p.request.input.outputPath))
      writer.set(entryKey(output.path), { script: p.path, what: output.what });
    return p;
  });
  return checked.map((p) => {
    if (!p.ok) return p;
    for (const use of p.media) {
      const keys = mediumKeys(resolve(dirname(p.path), use.path));
      const other = keys.map((key) => writer.get(key)).find(Boolean);
      if (other && other.script !== p.path)
        return refuse(p, overwrittenMedium(use, `${other.script}'s`, other.what));
    }
    return p;
  });
}

export function diagnosticsText(diagnostics: Diagnostic[]): string {
  return diagnostics.map(formatDiagnostic).join('\n');
}

/** The limits of a brief typed on the command line or read from a file. */
const BRIEF_LIMITS = { title: 200, brief: 20_000 };

/** A job whose script Claude writes: checked here so a bad title or brief never becomes a job. */
export function prepareBrief(
  ctx: IntakeContext,
  input: {
    title: string | undefined;
    brief: string;
    recipe?: string | undefined;
    voice?: string | undefined;
    videoPreset?: string | undefined;
    out?: string | undefined;
  },
): { ok: true; request: SettingsRequest } | { ok: false; message: string } {
  const title = input.title?.trim() ?? '';
  const brief = input.brief.trim();
  if (!title) return { ok: false, message: 'a brief needs a --title' };
  if (title.length > BRIEF_LIMITS.title)
    return { ok: false, message: `the title is longer than ${BRIEF_LIMITS.title} characters` };
  if (!brief) return { ok: false, message: 'the brief is empty' };
  if (brief.length > BRIEF_LIMITS.brief)
    return { ok: false, message: `the brief is longer than ${BRIEF_LIMITS.brief} characters` };
  const name =
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'video';
  const request: SettingsRequest = {
    recipe: input.recipe ?? 'from-brief-16x9',
    voicePreset: input.voice,
    videoPreset: input.videoPreset,
    input: { kind: 'brief', title, brief, outputPath: resolve(input.out ?? '.', `${name}.mp4`) },
  };
  try {
    const settings = resolveSettings(ctx.db, request);
    if (!settings.recipe.pipeline.steps.some((s) => s.kind === 'script.write')) {
      return {
        ok: false,
        message: `recipe "${settings.recipe.slug}" renders scripts; pick one that writes them (e.g. from-brief-16x9)`,
      };
    }
  } catch (error) {
    if (error instanceof SettingsError) return { ok: false, message: error.message };
    throw error;
  }
  return { ok: true, request };
}

/**
 * The job's settings and, for each recipe or voice preset the script (or the command) names that does
 * not exist, the problem, placed where the front matter names it: the settings are then those with the
 * default in its place (null when even they cannot be made).
 */
function resolveWithDefault(
  db: Db,
  request: SettingsRequest,
  choices: ScriptChoices,
  positions: Partial<Record<'recipe' | 'voice', { line: number; col: number }>>,
  file: string,
): { settings: ReturnType<typeof resolveSettings> | null; problems: Diagnostic[] } {
  const problems: Diagnostic[] = [];
  let tried = request;
  // At most one retry per choice (the recipe, the voice), then the defaults' own problem, if any.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return { settings: resolveSettings(db, tried), problems };
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      // A slug the script's front matter named is reported where it stands.
      const named = (error.choice === 'recipe' && !choices.recipe && positions.recipe) ||
        (error.choice === 'voicePreset' && !choices.voice && positions.voice) || { line: 1, col: 1 };
      problems.push({ file, ...named, severity: 'error', message: error.message });
      if (error.choice === undefined || tried[error.choice] === undefined) break;
      tried = { ...tried, [error.choice]: undefined };
    }
  }
  return { settings: null, problems };
}
