/**
 * A script's own media on their way into a plan. Every file is read only through openCheckedMedia: it
 * is checked again when read (it may have changed since the script was checked), and a refusal is the
 * same located message the check gave.
 */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { StepError } from '../engine/errors.ts';
import { formatDiagnostic, type MediaKind, type MediaPlaces, openCheckedMedia } from '../script/index.ts';
import type { MediaRef, ScriptDocument } from '../script/types.ts';
import { sha256Stream } from '../util/hash.ts';

/** An invalid-input failure at a place in the script: `file:line:col: error: message`. */
export function locatedError(
  document: Pick<ScriptDocument, 'file'>,
  at: { line: number; col: number },
  message: string,
): StepError {
  const { line, col } = at;
  return new StepError(
    'invalid-input',
    formatDiagnostic({ file: document.file, line, col, severity: 'error', message }),
  );
}

/** Copies the file `ref` names to `dest`, after checking it again. */
export async function copyCheckedMedia(
  document: Pick<ScriptDocument, 'file'>,
  ref: MediaRef,
  places: MediaPlaces,
  kind: MediaKind,
  dest: string,
): Promise<void> {
  const opened = await openCheckedMedia(ref, places, kind);
  if (!opened.ok) throw locatedError(document, ref, opened.message);
  try {
    await pipeline(opened.handle.createReadStream({ autoClose: false }), createWriteStream(dest));
  } finally {
    await opened.handle.close();
  }
}

/** The checksum of the file `ref` names, for a step's input hash; 'refused' when it is refused (run() reports it). */
export async function checkedMediaChecksum(
  ref: MediaRef,
  places: MediaPlaces,
  kind: MediaKind,
): Promise<string> {
  const opened = await openCheckedMedia(ref, places, kind);
  if (!opened.ok) return 'refused';
  try {
    return (await sha256Stream(opened.handle.createReadStream({ autoClose: false }))).sha256;
  } finally {
    await opened.handle.close();
  }
}
