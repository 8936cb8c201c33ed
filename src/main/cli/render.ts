import { statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { resolve, sep } from 'node:path';
import { printable } from '../../shared/text.ts';
import { jobJson } from '../api/job-json.ts';
import { type App, openApp } from '../app/open-app.ts';
import { JobBusyError, ShutdownError } from '../engine/errors.ts';
import type { JobRow } from '../engine/job-store.ts';
import { fileKey } from '../engine/output-paths.ts';
import type { SettingsRequest } from '../engine/settings-resolver.ts';
import { isExecutableFile } from '../ffmpeg/locate.ts';
import {
  diagnosticsText,
  outputCollisionsRefused,
  prepareBrief,
  prepareScript,
} from '../intake/prepare-script.ts';
import { MAX_LOCAL_PARTS } from '../settings/index.ts';
import { canWriteIn, nearestExisting } from '../util/folders.ts';
import { parseCommandArgs, positiveInt, priorityArg, threadsArg } from './args.ts';
import { type CliIo, EXIT, printableLines, printJson, UsageError } from './io.ts';
import { progressPrinter } from './progress-printer.ts';

export const RENDER_USAGE = `usage: vfo render <scripts...> [--out DIR] [--recipe SLUG] [--voice SLUG] [--video-preset SLUG]
                  [--ffmpeg PATH] [--threads N] [--parts N] [--priority N] [--json] [--data DIR]
       vfo render --title TITLE (--brief TEXT | --brief-file FILE) [same options]   (Claude writes the script)`;

/**
 * `vfo render`: every script is checked first (nothing is rendered if one is invalid: exit 2), then each
 * becomes a job — or resumes its unfinished twin — and the finished video paths are printed.
 */
export async function renderCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    out: { type: 'string', short: 'o' },
    recipe: { type: 'string' },
    voice: { type: 'string' },
    'video-preset': { type: 'string' },
    ffmpeg: { type: 'string' },
    threads: { type: 'string' },
    parts: { type: 'string' },
    title: { type: 'string' },
    brief: { type: 'string' },
    'brief-file': { type: 'string' },
    priority: { type: 'string' },
  });
  if (values.help) {
    io.out(RENDER_USAGE);
    return EXIT.ok;
  }
  const priority = priorityArg(values.priority);
  const fromBrief = values.brief !== undefined || values['brief-file'] !== undefined;
  if (fromBrief && positionals.length > 0) throw new UsageError('give either scripts or a brief, not both');
  if (!fromBrief && positionals.length === 0) throw new UsageError(`no script given\n${RENDER_USAGE}`);
  const briefText = values['brief-file'] ? await readBriefFile(values['brief-file']) : values.brief;
  if (values.out !== undefined) checkOutFolder(values.out);
  if (values.ffmpeg !== undefined) await checkFfmpegPath(values.ffmpeg);
  const ctx = await openApp({
    data: values.data,
    ffmpeg: values.ffmpeg,
    threads: threadsArg(values.threads),
    // --parts 1 renders whole; otherwise up to N parts on this machine's cores (render.localParts).
    localParts: partsOption(values.parts),
  });
  // ffmpeg is found and probed while the script is read and spoken (a fresh data folder has no cached
  // probe: three ffmpeg runs the plan step would otherwise wait for); a failure is reported by the step.
  ctx.services.ffmpeg().catch(() => undefined);
  try {
    if (values.out !== undefined) refuseOutInDataFolder(values.out, ctx.dataDir);
    const choices = {
      recipe: values.recipe,
      voice: values.voice,
      videoPreset: values['video-preset'],
      out: values.out,
    };
    if (fromBrief) {
      const brief = prepareBrief(ctx, { ...choices, title: values.title, brief: briefText ?? '' });
      if (!brief.ok) throw new UsageError(brief.message);
      return await runJobs(ctx, io, [brief.request], Boolean(values.json), priority);
    }
    const prepared = outputCollisionsRefused(
      await Promise.all(positionals.map((file) => prepareScript(ctx, file, choices))),
    );
    const invalid = prepared.filter((p) => !p.ok);
    for (const p of prepared) {
      if (p.ok) for (const w of p.document.warnings) io.err(diagnosticsText([w]));
      else io.err(diagnosticsText(p.diagnostics));
    }
    if (invalid.length > 0) {
      io.err(`vfo: nothing rendered: ${invalid.length} of ${prepared.length} script(s) have errors`);
      return EXIT.invalid;
    }

    const requests = prepared.flatMap((p) => (p.ok ? [p.request] : []));
    // The job records the script's warnings too (the app shows them): printed above, not again after.
    const shown = prepared.flatMap((p) =>
      p.ok ? p.document.warnings.map((w) => `:${w.line}:${w.col}: ${w.severity}: ${w.message}`) : [],
    );
    return await runJobs(ctx, io, requests, Boolean(values.json), priority, shown);
  } finally {
    await ctx.close();
  }
}

/** Make (or resume) a job per request, run them together, report, and map the outcome to an exit code. */
async function runJobs(
  ctx: App,
  io: CliIo,
  requests: SettingsRequest[],
  json: boolean,
  priority: number | undefined,
  shownWarnings: string[] = [],
): Promise<number> {
  const controller = new AbortController();
  // The exit code says which signal ended the render (128 + its number, as a shell says it): a SIGTERM
  // that came before these handlers were set exited 143, and 130 (Ctrl-C's) after.
  let signalled: number | null = null;
  const onSigint = () => {
    signalled = EXIT.interrupted;
    controller.abort();
  };
  // A stop (SIGTERM) or a closed terminal (SIGHUP): the jobs stop where they are and resume on the next
  // render of their scripts. The process used to die at once, its ffmpeg runs left running to the end
  // and its jobs seen as crashed. A second signal ends it at once, as before.
  const onStop = (signal: NodeJS.Signals) => {
    signalled = 128 + osConstants.signals[signal];
    controller.abort(new ShutdownError());
  };
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onStop);
  process.once('SIGHUP', onStop);
  const printer = progressPrinter(io, (jobId) => ctx.engine.store.steps(jobId).length, { json });
  const unsubscribe = ctx.engine.subscribe(printer);
  try {
    // A job another process runs is left to it and reported; the others render all the same.
    const busy: JobBusyError[] = [];
    const ran = await Promise.all(
      requests.map(async (request) => {
        const { job, resumed } = ctx.engine.createJob(request, priority !== undefined ? { priority } : {});
        if (resumed)
          io.err(printable(`vfo: resuming job ${job.id.slice(0, 8)} for ${describeInput(request)}`));
        return ctx.engine.run(job.id, controller.signal).catch((error: unknown) => {
          if (!(error instanceof JobBusyError)) throw error;
          busy.push(error);
          return null;
        });
      }),
    );
    printer.finish();
    for (const error of busy) io.err(printable(`vfo: error: ${error.message}`));
    const jobs = ran.filter((job): job is JobRow => job !== null);
    const code = report(io, ctx.engine.store, jobs, json, signalled, shownWarnings);
    return busy.length > 0 && code === EXIT.ok ? EXIT.failure : code;
  } finally {
    unsubscribe();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onStop);
    process.off('SIGHUP', onStop);
  }
}

function describeInput(request: SettingsRequest): string {
  return request.input.kind === 'script' ? request.input.scriptPath : `"${request.input.title}"`;
}

/**
 * `--out` is a folder this user can write into, or can make (its nearest existing parent is), known
 * before any work and made only for a video: a file there, or a folder not ours, failed after the
 * whole render with the blob store's raw error.
 */
function checkOutFolder(out: string): void {
  if (out.trim() === '') throw new UsageError('--out is empty: give the folder the videos go into');
  const place = nearestExisting(out);
  if (place === resolve(out) && !statSync(place).isDirectory())
    throw new UsageError(`--out ${out} is not a folder`);
  if (!canWriteIn(place))
    throw new UsageError(`cannot write into --out ${out} (${place} is not a folder this user can write in)`);
}

/**
 * Videos never go into the data folder: `vfo gc` cleans its work folders, and deleted a video rendered
 * there while its job still named it (found by attacking output paths).
 */
function refuseOutInDataFolder(out: string, dataDir: string): void {
  const folder = fileKey(out);
  const data = fileKey(dataDir);
  if (folder === data || folder.startsWith(`${data}${sep}`))
    throw new UsageError(`--out ${out} is inside the data folder (${dataDir}): give a folder outside it`);
}

/** `--ffmpeg` names a program: one that is not failed three plan steps in, blaming the settings. */
async function checkFfmpegPath(path: string): Promise<void> {
  if (!(await isExecutableFile(path)))
    throw new UsageError(`--ffmpeg ${path} is not a program this user can run`);
}

async function readBriefFile(path: string): Promise<string> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new UsageError(`cannot read the brief file ${path}`);
  // A folder failed with EISDIR (exit 1), a FIFO was waited on for ever, /dev/zero read for seconds.
  if (!info.isFile()) throw new UsageError(`the brief file ${path} is not a file`);
  if (info.size > 100_000) throw new UsageError(`the brief file ${path} is larger than 100 kB`);
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read the brief file ${path} (${error.code ?? 'unknown'})`);
  });
}

function report(
  io: CliIo,
  store: Parameters<typeof jobJson>[0],
  jobs: JobRow[],
  json: boolean,
  /** The exit code of the signal that stopped the render, if one did. */
  signalled: number | null,
  shownWarnings: string[],
): number {
  const fresh = (w: string) => !shownWarnings.some((shown) => w.endsWith(shown));
  if (json)
    printJson(
      io,
      jobs.map((j) => jobJson(store, j)),
    );
  for (const job of jobs) {
    if (job.status === 'done') {
      if (!json) io.out(printable(job.outputPath ?? ''));
      for (const w of job.warnings.filter(fresh)) io.err(printableLines(`vfo: warning: ${w}`));
    } else {
      io.err(printableLines(`vfo: job ${job.id.slice(0, 8)} ${job.status}: ${job.error ?? ''}`));
    }
  }
  if (signalled !== null) return signalled;
  if (jobs.every((j) => j.status === 'done')) return EXIT.ok;
  const invalidInput = jobs.some((j) => store.steps(j.id).some((s) => s.errorKind === 'invalid-input'));
  return invalidInput ? EXIT.invalid : EXIT.failure;
}

function partsOption(value: string | undefined): { parts: number } | undefined {
  const parts = positiveInt(value, 'parts');
  if (parts === undefined) return undefined;
  if (parts > MAX_LOCAL_PARTS) throw new UsageError(`--parts must be at most ${MAX_LOCAL_PARTS}`);
  return { parts };
}
