import { openApp } from '../app/open-app.ts';
import type { GcReport } from '../engine/garbage-collector.ts';
import { DEFAULT_KEEP_FREE_BYTES, diskBudgetSetting, keepFreeSetting, parseSize } from '../settings/index.ts';
import { formatSize } from '../util/disk-room.ts';
import { existingDataArg, parseCommandArgs } from './args.ts';
import { type CliIo, EXIT, printableLines, printJson, UsageError } from './io.ts';

export const GC_USAGE = `usage: vfo gc [--dry-run] [--json] [--data DIR]
       vfo gc --budget SIZE|off    (collect on its own when blobs + scratch + speech cache pass SIZE, e.g. 20GB)
       vfo gc --keep-free SIZE|default
                                   (refuse media and results sent over the network once less than SIZE
                                    of disk would be left free; default 2GB)
  removes the results of failed and cancelled jobs, crashed attempts' scratch folders and blobs no job
  names; never what a queued, running or finished job, or a farm task, still needs`;

/** `vfo gc`: frees the disk failed and cancelled jobs hold; `--budget` sets the automatic threshold. */
export async function gcCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    'dry-run': { type: 'boolean' },
    budget: { type: 'string' },
    'keep-free': { type: 'string' },
  });
  if (values.help) {
    io.out(GC_USAGE);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`vfo gc takes no arguments\n${GC_USAGE}`);
  // One thing per run: `--budget 20GB --keep-free 5GB` stored only the second, and said nothing.
  const settings = (['budget', 'keep-free'] as const).filter((flag) => values[flag] !== undefined);
  if (settings.length > 1 || (settings.length === 1 && values['dry-run']))
    throw new UsageError(`vfo gc sets one setting at a time, without --dry-run\n${GC_USAGE}`);
  const budget = values.budget === undefined ? undefined : parseBudget(values.budget);
  const keepFree = values['keep-free'] === undefined ? undefined : parseKeepFree(values['keep-free']);
  const ctx = await openApp({ data: existingDataArg(values.data) });
  try {
    if (keepFree !== undefined) {
      keepFreeSetting.write(ctx.database.db, keepFree === null ? null : { minBytes: keepFree });
      const kept = keepFree ?? DEFAULT_KEEP_FREE_BYTES;
      if (values.json) printJson(io, { keepFree: kept });
      else io.out(`free disk kept: ${formatSize(kept)}${keepFree === null ? ' (the default)' : ''}`);
      return EXIT.ok;
    }
    if (budget !== undefined) {
      diskBudgetSetting.write(ctx.database.db, budget === null ? null : { maxBytes: budget });
      const shown = budget === null ? 'off' : formatSize(budget);
      if (values.json) printJson(io, { diskBudget: budget });
      else io.out(`disk budget: ${shown}${budget === null ? ' (nothing is collected on its own)' : ''}`);
      return EXIT.ok;
    }
    const report = await ctx.engine.collectGarbage({ dryRun: Boolean(values['dry-run']) });
    if (values.json)
      printJson(io, { ...report, diskBudget: diskBudgetSetting.read(ctx.database.db)?.maxBytes ?? null });
    else io.out(describe(report));
    // The rest was collected; what was not is said, and the exit code says it too.
    for (const problem of report.problems) io.err(printableLines(`vfo: error: could not collect ${problem}`));
    return report.problems.length > 0 ? EXIT.failure : EXIT.ok;
  } finally {
    await ctx.close();
  }
}

function parseBudget(text: string): number | null {
  if (text.trim().toLowerCase() === 'off') return null;
  const bytes = parseSize(text);
  if (bytes === null)
    throw new UsageError(`--budget must be a size like 20GB or 500MB, or "off" (got "${text}")`);
  return bytes;
}

function parseKeepFree(text: string): number | null {
  if (text.trim().toLowerCase() === 'default') return null;
  const bytes = parseSize(text);
  if (bytes === null)
    throw new UsageError(`--keep-free must be a size like 2GB or 500MB, or "default" (got "${text}")`);
  return bytes;
}

function describe(report: GcReport): string {
  const verb = report.dryRun ? 'would free' : 'freed';
  const files = report.blobs.count + report.scratch.count;
  return (
    `${verb} ${files} ${files === 1 ? 'item' : 'items'}, ${formatSize(report.freedBytes)}: ` +
    `${report.blobs.count} blobs, ${report.scratch.count} scratch folders or files, ` +
    `results of ${report.jobs} failed or cancelled jobs ` +
    `(blobs + scratch + speech cache: ${formatSize(report.usageBefore)} → ${formatSize(report.usageAfter)})`
  );
}
