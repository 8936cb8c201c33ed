/**
 * The parts of a video encoded on this machine, kept in the encode step's kept folder until the video
 * is done (the engine then removes the folder): a crash, a stop or one failed part encoded every part
 * again, though the others were finished and verified. A part is found again by what made it (its plan
 * with its assets' checksums, the encoder and its settings), and only while its bytes are the ones its
 * encode verified.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { RenderPlan } from '../../shared/render-plan.ts';
import type { VideoFacts } from '../ffmpeg/index.ts';
import type { EncodedSegment } from '../segments/segmented-encode.ts';
import { writeFileAtomically } from '../util/atomic-file.ts';
import { sha256File, sha256Hex } from '../util/hash.ts';
import { jsonOrNull } from '../util/json-or-null.ts';

/** Everything that shapes a part's bytes. */
export interface PartRecipe {
  version: string;
  plan: RenderPlan;
  encoder: string;
  threads: number;
  captionBox: unknown;
  /** Which ffmpeg, and which build of it: parts are joined packet for packet. */
  ffmpeg: { path: string; version: string };
}

/** Where the part made by `recipe` is kept, and the record of its verified encode beside it. */
export function keptPart(keptDir: string, recipe: PartRecipe): { path: string; record: string } {
  const name = `part-${sha256Hex(JSON.stringify(recipe)).slice(0, 32)}`;
  return { path: join(keptDir, `${name}.mp4`), record: join(keptDir, `${name}.json`) };
}

const recordSchema = z.object({
  encoder: z.string(),
  sha256: z.string(),
  facts: z.record(z.string(), z.unknown()),
});

/** The part kept at `place`, if its record reads and its bytes are still those it records. */
export async function findKeptPart(place: {
  path: string;
  record: string;
}): Promise<EncodedSegment | undefined> {
  const text = await readFile(place.record, 'utf8').catch(() => null);
  const record = text === null ? null : recordSchema.safeParse(jsonOrNull(text));
  if (!record?.success) return undefined;
  const now = await sha256File(place.path).catch(() => null);
  if (now?.sha256 !== record.data.sha256) return undefined;
  const { encoder, sha256, facts } = record.data;
  return { path: place.path, encoder, sha256, facts: facts as unknown as VideoFacts };
}

/** Records a part's verified encode, once its file is in place. */
export function keepPart(place: { record: string }, part: EncodedSegment): Promise<void> {
  const { encoder, sha256, facts } = part;
  return writeFileAtomically(place.record, JSON.stringify({ encoder, sha256, facts }));
}
