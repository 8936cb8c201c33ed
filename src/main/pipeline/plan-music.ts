/**
 * The music of a plan: which file plays when (music-spans.ts), each file copied in (a script's after
 * checking it again, a bundled bed rendered on first use) and measured, so that every span sits at
 * the video preset's level under the narration whatever the loudness of its master.
 */
import { basename, join } from 'node:path';
import type { MusicMix } from '../../shared/presets.ts';
import type { Music } from '../../shared/render-plan.ts';
import { bundledBedFile, type LoudnessFacts, measureFileLoudness, SILENCE_LUFS } from '../ffmpeg/index.ts';
import { type MediaPlaces, MUSIC_MEDIA } from '../script/index.ts';
import type { ScriptDocument } from '../script/types.ts';
import { musicProblem } from './media-verdicts.ts';
import { type MusicSource, musicChangesProblem, musicKey, musicSpans } from './music-spans.ts';
import type { PlanAssetList } from './plan-asset-list.ts';
import { copyCheckedMedia, type HashedMedia, locatedError, mediaRunLimit } from './plan-media.ts';

export interface PlanMusicInput {
  document: ScriptDocument;
  /** The recipe's bundled bed for scripts that name no music; null: none. */
  defaultBed: string | null;
  /** The video preset's mix; absent in jobs made before presets had one. */
  mix: MusicMix | undefined;
  sceneTimes: readonly ({ startMs: number; durationMs: number } | undefined)[];
  /** The id of the narration among the assets (it is measured: levels are relative to it). */
  narration: string;
  assets: PlanAssetList;
  places: MediaPlaces;
  /** What the step's hash was made of: a file copied must still be it. */
  hashed: HashedMedia;
  ffmpegPath: string;
  /** The rate the mix runs at: files are measured as it will hear them. */
  sampleRate: number;
  bedCacheDir: string;
  warn(message: string): void;
  /** The job's: a cancelled job kills the measurements instead of waiting for them. */
  signal?: AbortSignal;
}

/** Most a span's gain may lift a quiet master: past it, the file is near silence, not quiet. */
const MAX_MUSIC_GAIN_DB = 40;

export async function planMusic(input: PlanMusicInput): Promise<Music | undefined> {
  const { document, assets, mix } = input;
  const spans = musicSpans(document, input.defaultBed, input.sceneTimes);
  if (spans.length === 0) return undefined;
  if (!mix) {
    input.warn('the video preset has no music mix (made before presets had one): the music is left out');
    return undefined;
  }
  const tooMany = musicChangesProblem(spans);
  if (tooMany) throw locatedError(document, tooMany.at, tooMany.message);
  // A script may name up to maxMusicSpans files: measured a few at a time.
  const limit = mediaRunLimit();
  const measure = (path: string) =>
    limit(() =>
      measureFileLoudness(input.ffmpegPath, path, { asMixedAt: input.sampleRate, signal: input.signal }),
    );
  // Every file is in place first (copied and checked in order, so asset ids stay stable), then the
  // voice and the files are measured side by side: each measurement is one single-threaded ffmpeg run.
  const sources = new Map<string, { id: string; source: MusicSource }>();
  for (const span of spans) {
    const key = musicKey(span.source);
    if (sources.has(key)) continue;
    const id = `music-${sources.size}`;
    const source = span.source;
    if (source.kind === 'bed') {
      await assets.addExternal(
        id,
        await bundledBedFile(source.name, input.ffmpegPath, input.bedCacheDir),
        'audio',
      );
    } else {
      const copy = assets.workPath(id, source.media.written);
      await copyCheckedMedia(document, source.media, input.places, MUSIC_MEDIA, copy, input.hashed);
      await assets.record(id, copy, 'audio', basename(source.media.written));
    }
    sources.set(key, { id, source });
  }
  const measureSource = ({ id, source }: { id: string; source: MusicSource }) =>
    measure(assets.paths[id] as string).catch((error: unknown) => {
      if (source.kind === 'file') {
        throw locatedError(document, source.media, musicProblem(source.media.written));
      }
      throw error;
    });
  const [voice, levels] = await Promise.all([
    measure(assets.paths[input.narration] as string),
    Promise.all([...sources.values()].map(measureSource)),
  ]);
  const levelOf = new Map([...sources.keys()].map((key, i) => [key, levels[i]]));
  const planned: Music['spans'] = [];
  for (const span of spans) {
    const key = musicKey(span.source);
    const entry = sources.get(key);
    const level = levelOf.get(key);
    if (!entry || !level) continue; // every span's source was added above
    planned.push({
      asset: entry.id,
      startMs: span.startMs,
      durationMs: span.durationMs,
      gainDb: gainFor(voice, level, mix.levelDb),
    });
  }
  return {
    spans: planned,
    duckDb: mix.duckDb,
    attackMs: mix.attackMs,
    releaseMs: mix.releaseMs,
    fadeInMs: mix.fadeInMs,
    fadeOutMs: mix.fadeOutMs,
  };
}

/** The gain that puts a file `levelDb` from the voice's loudness. */
function gainFor(voice: LoudnessFacts, music: LoudnessFacts, levelDb: number): number {
  if (music.integratedLufs <= SILENCE_LUFS || voice.integratedLufs <= SILENCE_LUFS) return 0;
  const gain = voice.integratedLufs + levelDb - music.integratedLufs;
  return Math.round(Math.max(-MAX_MUSIC_GAIN_DB, Math.min(MAX_MUSIC_GAIN_DB, gain)) * 100) / 100;
}

export function bedCacheDir(dataDir: string): string {
  return join(dataDir, 'cache', 'beds');
}
