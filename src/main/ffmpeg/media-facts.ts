/** Reads stream facts out of ffprobe JSON or, without ffprobe, out of ffmpeg's input summary. */
import { z } from 'zod';

const videoStreamFactsSchema = z.object({
  codec: z.string(),
  width: z.number(),
  height: z.number(),
  durationMs: z.number().nullable(),
  pixelFormat: z.string().nullable(),
  frameRate: z.number().nullable(),
  /** Frames in the stream (MP4 sample count); null when the source cannot tell. */
  frames: z.number().nullable(),
  /** Codec profile and level (e.g. "High", 40): streams joined packet for packet must agree. */
  profile: z.string().nullable(),
  level: z.number().nullable(),
});

const audioStreamFactsSchema = z.object({
  codec: z.string(),
  durationMs: z.number().nullable(),
  sampleRate: z.number().nullable(),
  channels: z.number().nullable(),
});

/** What a medium holds; a schema too, for facts kept on disk (intake/probe-cache.ts). */
export const mediaFactsSchema = z.object({
  /** Container duration. */
  durationMs: z.number().nullable(),
  video: videoStreamFactsSchema.nullable(),
  audio: audioStreamFactsSchema.nullable(),
  /** Codec of the first subtitle track (soft captions), if any. */
  subtitles: z.string().nullable(),
  /** Where the facts came from: ffmpeg's summary has only the container duration, to 10 ms. */
  source: z.enum(['ffprobe', 'ffmpeg']),
});

export type VideoStreamFacts = z.infer<typeof videoStreamFactsSchema>;
export type AudioStreamFacts = z.infer<typeof audioStreamFactsSchema>;
export type MediaFacts = z.infer<typeof mediaFactsSchema>;

/**
 * ffprobe's `-show_entries` for exactly what parseFfprobeJson reads: a medium's tags (a 40 MB ID3 text
 * frame in a music bed) are not printed, which passed the output's cap and failed the check unplaced.
 */
export const PROBE_ENTRIES = [
  '-show_entries',
  'format=duration:stream=codec_type,codec_name,width,height,duration,pix_fmt,avg_frame_rate,nb_frames,profile,level,sample_rate,channels',
];

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  duration?: string;
  pix_fmt?: string;
  avg_frame_rate?: string;
  nb_frames?: string;
  profile?: string;
  level?: number;
  sample_rate?: string;
  channels?: number;
}

const secondsToMs = (value: string | undefined): number | null => {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) ? n * 1000 : null;
};

function rate(value: string | undefined): number | null {
  const [num, den] = (value ?? '').split('/').map(Number);
  return num && den ? num / den : null;
}

export function parseFfprobeJson(text: string): MediaFacts | null {
  let parsed: { streams?: ProbeStream[]; format?: { duration?: string } };
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const streams = parsed.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video');
  const a = streams.find((s) => s.codec_type === 'audio');
  const subtitles = streams.find((s) => s.codec_type === 'subtitle')?.codec_name ?? null;
  return {
    durationMs: secondsToMs(parsed.format?.duration),
    video: v
      ? {
          codec: v.codec_name ?? 'unknown',
          width: v.width ?? 0,
          height: v.height ?? 0,
          durationMs: secondsToMs(v.duration),
          pixelFormat: v.pix_fmt ?? null,
          frameRate: rate(v.avg_frame_rate),
          frames: v.nb_frames && /^\d+$/.test(v.nb_frames) ? Number(v.nb_frames) : null,
          profile: v.profile ?? null,
          level: typeof v.level === 'number' ? v.level : null,
        }
      : null,
    audio: a
      ? {
          codec: a.codec_name ?? 'unknown',
          durationMs: secondsToMs(a.duration),
          sampleRate: a.sample_rate ? Number(a.sample_rate) : null,
          channels: a.channels ?? null,
        }
      : null,
    subtitles,
    source: 'ffprobe',
  };
}

/** Parses `ffmpeg -i FILE` stderr ("Duration: 00:00:02.00, ...", "Stream #0:0...: Video: h264 ..."). */
export function parseFfmpegInfo(text: string): MediaFacts | null {
  if (!/^Input #0/m.test(text)) return null;
  const d = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(text);
  const durationMs = d ? (Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3])) * 1000 : null;
  const videoLine = /Stream #0:\d+.*?: Video: (.*)/.exec(text)?.[1];
  const audioLine = /Stream #0:\d+.*?: Audio: (.*)/.exec(text)?.[1];
  const subtitleLine = /Stream #0:\d+.*?: Subtitle: (.*)/.exec(text)?.[1];
  const size = videoLine ? /\b(\d{2,5})x(\d{2,5})\b/.exec(videoLine) : null;
  const fps = videoLine ? /([\d.]+) fps/.exec(videoLine) : null;
  const hz = audioLine ? /(\d+) Hz/.exec(audioLine) : null;
  return {
    durationMs,
    video: videoLine
      ? {
          codec: videoLine.split(/[\s,]/)[0] ?? 'unknown',
          width: Number(size?.[1] ?? 0),
          height: Number(size?.[2] ?? 0),
          durationMs,
          pixelFormat: /,\s*([a-z0-9_]+)(?:\(|,)/.exec(videoLine)?.[1] ?? null,
          frameRate: fps ? Number(fps[1]) : null,
          frames: null,
          profile: null,
          level: null,
        }
      : null,
    audio: audioLine
      ? {
          codec: audioLine.split(/[\s,]/)[0] ?? 'unknown',
          durationMs,
          sampleRate: hz ? Number(hz[1]) : null,
          channels: /\bstereo\b/.test(audioLine) ? 2 : /\bmono\b/.test(audioLine) ? 1 : null,
        }
      : null,
    subtitles: subtitleLine ? (subtitleLine.split(/[\s,]/)[0] ?? 'unknown') : null,
    source: 'ffmpeg',
  };
}
