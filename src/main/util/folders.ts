import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** `path` itself when it exists, else the nearest folder above it that does (symlinks followed). */
export function nearestExisting(path: string): string {
  let place = resolve(path);
  while (!statSync(place, { throwIfNoEntry: false }) && dirname(place) !== place) place = dirname(place);
  return place;
}

/** Whether `path` is a folder this user can make files in (a file there, or a read-only disk: no). */
export function canWriteIn(path: string): boolean {
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) return false;
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
