import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Diagnostic, MediaManifest, ScriptCheck, ScriptUpload } from '../../shared/contract.ts';
import { isCanonicalMediaPath } from '../../shared/contract.ts';
import { createLogger } from '../log/logger.ts';
import { DATA_FOLDERS } from '../paths.ts';
import { writeFileAtomically } from '../util/atomic-file.ts';
import { sha256Hex } from '../util/hash.ts';
import type { MediaBlobs } from './media-upload.ts';
import {
  type IntakeContext,
  type PreparedScript,
  prepareScript,
  type ScriptChoices,
} from './prepare-script.ts';

const log = createLogger('ScriptUpload');

/**
 * An uploaded script is stored under the data folder (never at a path from the network) and checked.
 * Its folder is its own, `imports/<hash of its name, text and media>`, which holds only the script and
 * the media sent with it, at the paths the sender gave (relative, canonical, inside the folder), each the
 * blob uploaded for it: relative media paths find those and nothing else, and the data folder around
 * it is never a place media come from (see jobMediaPlaces). Other media can only come from the media roots.
 * Media are hard links to their blobs: the script is written through a new file renamed into place, and
 * no media file may take the script's own place, so nothing is ever written through a link into a blob.
 */
export async function storeUpload(
  ctx: Pick<IntakeContext, 'dataDir' | 'blobs'>,
  upload: ScriptUpload,
  options: { scratch?: boolean } = {},
): Promise<{ path: string; dir: string; missing: string[]; clashing: string[] }> {
  const name = basename(upload.name).replace(/[^\w.\- ]/g, '_');
  if (!/\.(md|markdown|txt)$/i.test(name)) throw new Error(`"${upload.name}" is not a .md or .txt script`);
  const media = upload.media ?? {};
  const paths = Object.keys(media).sort();
  const identity = JSON.stringify([name, upload.text, paths.map((p) => [p, media[p]?.sha256])]);
  // A check alone (a preview) gets a folder of its own, removed after it: every preview kept its
  // folder for good (a key holder filled the disk at ~14 MB/s), and the stored one may be a job's.
  const folder = options.scratch ? `.check-${randomUUID()}` : sha256Hex(identity).slice(0, 16);
  const dir = join(ctx.dataDir, DATA_FOLDERS.imports, folder);
  const path = join(dir, name);
  await writeFileAtomically(path, upload.text);
  const missing: string[] = [];
  const clashing: string[] = [];
  for (const relative of paths) {
    if (takesPlaceOf(relative, name)) {
      clashing.push(relative);
      continue;
    }
    const placed = await placeMedia(ctx.blobs, dir, relative, media[relative] as MediaManifest[string]);
    if (!placed) missing.push(relative);
  }
  return { path, dir, missing, clashing };
}

/** A media path at the script's place, or inside a folder of its name (case-insensitive, as on a Mac). */
function takesPlaceOf(relative: string, scriptName: string): boolean {
  return relative.split('/')[0]?.toLowerCase() === scriptName.toLowerCase();
}

/**
 * The blob sent for `relative`, at that place in the folder: linked (blobs are never written again),
 * or copied where a link cannot be made. False when it was not received (or is not what was declared).
 */
async function placeMedia(
  blobs: MediaBlobs | undefined,
  dir: string,
  relative: string,
  declared: { sha256: string; size: number },
): Promise<boolean> {
  const dest = resolve(dir, relative);
  // The schema already refused anything else; a second lock on the same door costs nothing.
  if (!blobs || !isCanonicalMediaPath(relative) || !dest.startsWith(`${dir}${sep}`)) return false;
  const blob = blobs.pathFor(declared.sha256);
  const info = await stat(blob).catch(() => null);
  if (!info?.isFile() || info.size !== declared.size || !(await blobs.verify(blob, declared.sha256)))
    return false;
  if ((await stat(dest).catch(() => null))?.size === declared.size) return true;
  try {
    await mkdir(dirname(dest), { recursive: true });
    await link(blob, dest).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return;
      await copyFile(blob, dest, constants.COPYFILE_FICLONE);
    });
    return true;
  } catch (error) {
    log.warn('a media file could not be placed', { relative, error: String(error) });
    return false;
  }
}

/** What the sender chose for its upload (absent: the node's defaults). */
type UploadChoices = Pick<ScriptChoices, 'recipe' | 'videoPreset'>;

export interface CheckOptions {
  /** Files still to be sent (a preview before the upload): they count as found. 'any': list what it names. */
  sending?: readonly string[] | 'any';
}

/** Checks an upload without keeping it (a preview): its folder is gone when the answer is. */
export async function checkOnly(
  ctx: IntakeContext,
  upload: ScriptUpload,
  choices: UploadChoices = {},
  options: CheckOptions = {},
): Promise<ScriptCheck> {
  const stored = await storeUpload(ctx, upload, { scratch: true });
  try {
    return (await checkStored(ctx, upload, stored, choices, options)).check;
  } finally {
    await rm(stored.dir, { recursive: true, force: true });
  }
}

/** Stores and checks an upload; `prepared` may become a job only when no `sending` was given. */
export async function checkUpload(
  ctx: IntakeContext,
  upload: ScriptUpload,
  choices: UploadChoices = {},
  options: CheckOptions = {},
): Promise<{ check: ScriptCheck; prepared: PreparedScript }> {
  return checkStored(ctx, upload, await storeUpload(ctx, upload), choices, options);
}

async function checkStored(
  ctx: IntakeContext,
  upload: ScriptUpload,
  { path, missing, clashing }: { path: string; missing: string[]; clashing: string[] },
  choices: UploadChoices,
  options: CheckOptions,
): Promise<{ check: ScriptCheck; prepared: PreparedScript }> {
  const incoming = options.sending === 'any' ? 'any' : options.sending ? new Set(options.sending) : undefined;
  const checked = await prepareScript(
    ctx,
    path,
    // Each upload's video in a folder of its own: two scripts both called intro.md (from two folders,
    // or two machines) wrote one videos/intro.mp4, the second over the first.
    { ...choices, out: join(ctx.dataDir, 'videos', basename(dirname(path))) },
    incoming ? { incoming } : {},
  );
  const prepared =
    missing.length + clashing.length > 0 ? notPlaced(checked, { missing, clashing }, path) : checked;
  const named = (d: Diagnostic) => ({ ...d, file: upload.name });
  const check: ScriptCheck = prepared.ok
    ? {
        name: upload.name,
        ok: true,
        diagnostics: prepared.document.warnings.map(named),
        media: prepared.media,
        title: prepared.document.meta.title ?? null,
        scenes: prepared.document.scenes.map((s) => ({
          title: s.title,
          sentences: s.items.filter((i) => i.kind === 'speech').length,
        })),
        estimatedSeconds: Math.round(prepared.estimatedMs / 1000),
      }
    : {
        name: upload.name,
        ok: false,
        diagnostics: prepared.diagnostics.map(named),
        media: prepared.media,
        title: null,
        scenes: [],
        estimatedSeconds: Math.round((prepared.estimatedMs ?? 0) / 1000),
      };
  return { check, prepared };
}

/**
 * Media declared with the script but never received, or at the script's own place: the script is not
 * queued, and says which.
 */
function notPlaced(
  prepared: PreparedScript,
  media: { missing: string[]; clashing: string[] },
  path: string,
): PreparedScript {
  const at = (message: string): Diagnostic => ({ file: path, line: 1, col: 1, severity: 'error', message });
  const problems: Diagnostic[] = [
    ...media.clashing.map((relative) =>
      at(`media file "${relative}" takes the place of the script itself: give it another name`),
    ),
    ...media.missing.map((relative) =>
      at(`media file "${relative}" was declared but not received: send it before the script`),
    ),
  ];
  const before = prepared.ok ? prepared.document.warnings : prepared.diagnostics;
  return { ok: false, path, diagnostics: [...problems, ...before], media: prepared.media };
}
