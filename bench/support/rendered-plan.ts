/**
 * What a finished `vfo render` left in its data folder, for the benchmarks' bare ffmpeg runs: the plan,
 * the encoder it used, its assets linked under their names, and the exact encode command vfo builds.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BlobStore } from '../../src/main/engine/blob-store.ts';
import {
  buildEncodeCommand,
  captionBoxArgs,
  captionDrawing,
  type EncodeCommand,
  linkPlanAssets,
  measureCaptionBox,
  type PictureRenderer,
  writeSideFiles,
} from '../../src/main/ffmpeg/index.ts';
import type { RenderPlan } from '../../src/shared/render-plan.ts';

export interface RenderedPlan {
  plan: RenderPlan;
  encoder: string;
  /** Builds vfo's command for `plan` (or a variant of it): `measure` is the caption run vfo makes first. */
  command(
    picture: PictureRenderer,
    plan: RenderPlan,
    outPath: string,
  ): Promise<EncodeCommand & { measure?: string[] }>;
}

/**
 * When each step of the data folder's one job ran: milliseconds it took, and from the job's first step
 * to its start (what a render spent before it).
 */
export function stepTimes(dataDir: string): Record<string, { ms: number; startOffsetMs: number }> {
  const db = new Database(join(dataDir, 'vfo.db'), { readonly: true });
  const rows = db
    .prepare('SELECT step_key, started_at, completed_at FROM job_steps ORDER BY step_order')
    .all() as {
    step_key: string;
    started_at: string;
    completed_at: string;
  }[];
  db.close();
  const first = Math.min(...rows.map((row) => Date.parse(row.started_at)));
  return Object.fromEntries(
    rows.map((row) => [
      row.step_key,
      {
        ms: Date.parse(row.completed_at) - Date.parse(row.started_at),
        startOffsetMs: Date.parse(row.started_at) - first,
      },
    ]),
  );
}

export async function renderedPlan(dataDir: string, workDir: string): Promise<RenderedPlan> {
  const db = new Database(join(dataDir, 'vfo.db'), { readonly: true });
  const planRow = db
    .prepare("SELECT path FROM artifacts WHERE step_key = 'plan' AND name = 'plan' LIMIT 1")
    .get() as { path: string };
  const videoRow = db
    .prepare("SELECT metadata FROM artifacts WHERE step_key = 'video' AND type = 'video' LIMIT 1")
    .get() as {
    metadata: string;
  };
  db.close();
  const plan = JSON.parse(await readFile(planRow.path, 'utf8')) as RenderPlan;
  const { encoder } = JSON.parse(videoRow.metadata) as { encoder: string };
  const blobs = new BlobStore(dataDir);
  const { assetPaths, fontsDir } = await linkPlanAssets(
    plan,
    (sha) => blobs.pathFor(sha),
    join(workDir, 'bare'),
  );
  const captionsPath = plan.captions?.burnIn ? assetPaths[plan.captions.asset] : undefined;
  const captionsText = captionsPath ? await readFile(captionsPath, 'utf8') : undefined;
  return {
    plan,
    encoder,
    async command(picture, p, outPath) {
      const input = {
        plan: p,
        assetPaths,
        outPath,
        encoder,
        fontsDir,
        workDir: join(workDir, `side-${picture}`),
        captionsText,
        picture,
      };
      // Captions drawn once per state are measured first (a short ffmpeg run): timed with the command.
      const drawing = captionDrawing(input);
      const measure = drawing?.kind === 'once' ? captionBoxArgs(drawing.states) : undefined;
      const built = buildEncodeCommand({ ...input, captionBox: await measureCaptionBox('ffmpeg', input) });
      await writeSideFiles(built.files);
      return { ...built, ...(measure ? { measure } : {}) };
    },
  };
}
