/**
 * Draws `vfo render`'s progress on stderr: on a terminal, one bar per job redrawn in place (finished
 * steps scroll above the bars); otherwise plain lines, at most one per job a second and only when the
 * numbers moved, so a log or a CI console stays readable — unless the output is JSON for a program,
 * which then gets only the warnings and errors on stderr.
 */
import type { EngineEvent } from '../engine/events.ts';
import type { CliIo } from './io.ts';
import { barLine, type JobProgress, JobProgressBoard, plainLine, stepDoneLine } from './job-progress.ts';

/** A terminal is redrawn at most this often (ffmpeg reports every ~0.5 s per encode). */
const REDRAW_MS = 200;
/** A plain line per job at most this often. */
const PLAIN_EVERY_MS = 1000;

/** ANSI: move the cursor up N lines; go to the line's start and clear it. */
const up = (lines: number) => (lines > 0 ? `\x1b[${lines}A` : '');
const CLEAR_LINE = '\r\x1b[2K';

export interface ProgressPrinter {
  (event: EngineEvent): void;
  /** Draws the final state (a terminal keeps the bars; plain output adds nothing). */
  finish(): void;
}

export function progressPrinter(
  io: CliIo,
  stepCount: (jobId: string) => number,
  options: { json?: boolean; now?: () => number } = {},
): ProgressPrinter {
  const board = new JobProgressBoard(stepCount);
  const now = options.now ?? Date.now;
  if (io.interactive) return terminalPrinter(io, board, now);
  return options.json ? silentPrinter() : plainPrinter(io, board, now);
}

function silentPrinter(): ProgressPrinter {
  const printer = (() => {}) as unknown as ProgressPrinter;
  printer.finish = () => {};
  return printer;
}

function terminalPrinter(io: CliIo, board: JobProgressBoard, now: () => number): ProgressPrinter {
  let drawn = 0;
  let lastDraw = 0;
  const pending: string[] = [];
  const draw = () => {
    lastDraw = now();
    const bars = [...board.jobs.values()].map(barLine);
    const lines = [...pending.splice(0), ...bars];
    // A block that shrank leaves its old lines: blank them, and count them as part of the block.
    const blanks = Math.max(0, drawn - lines.length);
    io.err(up(drawn) + [...lines, ...Array<string>(blanks).fill('')].map((l) => CLEAR_LINE + l).join('\n'));
    drawn = bars.length + blanks;
  };
  const printer = ((event: EngineEvent) => {
    const changed = board.apply(event);
    if (event.type === 'step' && event.status !== 'running') pending.push(stepDoneLine(event));
    if (!changed) return;
    // Step and job changes are drawn at once; progress at most every REDRAW_MS.
    if (event.type !== 'progress' || now() - lastDraw >= REDRAW_MS) draw();
  }) as ProgressPrinter;
  printer.finish = () => {
    if (board.jobs.size > 0 || pending.length > 0) draw();
  };
  return printer;
}

function plainPrinter(io: CliIo, board: JobProgressBoard, now: () => number): ProgressPrinter {
  const last = new Map<string, { at: number; line: string }>();
  const report = (job: JobProgress) => {
    const line = plainLine(job);
    const previous = last.get(job.jobId);
    if (previous && (previous.line === line || now() - previous.at < PLAIN_EVERY_MS)) return;
    last.set(job.jobId, { at: now(), line });
    io.err(line);
  };
  const printer = ((event: EngineEvent) => {
    const job = board.apply(event);
    if (event.type === 'step' && event.status !== 'running') io.err(stepDoneLine(event));
    if (job && event.type === 'progress') report(job);
  }) as ProgressPrinter;
  printer.finish = () => {};
  return printer;
}
