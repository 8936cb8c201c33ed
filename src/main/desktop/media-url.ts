/**
 * The media URL of a job. No Node and no Electron here: the sandboxed preload bundles this file, and
 * main parses what it builds (media-protocol.ts).
 */
export const MEDIA_SCHEME = 'vfo-media';
export const MEDIA_HOST = 'job';

export function videoUrlFor(jobId: string): string {
  return `${MEDIA_SCHEME}://${MEDIA_HOST}/${encodeURIComponent(jobId)}`;
}
