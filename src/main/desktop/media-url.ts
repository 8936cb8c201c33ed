/**
 * The media URL of a job. No Node and no Electron here: the sandboxed preload bundles this file, and
 * main parses what it builds (media-protocol.ts).
 */
export const MEDIA_SCHEME = 'vfo-media';
export const MEDIA_HOST = 'job';
/** The host of a job's thumbnail (the JPEG the job list shows). */
export const THUMBNAIL_HOST = 'thumbnail';

export function videoUrlFor(jobId: string): string {
  return `${MEDIA_SCHEME}://${MEDIA_HOST}/${encodeURIComponent(jobId)}`;
}

export function thumbnailUrlFor(jobId: string): string {
  return `${MEDIA_SCHEME}://${THUMBNAIL_HOST}/${encodeURIComponent(jobId)}`;
}
