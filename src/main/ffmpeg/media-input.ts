/**
 * How a file that came from a script or a plan is given to ffmpeg. ffmpeg recognises a format by the
 * file's content, whatever its name: a "picture" that is really an HLS playlist is opened as one, and
 * ffmpeg then reads (and puts in the video) any media file the playlist names — outside the script's
 * folder, or on a farm worker that encodes a hostile member's plan (found by attacking a render: a
 * playlist saved as pic.png put another job's video in the output). So such a file is opened only by
 * the demuxers of the kinds a script may name, and anything else fails to open.
 */

/** Stills (image2 by name, or by content), clips (MP4/MOV/M4V, Matroska/WebM), music and voice. */
const MEDIA_DEMUXERS = [
  'image2',
  'png_pipe',
  'jpeg_pipe',
  'webp_pipe',
  'mov',
  'matroska',
  'mp3',
  'wav',
  'flac',
].join(',');
/** A captions track muxed as it is (captions not burned in). */
const CAPTION_DEMUXERS = ['ass', 'srt', 'webvtt'].join(',');

/** `-i path` for a medium (picture, clip, music, narration): opened as one of those or not at all. */
export function mediaInput(path: string): string[] {
  return ['-format_whitelist', MEDIA_DEMUXERS, '-i', path];
}

/** `-i path` for a captions file. */
export function captionsInput(path: string): string[] {
  return ['-format_whitelist', CAPTION_DEMUXERS, '-i', path];
}

/** The same restriction for ffprobe, which takes the option before the file. */
export function mediaProbeArgs(path: string): string[] {
  return ['-format_whitelist', MEDIA_DEMUXERS, path];
}
