/**
 * Turns a drop into script files and the media beside them. Entries must be taken from the
 * DataTransfer while the drop event is being handled (the browser empties it afterwards), so this is
 * split in a synchronous grab and an asynchronous walk.
 */
import {
  type CollectedFiles,
  collectDroppedFiles,
  type EntryLike,
  splitDroppedFiles,
} from './script-files.ts';

export interface GrabbedDrop {
  entries: EntryLike[];
  /** Files with no entry (a DataTransfer built by a script, or a browser without entries). */
  looseFiles: File[];
}

export function grabDrop(dataTransfer: DataTransfer): GrabbedDrop {
  const entries: EntryLike[] = [];
  const looseFiles: File[] = [];
  for (const item of Array.from(dataTransfer.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.() as EntryLike | null | undefined;
    if (entry) {
      entries.push(entry);
      continue;
    }
    const file = item.getAsFile();
    if (file) looseFiles.push(file);
  }
  if (entries.length === 0 && looseFiles.length === 0) looseFiles.push(...Array.from(dataTransfer.files));
  return { entries, looseFiles };
}

export async function scriptFilesOf(drop: GrabbedDrop): Promise<CollectedFiles> {
  const fromEntries = await collectDroppedFiles(drop.entries);
  const loose = splitDroppedFiles(drop.looseFiles);
  return {
    scripts: [...fromEntries.scripts, ...loose.scripts],
    media: [...fromEntries.media, ...loose.media],
    ignored: [...fromEntries.ignored, ...loose.ignored],
  };
}

/** A file picker (or a folder picker with webkitdirectory) gives a flat list. */
export function scriptFilesOfList(list: FileList | null): CollectedFiles {
  return splitDroppedFiles(list ? Array.from(list) : []);
}
