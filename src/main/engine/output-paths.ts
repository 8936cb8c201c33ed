import { basename, dirname, extname, join } from 'node:path';

/** Where a video's thumbnail is delivered: beside it, named like it, as a JPEG. */
export function thumbnailPathFor(videoPath: string): string {
  return join(dirname(videoPath), `${basename(videoPath, extname(videoPath))}.jpg`);
}

/** A path as the disk tells paths apart: a Mac's disk ignores case (INTRO.JPG is intro.jpg there). */
export function diskPathKey(path: string): string {
  return process.platform === 'darwin' ? path.toLowerCase() : path;
}
