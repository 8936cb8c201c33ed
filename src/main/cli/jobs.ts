import { printable } from '../../shared/text.ts';
import { jobJson } from '../api/job-json.ts';
import { type App, openApp } from '../app/open-app.ts';
import type { JobRow } from '../engine/job-store.ts';
import { existingDataArg, parseCommandArgs, positiveInt } from './args.ts';
import { type CliIo, EXIT, printJson, UsageError } from './io.ts';

export const JOBS_USAGE = `usage: vfo jobs [list] [--limit N] [--json]
       vfo jobs show <id> [--json]
       vfo jobs retry <id> [--from STEP] [--json]
       vfo jobs cancel <id> [--json]
  (ids may be shortened to their first 8 characters)`;

/** `vfo jobs`: list, show, retry (optionally from a step, runs in the foreground) and cancel. */
export async function jobsCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    limit: { type: 'string' },
    from: { type: 'string' },
  });
  if (values.help) {
    io.out(JOBS_USAGE);
    return EXIT.ok;
  }
  const [action = 'list', id] = positionals;
  if (!['list', 'show', 'retry', 'cancel'].includes(action))
    throw new UsageError(`unknown jobs action "${action}"\n${JOBS_USAGE}`);
  if (action !== 'list' && !id) throw new UsageError(`vfo jobs ${action} needs a job id\n${JOBS_USAGE}`);
  const ctx = await openApp({ data: existingDataArg(values.data) });
  try {
    if (action === 'list')
      return list(ctx, io, positiveInt(values.limit, 'limit') ?? 50, Boolean(values.json));
    const job = ctx.engine.store.findJob(id as string);
    if (!job) {
      const several = ctx.engine.store.jobIdsStartingWith(id as string, 5);
      if (several.length > 1)
        throw new UsageError(
          `several jobs start with "${id}" (${several.map((j) => j.slice(0, 13)).join(', ')}…): give more of its id`,
        );
      throw new UsageError(`no job "${id}" (see \`vfo jobs\`)`);
    }
    if (action === 'show') return show(ctx, io, job, Boolean(values.json));
    if (action === 'cancel') return cancel(ctx, io, job, Boolean(values.json));
    const keys = ctx.engine.store.steps(job.id).map((s) => s.stepKey);
    if (values.from && !keys.includes(values.from)) {
      throw new UsageError(
        `job ${job.id.slice(0, 8)} has no step "${values.from}" (steps: ${keys.join(', ')})`,
      );
    }
    ctx.engine.retry(job.id, values.from);
    const done = await ctx.engine.run(job.id);
    if (values.json) printJson(io, jobJson(ctx.engine.store, done));
    else if (done.status === 'done') io.out(printable(done.outputPath ?? ''));
    else io.err(printable(`vfo: job ${done.id.slice(0, 8)} ${done.status}: ${done.error ?? ''}`));
    if (done.status === 'done') return EXIT.ok;
    // As `vfo render` says it: a script's own mistake (found again on the retry) is invalid input.
    const invalid = ctx.engine.store.steps(done.id).some((s) => s.errorKind === 'invalid-input');
    return invalid ? EXIT.invalid : EXIT.failure;
  } finally {
    await ctx.close();
  }
}

/** Only a queued or running job can be cancelled: an ended one is said to be so (it said "requested"). */
function cancel(ctx: App, io: CliIo, job: JobRow, json: boolean): number {
  if (job.status !== 'queued' && job.status !== 'running') {
    io.err(`vfo: job ${job.id.slice(0, 8)} is ${job.status}: there is nothing to cancel`);
    return EXIT.invalid;
  }
  ctx.engine.cancel(job.id);
  // The job as it is now (a queued one is already cancelled; a running one stops at its next step).
  const now = ctx.engine.store.getJob(job.id) ?? job;
  if (json) printJson(io, { ...jobJson(ctx.engine.store, now), cancelRequested: true });
  else io.out(`cancel requested for job ${job.id}`);
  return EXIT.ok;
}

function list(ctx: App, io: CliIo, limit: number, json: boolean): number {
  const jobs = ctx.engine.store.listJobs(limit);
  if (json) {
    printJson(
      io,
      jobs.map((j) => jobJson(ctx.engine.store, j)),
    );
    return EXIT.ok;
  }
  if (jobs.length === 0) io.out('no jobs yet');
  for (const j of jobs) {
    io.out(
      `${j.id.slice(0, 8)}  ${j.status.padEnd(9)}  ${j.recipeSlug}@${j.recipeVersion}  ${j.createdAt}  ${printable(j.outputPath ?? j.error ?? '')}`,
    );
  }
  return EXIT.ok;
}

function show(ctx: App, io: CliIo, job: JobRow, json: boolean): number {
  const summary = jobJson(ctx.engine.store, job);
  if (json) {
    printJson(io, summary);
    return EXIT.ok;
  }
  io.out(
    `job ${job.id}  ${job.status}  recipe ${job.recipeSlug}@${job.recipeVersion}  priority ${job.priority}`,
  );
  if (job.outputPath) io.out(`output  ${printable(job.outputPath)}`);
  // Errors and warnings quote scripts and other machines: shown printable.
  if (job.error) io.out(`error   ${printable(job.error)}`);
  for (const w of job.warnings) io.out(`warning ${printable(w)}`);
  for (const s of summary.steps) {
    const note = s.reused ? 'unchanged, reused' : s.error ? `${s.errorKind}: ${s.error}` : '';
    io.out(`  ${s.key.padEnd(10)} ${s.status.padEnd(9)} attempts ${s.attempts}  ${printable(note)}`);
  }
  return EXIT.ok;
}
