/**
 * The import flow for scripts that arrive as paths (Dock and Finder, a second launch, a drop the page
 * did not catch): folders are walked for scripts, each script is read, the media it names are found
 * in its folder (by the node's own check) and stored, and the texts with their media go to
 * `scripts.import`; what was not queued is reported.
 */
import { lstat, realpath, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { ImportOutcome, MediaManifest, MediaUse, ScriptUpload } from '../../shared/contract.ts';
import {
  canonicalMediaPath,
  isCanonicalMediaPath,
  MEDIA_LIMITS,
  SCRIPTS_PER_IMPORT,
} from '../../shared/contract.ts';
import {
  CLIP_MEDIA,
  IMAGE_MEDIA,
  type MediaKind,
  MUSIC_MEDIA,
  openCheckedMedia,
  readScriptSource,
  resolveMediaPath,
  SCRIPT_LIMITS,
  scriptFolderOnly,
} from '../script/index.ts';
import { sha256Stream } from '../util/hash.ts';
import { filesUnder, leadsInside } from './folder-walk.ts';
import { isScriptPath } from './launch.ts';
import { isMediaPath, type StoredLocally } from './local-media.ts';
import type { VfoService } from './service.ts';

export interface UnreadableScript {
  name: string;
  path: string;
  reason: string;
}

export interface ReadScripts {
  scripts: { path: string; upload: ScriptUpload }[];
  unreadable: UnreadableScript[];
}

/** Scripts from paths and the folders among them: size-checked before reading, UTF-8, each path once. */
export async function readScriptUploads(
  paths: readonly string[],
  maxBytes: number = SCRIPT_LIMITS.maxBytes,
): Promise<ReadScripts> {
  const result: ReadScripts = { scripts: [], unreadable: [] };
  const files: string[] = [];
  for (const path of new Set(paths)) {
    if (!(await stat(path).catch(() => null))?.isDirectory()) {
      files.push(path);
      continue;
    }
    const found = await filesUnder(path, (name) => isScriptPath(name));
    if (found.length === 0)
      result.unreadable.push({ name: basename(path), path, reason: 'a folder with no scripts' });
    files.push(...found.map((relative) => `${path}/${relative}`));
  }
  for (const path of new Set(files)) {
    const name = basename(path);
    const skip = (reason: string) => result.unreadable.push({ name, path, reason });
    if (!isScriptPath(path)) {
      skip('not a script (.md, .markdown or .txt)');
      continue;
    }
    // A script named by its path is held to the folder walk's rule: a downloaded `notes.md ->
    // ~/.aws/credentials` given as a file (a drop, the command line) was read and narrated.
    if ((await lstat(path).catch(() => null))?.isSymbolicLink()) {
      const folder = await realpath(dirname(path)).catch(() => null);
      if (!folder || !(await leadsInside(folder, path))) {
        skip('a link to a file outside its folder');
        continue;
      }
    }
    const info = await stat(path).catch(() => null);
    if (!info) {
      skip('the file cannot be found');
      continue;
    }
    if (!info.isFile()) {
      skip('not a file');
      continue;
    }
    if (info.size > maxBytes) {
      skip(`larger than ${Math.round(maxBytes / 1024)} kB`);
      continue;
    }
    // Read once, at most the limit and a byte: a file swapped or grown since the stat is not read whole.
    const source = await readScriptSource(path, maxBytes);
    if (source.ok) result.scripts.push({ path, upload: { name, text: source.text } });
    else skip(source.diagnostic.message);
  }
  return result;
}

export type ImportReport =
  | { ok: true; outcomes: ImportOutcome[]; unreadable: UnreadableScript[] }
  | { ok: false; message: string; unreadable: UnreadableScript[] };

export interface PathImport {
  service: VfoService;
  /** Copies a media file of this Mac into the node's store, if its bytes are that sha256. */
  storeMedia(path: string, sha256: string): Promise<StoredLocally>;
}

export async function importScriptPaths(deps: PathImport, paths: readonly string[]): Promise<ImportReport> {
  const { scripts, unreadable } = await readScriptUploads(paths);
  const outcomes: ImportOutcome[] = [];
  // Each folder's media are listed once, however many of its scripts are imported.
  const mediaOf = new Map<string, Promise<string[]>>();
  const folderMedia = (folder: string) => {
    let files = mediaOf.get(folder);
    if (!files) {
      files = filesUnder(folder, isMediaPath);
      mediaOf.set(folder, files);
    }
    return files;
  };
  // A call takes so many scripts; a larger folder goes in several, each with its media stored first.
  for (let start = 0; start < scripts.length; start += SCRIPTS_PER_IMPORT) {
    const uploads: ScriptUpload[] = [];
    for (const script of scripts.slice(start, start + SCRIPTS_PER_IMPORT))
      uploads.push(await withMedia(deps, script.path, script.upload, folderMedia));
    const result = await deps.service.call('scripts.import', { scripts: uploads });
    if (!result.ok) {
      const done = outcomes.length > 0 ? ` (${outcomes.length} scripts before it were imported)` : '';
      return { ok: false, message: `${result.error.message}${done}`, unreadable };
    }
    outcomes.push(...result.value);
  }
  return { ok: true, outcomes, unreadable };
}

const KINDS: Record<MediaUse['kind'], MediaKind> = {
  image: IMAGE_MEDIA,
  clip: CLIP_MEDIA,
  music: MUSIC_MEDIA,
};

/**
 * The script with the media it names, stored: the node's check says what it names among the media
 * files in its folder; each is found under the rules `vfo render` follows and read only after
 * checking it again. What is not found stays out, and the import reports it where it is named.
 */
async function withMedia(
  deps: PathImport,
  path: string,
  upload: ScriptUpload,
  folderMedia: (folder: string) => Promise<string[]>,
): Promise<ScriptUpload> {
  // A file name no script can write (a backslash, an over-long path) is left out here: sent along, it
  // made the whole check invalid, and every medium of the script was then reported missing.
  const files = (await folderMedia(dirname(path)))
    .filter(isCanonicalMediaPath)
    .slice(0, MEDIA_LIMITS.maxFiles * 4);
  if (files.length === 0) return upload;
  const check = await deps.service.call('scripts.check', { script: upload, files });
  if (!check.ok) return upload;
  const media: MediaManifest = {};
  for (const use of check.value.media) {
    const relative = use.found ? canonicalMediaPath(use.path) : null;
    if (!relative || !files.includes(relative)) continue;
    const kind = KINDS[use.kind];
    const local = resolveMediaPath(use.path, scriptFolderOnly(path), kind);
    if (!local.ok) continue;
    const opened = await openCheckedMedia(
      { written: use.path, path: local.path },
      scriptFolderOnly(path),
      kind,
    );
    if (!opened.ok) continue;
    let hashed: { sha256: string; size: number };
    try {
      hashed = await sha256Stream(opened.handle.createReadStream({ autoClose: false }));
    } finally {
      await opened.handle.close();
    }
    if ((await deps.storeMedia(local.path, hashed.sha256)).ok) media[relative] = hashed;
  }
  return Object.keys(media).length > 0 ? { ...upload, media } : upload;
}
