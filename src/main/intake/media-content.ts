/**
 * What a script's media hold, read before any job exists: a text file saved as pic.png, a clip with no
 * picture, or a range past a clip's end passed `vfo check` and failed the plan step after the whole
 * narration was spoken (paid for, with Azure). Each file is probed once and judged by the plan step's
 * own verdicts (pipeline/media-verdicts.ts); the plan step judges again as it copies them in.
 */

import type { FileHandle } from 'node:fs/promises';
import {
  clipFactsOf,
  hasVideoFrame,
  mixesToStereo,
  pictureSizeOf,
  probeMediaFacts,
} from '../ffmpeg/index.ts';
import type { MediaFacts } from '../ffmpeg/media-facts.ts';
import {
  clipFileProblem,
  clipRangeProblem,
  musicProblem,
  pictureProblem,
  UNREADABLE_CLIP,
  unmixableMusicProblem,
} from '../pipeline/media-verdicts.ts';
import { mediaRunLimit } from '../pipeline/plan-media.ts';
import {
  CLIP_MEDIA,
  IMAGE_MEDIA,
  type MediaKind,
  type MediaPlaces,
  MUSIC_MEDIA,
  openCheckedMedia,
  pathForChildOf,
} from '../script/index.ts';
import type { ClipRef, Diagnostic, MediaRef, MusicCue, ScriptDocument } from '../script/types.ts';
import { PICTURE_DECODE_BUDGET_BYTES, PNG_HEAD_BYTES, pngDecodeCost } from './png-cost.ts';
import { ProbeCache, type Probed } from './probe-cache.ts';

/** What a file holds, or why it was not probed at all (it would cost too much to). */

type Use = { ref: MediaRef; kind: MediaKind; judge: (facts: MediaFacts | null) => string | null };

/** Every problem a script's media have, at the first place each is named (unreadable ones are skipped). */
export async function mediaContentProblems(
  document: ScriptDocument,
  places: MediaPlaces,
  ffmpeg: { ffmpegPath: string; ffprobePath: string | null },
  cache?: ProbeCache,
): Promise<Omit<Diagnostic, 'file'>[]> {
  const uses = usesOf(document);
  const limit = mediaRunLimit();
  const probes = new Map<string, Promise<Probed | undefined>>();
  for (const { ref, kind } of uses)
    if (!probes.has(ref.path))
      probes.set(
        ref.path,
        limit(() => probeOpened(ref, places, kind, ffmpeg, cache)),
      );
  const problems: Omit<Diagnostic, 'file'>[] = [];
  const said = new Set<string>();
  for (const { ref, judge } of uses) {
    const facts = await probes.get(ref.path);
    // Not opened: the parse has reported it, or it is still to be sent with an upload.
    if (facts === undefined) continue;
    const message = facts && 'refused' in facts ? facts.refused : judge(facts);
    if (!message || said.has(message)) continue;
    said.add(message);
    problems.push({ line: ref.line, col: ref.col, severity: 'error', message });
  }
  return problems.sort((a, b) => a.line - b.line || a.col - b.col);
}

function usesOf(document: ScriptDocument): Use[] {
  const picture = (ref: MediaRef): Use => ({
    ref,
    kind: IMAGE_MEDIA,
    judge: (facts) => pictureProblem(ref.written, pictureSizeOf(facts)),
  });
  const clip = (ref: ClipRef): Use => ({
    ref,
    kind: CLIP_MEDIA,
    judge: (facts) => {
      const clipFacts = facts ? clipFactsOf(facts) : UNREADABLE_CLIP;
      return clipFileProblem(ref.written, clipFacts) ?? clipRangeProblem(ref, clipFacts);
    },
  });
  const music = (cue: MusicCue | undefined): Use[] =>
    cue?.kind === 'file'
      ? [
          {
            ref: cue.media,
            kind: MUSIC_MEDIA,
            judge: (facts) => (facts?.audio ? null : musicProblem(cue.media.written)),
          },
        ]
      : [];
  return [
    ...(document.thumbnail ? [picture(document.thumbnail)] : []),
    ...music(document.music),
    ...document.scenes.flatMap((scene) => [
      ...(scene.image ? [picture(scene.image)] : []),
      ...(scene.clip ? [clip(scene.clip)] : []),
      ...music(scene.music),
    ]),
  ];
}

/**
 * The facts of the file `ref` names, read through the handle its check opened (pathForChildOf). At
 * worst, on a Mac, a file swapped in that instant is described, never copied: the plan step opens and
 * checks it again. Undefined: not opened (refused, or not there yet).
 */
async function probeOpened(
  ref: MediaRef,
  places: MediaPlaces,
  kind: MediaKind,
  ffmpeg: { ffmpegPath: string; ffprobePath: string | null },
  cache?: ProbeCache,
): Promise<Probed | undefined> {
  const opened = await openCheckedMedia(ref, places, kind);
  if (!opened.ok) return undefined;
  try {
    if (!cache) return await probeOpenedFile(ref, opened, kind, ffmpeg);
    // The refusals name the medium as written: part of the key.
    const key = await ProbeCache.keyOf(opened.handle, `${kind.name}:${ref.written}`, JSON.stringify(ffmpeg));
    const known = cache.get(key);
    if (known !== undefined) return known;
    const probed = await probeOpenedFile(ref, opened, kind, ffmpeg);
    // An unreadable answer may be a probe that ran out of time on a busy Mac: asked again next time.
    if (probed !== null) cache.set(key, probed);
    return probed;
  } finally {
    await opened.handle.close();
  }
}

async function probeOpenedFile(
  ref: MediaRef,
  opened: { handle: FileHandle; path: string },
  kind: MediaKind,
  ffmpeg: { ffmpegPath: string; ffprobePath: string | null },
): Promise<Probed> {
  if (kind === IMAGE_MEDIA) {
    const head = Buffer.alloc(PNG_HEAD_BYTES);
    const { bytesRead } = await opened.handle.read(head, 0, PNG_HEAD_BYTES, 0);
    const cost = pngDecodeCost(head.subarray(0, bytesRead));
    if (cost && cost.bytes > PICTURE_DECODE_BUDGET_BYTES) return { refused: tooCostly(ref, cost) };
  }
  const path = await pathForChildOf(opened.handle.fd, opened.path);
  const facts = await probeMediaFacts(ffmpeg.ffprobePath, ffmpeg.ffmpegPath, path);
  // A header may describe video of which no frame decodes: found here, not after the narration.
  if (kind === CLIP_MEDIA && facts?.video && !(await hasVideoFrame(ffmpeg.ffmpegPath, path)))
    return { ...facts, video: null };
  // More than stereo: the mix must be able to make stereo of it (a layout says which channel is which).
  const channels = facts?.audio?.channels ?? null;
  if (kind === MUSIC_MEDIA && facts?.audio && (channels === null || channels > 2))
    if (!(await mixesToStereo(ffmpeg.ffmpegPath, path)))
      return { refused: unmixableMusicProblem(ref.written, channels) };
  return facts;
}

function tooCostly(ref: MediaRef, cost: { width: number; height: number; bitDepth: number; bytes: number }) {
  const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  return (
    `image "${ref.written}" would take ${gb(cost.bytes)} to decode (${cost.width}x${cost.height}, ` +
    `${cost.bitDepth} bits a channel); the limit is ${gb(PICTURE_DECODE_BUDGET_BYTES)}: save it smaller or with 8 bits a channel`
  );
}
