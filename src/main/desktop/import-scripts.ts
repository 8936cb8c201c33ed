/**
 * The import flow for scripts that arrive as paths (Dock and Finder, a second launch, a drop the page
 * did not catch): read each file, hand the texts to `scripts.import`, report what was not queued.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ImportOutcome, ScriptUpload } from '../../shared/contract.ts';
import { SCRIPT_LIMITS } from '../script/index.ts';
import { isScriptPath } from './launch.ts';
import type { VfoService } from './service.ts';

export interface UnreadableScript {
  name: string;
  path: string;
  reason: string;
}

export interface ReadScripts {
  uploads: ScriptUpload[];
  unreadable: UnreadableScript[];
}

/** Reads scripts for upload: size-checked before reading, UTF-8, each path once. */
export async function readScriptUploads(
  paths: readonly string[],
  maxBytes: number = SCRIPT_LIMITS.maxBytes,
): Promise<ReadScripts> {
  const result: ReadScripts = { uploads: [], unreadable: [] };
  for (const path of new Set(paths)) {
    const name = basename(path);
    const skip = (reason: string) => result.unreadable.push({ name, path, reason });
    if (!isScriptPath(path)) {
      skip('not a script (.md, .markdown or .txt)');
      continue;
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
    try {
      result.uploads.push({ name, text: await readFile(path, 'utf8') });
    } catch (error) {
      skip(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return result;
}

export type ImportReport =
  | { ok: true; outcomes: ImportOutcome[]; unreadable: UnreadableScript[] }
  | { ok: false; message: string; unreadable: UnreadableScript[] };

export async function importScriptPaths(
  service: VfoService,
  paths: readonly string[],
): Promise<ImportReport> {
  const { uploads, unreadable } = await readScriptUploads(paths);
  if (uploads.length === 0) return { ok: true, outcomes: [], unreadable };
  const result = await service.call('scripts.import', { scripts: uploads });
  if (!result.ok) return { ok: false, message: result.error.message, unreadable };
  return { ok: true, outcomes: result.value, unreadable };
}
