/**
 * What a script's media hold, read before any job exists: a text file saved as pic.png, a clip with no
 * picture, or a range past a clip's end passed `vfo check` and failed the plan step after the whole
 * narration was spoken (paid for, with Azure). Each file is probed once and judged by the plan step's
 * own verdicts (pipeline/media-verdicts.ts); the plan step judges again as it copies them in.
 */
import { clipFactsOf, pictureSizeOf, probeMediaFacts } from '../ffmpeg/index.ts';
import type { MediaFacts } from '../ffmpeg/media-facts.ts';
import {
  clipFileProblem,
  clipRangeProblem,
  musicProblem,
  pictureProblem,
  UNREADABLE_CLIP,
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

type Use = { ref: MediaRef; kind: MediaKind; judge: (facts: MediaFacts | null) => string | null };

/** Every problem a script's media have, at the first place each is named (unreadable ones are skipped). */
export async function mediaContentProblems(
  document: ScriptDocument,
  places: MediaPlaces,
  ffmpeg: { ffmpegPath: string; ffprobePath: string | null },
): Promise<Omit<Diagnostic, 'file'>[]> {
  const uses = usesOf(document);
  const limit = mediaRunLimit();
  const probes = new Map<string, Promise<MediaFacts | null | undefined>>();
  for (const { ref, kind } of uses)
    if (!probes.has(ref.path))
      probes.set(
        ref.path,
        limit(() => probeOpened(ref, places, kind, ffmpeg)),
      );
  const problems: Omit<Diagnostic, 'file'>[] = [];
  const said = new Set<string>();
  for (const { ref, judge } of uses) {
    const facts = await probes.get(ref.path);
    // Not opened: the parse has reported it, or it is still to be sent with an upload.
    if (facts === undefined) continue;
    const message = judge(facts);
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
): Promise<MediaFacts | null | undefined> {
  const opened = await openCheckedMedia(ref, places, kind);
  if (!opened.ok) return undefined;
  try {
    const path = await pathForChildOf(opened.handle.fd, opened.path);
    return await probeMediaFacts(ffmpeg.ffprobePath, ffmpeg.ffmpegPath, path);
  } finally {
    await opened.handle.close();
  }
}
