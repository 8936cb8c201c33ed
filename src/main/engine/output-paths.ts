import { basename, dirname, extname, join } from 'node:path';

/** Where a video's thumbnail is delivered: beside it, named like it, as a JPEG. */
export function thumbnailPathFor(videoPath: string): string {
  return join(dirname(videoPath), `${basename(videoPath, extname(videoPath))}.jpg`);
}
