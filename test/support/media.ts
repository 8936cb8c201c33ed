/** Facts about real media files, read with ffprobe/ffmpeg. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface MediaFacts {
  width: number;
  height: number;
  videoCodec: string;
  audioCodec: string;
  videoSeconds: number;
  audioSeconds: number;
  /** Video packets read one by one (= frames): exact, whatever the container header says. */
  videoFrames: number;
}

export async function probeMedia(path: string): Promise<MediaFacts> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-count_packets',
    '-show_streams',
    '-show_format',
    '-of',
    'json',
    path,
  ]);
  const info = JSON.parse(stdout) as { streams: Record<string, string | number>[] };
  const video = info.streams.find((s) => s.codec_type === 'video');
  const audio = info.streams.find((s) => s.codec_type === 'audio');
  if (!video || !audio) throw new Error(`${path} lacks a video or an audio stream`);
  return {
    width: Number(video.width),
    height: Number(video.height),
    videoCodec: String(video.codec_name),
    audioCodec: String(audio.codec_name),
    videoSeconds: Number(video.duration),
    audioSeconds: Number(audio.duration),
    videoFrames: Number(video.nb_read_packets),
  };
}

/** One decoded frame as raw RGB bytes (small, so comparisons are cheap). */
export async function frameAt(path: string, seconds: number): Promise<Buffer> {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-ss',
      String(seconds),
      '-i',
      path,
      '-frames:v',
      '1',
      '-vf',
      'scale=320:-2',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout as unknown as Buffer;
}

/**
 * Fraction (0..1) of pixels that differ clearly (any channel by more than `threshold`) between two
 * equally sized RGB frames: encoder noise stays under the threshold, drawn text does not.
 */
export function changedPixels(a: Buffer, b: Buffer, threshold = 48): number {
  if (a.length !== b.length || a.length === 0) throw new Error('frames differ in size');
  let changed = 0;
  for (let i = 0; i < a.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      if (Math.abs((a[i + c] as number) - (b[i + c] as number)) > threshold) {
        changed++;
        break;
      }
    }
  }
  return changed / (a.length / 3);
}

/** The average colour (RGB) of the top-left 64x64 corner (no captions there) of the frame at `seconds`. */
export async function cornerColour(path: string, seconds: number): Promise<[number, number, number]> {
  const { stdout } = await run(
    'ffmpeg',
    [
      ...['-v', 'error', '-ss', seconds.toFixed(3), '-i', path, '-frames:v', '1'],
      ...['-vf', 'crop=64:64:0:0,scale=1:1:flags=area', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    ],
    { encoding: 'buffer' },
  );
  const bytes = stdout as unknown as Buffer;
  return [bytes[0] ?? 0, bytes[1] ?? 0, bytes[2] ?? 0];
}
