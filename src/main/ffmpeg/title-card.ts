/**
 * The title drawn by ffmpeg: over the opening of the video (the title card) and over the thumbnail.
 *
 * Drawn with drawtext, one filter a line, each line's words in a side file (`textfile=`, expansion off)
 * so no title can break or inject into the filter graph, and the bundled font handed over as a file
 * (`fontfile=`): nothing depends on the fonts of the Mac. drawtext rather than an ASS file through
 * libass (as captions are): the card is a few seconds of a fixed picture, drawn on a layer of its own
 * that ends with the card, so frames after it pass through untouched and cost nothing.
 *
 * Frame-exact in segments: the layer is made from frame 0 of the whole video (its fade counts those
 * frames) and a segment keeps only its own frames of it, so a segment draws exactly what the whole
 * encode draws at the same frames.
 */
import { join } from 'node:path';
import { frameAt } from '../../shared/frame-grid.ts';
import type { PlanTitleCard, TitleLook, TitleText } from '../../shared/title-card.ts';
import { TITLE_CARD_LIMITS } from '../../shared/title-card.ts';
import { openFont } from '../captions/font-file.ts';
import { type LineFit, wrapWords } from '../captions/wrap.ts';
import { createLogger } from '../log/logger.ts';
import { filterPath } from './filter-escape.ts';
import type { Size } from './motion-geometry.ts';
import { VIDEO_COLORS } from './video-colors.ts';

/**
 * Average advance of a character as a fraction of the font size, a little over the bundled bold faces'
 * (DejaVu Sans Bold ~0.6): the width of a line when its font cannot be read.
 */
const ADVANCE_EM = 0.64;
/** Lines keep to this fraction of the frame's width. */
const TEXT_WIDTH = 0.88;
const LINE_HEIGHT = 1.22;
/** Shrunk in these steps, at most down to this fraction of the look's size, before a title is cut. */
const SHRINK_STEP = 0.88;
const MIN_SHRINK = 0.5;

export interface TitleLine {
  text: string;
  sizePx: number;
  color: string;
  /** Top of the line's box, in pixels from the top of the frame. */
  y: number;
}

/** A side file the arguments refer to (written before ffmpeg runs). */
export interface TextFile {
  path: string;
  text: string;
}

const log = createLogger('TitleCard');

/** How wide a line of text is, in ems of its font. */
export type MeasureEm = (text: string) => number;

const measures = new Map<string, MeasureEm>();

/**
 * The line widths of the font at `fontPath`, read with fontkit (advances and kerning, as drawtext lays
 * the glyphs out): titles of wide capitals ("WWW…", 1.1 em a letter) were wrapped by an average of
 * 0.64 em and ran off the frame. The same font file (the plan's asset) measures the same on every Mac.
 * A font fontkit cannot read is measured by that average.
 */
export function measureFont(fontPath: string): MeasureEm {
  let measure = measures.get(fontPath);
  if (!measure) {
    try {
      const font = openFont(fontPath);
      measure = (text) => font.layout(text).advanceWidth / font.unitsPerEm;
    } catch (error) {
      log.warn('title widths are estimated: the font could not be measured', {
        font: fontPath,
        error: String(error),
      });
      measure = (text) => [...text].length * ADVANCE_EM;
    }
    measures.set(fontPath, measure);
  }
  return measure;
}

/** Lines and size for `text`: the look's size if it fits in `maxLines`, else smaller, else cut with "…". */
function fitText(text: string, sizePx: number, maxLines: number, width: number, measure: MeasureEm) {
  let size = sizePx;
  for (;;) {
    const fit: LineFit = { width: (line) => measure(line) * size, max: width * TEXT_WIDTH };
    const fits = (line: string) => fit.width(line) <= fit.max;
    const lines = wrapWords(text, fit);
    if (lines.length <= maxLines) return { lines, sizePx: size };
    if (size * SHRINK_STEP < sizePx * MIN_SHRINK) {
      const kept = lines.slice(0, maxLines);
      let last = [...(kept[maxLines - 1] as string)];
      while (last.length > 1 && !fits(`${last.join('')}…`)) last = last.slice(0, -1);
      kept[maxLines - 1] = `${last.join('')}…`;
      return { lines: kept, sizePx: size };
    }
    size *= SHRINK_STEP;
  }
}

/** Where each line of the title and subtitle goes on a frame of `size`: one block, centred. */
export function layoutTitle(text: TitleText, look: TitleLook, size: Size, measure: MeasureEm): TitleLine[] {
  const title = fitText(
    text.title,
    look.titleSize * size.height,
    TITLE_CARD_LIMITS.maxTitleLines,
    size.width,
    measure,
  );
  const subtitle = text.subtitle
    ? fitText(
        text.subtitle,
        look.subtitleSize * size.height,
        TITLE_CARD_LIMITS.maxSubtitleLines,
        size.width,
        measure,
      )
    : { lines: [], sizePx: 0 };
  const gap = subtitle.lines.length > 0 ? subtitle.sizePx * 0.6 : 0;
  const height =
    title.lines.length * title.sizePx * LINE_HEIGHT +
    gap +
    subtitle.lines.length * subtitle.sizePx * LINE_HEIGHT;
  let y = (size.height - height) / 2;
  const out: TitleLine[] = [];
  for (const line of title.lines) {
    out.push({ text: line, sizePx: Math.round(title.sizePx), color: look.titleColor, y: Math.round(y) });
    y += title.sizePx * LINE_HEIGHT;
  }
  y += gap;
  for (const line of subtitle.lines) {
    out.push({
      text: line,
      sizePx: Math.round(subtitle.sizePx),
      color: look.subtitleColor,
      y: Math.round(y),
    });
    y += subtitle.sizePx * LINE_HEIGHT;
  }
  return out;
}

/**
 * The drawtext filters (comma-joined) writing `lines`; each line's words go to a side file in `workDir`
 * named after `tag`, added to `files`.
 */
export function drawTitleFilters(
  lines: readonly TitleLine[],
  fontPath: string,
  workDir: string,
  tag: string,
  files: TextFile[],
): string {
  return lines
    .map((line, i) => {
      const path = join(workDir, `${tag}-line${i}.txt`);
      files.push({ path, text: line.text });
      return (
        `drawtext=fontfile=${filterPath(fontPath)}:textfile=${filterPath(path)}:expansion=none` +
        `:fontsize=${line.sizePx}:fontcolor=0x${line.color.slice(1)}:x=(w-text_w)/2:y=${line.y}`
      );
    })
    .join(',');
}

/**
 * A transparent layer dimmed by the look with the title on it, `frames` frames long at `fps` (rgba):
 * the source of both the card and the thumbnail's text.
 */
export function titleLayerSource(
  text: TitleText,
  look: TitleLook,
  fontPath: string,
  size: Size,
  fps: number,
  frames: number,
  place: { workDir: string; tag: string; files: TextFile[] },
): string {
  const draw = drawTitleFilters(
    layoutTitle(text, look, size, measureFont(fontPath)),
    fontPath,
    place.workDir,
    place.tag,
    place.files,
  );
  // A title of nothing but spaces lays out no line: the layer is the dimmed colour alone (a comma
  // with nothing after it broke the whole graph).
  return (
    `color=c=black@${look.dim}:s=${size.width}x${size.height}:r=${fps},format=rgba,` +
    `trim=end_frame=${frames}${draw ? `,${draw}` : ''}`
  );
}

export interface TitleCardInput {
  card: PlanTitleCard;
  fontPath: string;
  size: Size;
  fps: number;
  /** The frames this encode renders, as indices of the whole video. */
  span: { startFrame: number; frameCount: number };
  /** The label of the video the card goes over, and the label it comes out as. */
  video: string;
  out: string;
  workDir: string;
  files: TextFile[];
}

/** The statements laying the card over `video`; none when this encode starts after the card. */
export function titleCardStatements(input: TitleCardInput): string[] {
  const { card, fps, span } = input;
  const cardFrames = Math.max(1, frameAt(card.durationMs, fps));
  if (span.startFrame >= cardFrames) return [];
  const fadeFrames = Math.min(cardFrames, frameAt(card.fadeOutMs, fps));
  // The layer from the whole video's frame 0, so the fade lands on the same frames in every segment.
  const end = Math.min(cardFrames, span.startFrame + span.frameCount);
  const layer = titleLayerSource(card.text, card.look, input.fontPath, input.size, fps, end, {
    workDir: input.workDir,
    tag: 'title-card',
    files: input.files,
  });
  const fade =
    fadeFrames > 0
      ? `,fade=t=out:start_frame=${cardFrames - fadeFrames}:nb_frames=${fadeFrames}:alpha=1`
      : '';
  const own = span.startFrame > 0 ? `,trim=start_frame=${span.startFrame},setpts=PTS-STARTPTS` : '';
  return [
    // Into the video's colours here: overlay's own conversion to YUV would be BT.601.
    `${layer}${fade}${own},scale=${VIDEO_COLORS},format=yuva420p[tcard]`,
    // The layer ends with the card; after it the video passes through. Trimmed: never a frame more.
    `${input.video}[tcard]overlay=eof_action=pass:format=yuv420,trim=end_frame=${span.frameCount}${input.out}`,
  ];
}
