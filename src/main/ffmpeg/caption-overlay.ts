/**
 * Burned-in captions, drawn once per caption state instead of once per frame.
 *
 * The subtitles filter blends libass's bitmaps into every frame (~2.4 ms a 1080p frame here, single
 * threaded). But captions only change where an event starts or ends: between two such moments every frame
 * shows the same pixels. So the ASS events' times are read (what the file says is left as it is), the
 * video is cut into runs of frames showing the same set of events, libass draws each run once, at the
 * run's first frame (the very time the subtitles filter would use), and overlay lays the result over the
 * run's frames (SIMD, slice-threaded).
 *
 * libass draws onto a canvas, not into a transparent layer, so each state is drawn twice, over black and
 * over white: over black the canvas holds the colour already multiplied by its coverage, and the
 * difference between the two gives the coverage itself (alpha = 255 - (white - black)). That is exact
 * for any number of layers (fill, outline, shadow), since compositing is linear.
 *
 * Events that change while they are on screen (karaoke \k, \t transforms, \move, \fad, scrolling effects)
 * cannot be drawn once; readAssTimeline() says so and the caller draws every frame with subtitles instead.
 */
import type { Size } from './motion-geometry.ts';

export interface AssEvent {
  startMs: number;
  endMs: number;
}

/** Override tags that change an event's look while it is on screen. */
const ANIMATED_TAG = /\{[^}]*\\(?:t\(|move\(|fade?\(|[kK][fo]?\d|K\d)/;

/** "H:MM:SS.cc" as libass reads it: centiseconds, to milliseconds. */
function assTimeMs(text: string): number | null {
  const match = /^\s*(\d+):(\d{1,2}):(\d{1,2})[.:](\d{1,2})\s*$/.exec(text);
  if (!match) return null;
  const [, h, m, s, cs] = match.map(Number) as [number, number, number, number, number];
  return ((h * 60 + m) * 60 + s) * 1000 + cs * 10;
}

export type AssTimeline = { kind: 'static'; events: AssEvent[] } | { kind: 'per-frame'; reason: string };

/** The Dialogue events' times, or why the captions must be drawn frame by frame. */
export function readAssTimeline(ass: string): AssTimeline {
  const lines = ass.split(/\r?\n/);
  const eventsAt = lines.findIndex((l) => l.trim().toLowerCase() === '[events]');
  if (eventsAt < 0) return { kind: 'per-frame', reason: 'no [Events] section' };
  let format: string[] | undefined;
  const events: AssEvent[] = [];
  for (const line of lines.slice(eventsAt + 1)) {
    if (/^\s*\[/.test(line)) break;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1);
    if (key === 'format') format = value.split(',').map((f) => f.trim().toLowerCase());
    if (key !== 'dialogue') continue;
    if (!format) return { kind: 'per-frame', reason: 'a Dialogue line before the Format line' };
    // The text is the last field and may hold commas.
    const fields = value.split(',');
    const head = fields.slice(0, format.length - 1);
    const text = fields.slice(format.length - 1).join(',');
    const field = (name: string) => head[format?.indexOf(name) ?? -1] ?? '';
    const startMs = assTimeMs(field('start'));
    const endMs = assTimeMs(field('end'));
    if (startMs === null || endMs === null)
      return { kind: 'per-frame', reason: `unreadable time in "${line}"` };
    if (field('effect').trim() !== '') return { kind: 'per-frame', reason: 'an event with an Effect' };
    if (ANIMATED_TAG.test(text)) return { kind: 'per-frame', reason: 'an animated override tag' };
    events.push({ startMs, endMs });
  }
  return { kind: 'static', events };
}

/** The time (ms) libass is asked to draw frame `n` at: the subtitles filter truncates pts * tb * 1000. */
export function frameTimeMs(n: number, fps: number): number {
  return Math.trunc(n * (1 / fps) * 1000);
}

/** The first frame drawn at or after `ms`. */
function firstFrameAt(ms: number, fps: number): number {
  let n = Math.max(0, Math.ceil((ms * fps) / 1000) - 1);
  while (frameTimeMs(n, fps) < ms) n++;
  return n;
}

/**
 * The frames in [from, from + count) where the set of events on screen changes (and `from` itself):
 * each starts a run of frames showing the same captions.
 */
export function captionStates(events: AssEvent[], fps: number, from: number, count: number): number[] {
  const end = from + count;
  const candidates = new Set<number>([from]);
  for (const e of events) {
    for (const ms of [e.startMs, e.endMs]) {
      const n = firstFrameAt(ms, fps);
      if (n > from && n < end) candidates.add(n);
    }
  }
  const shownAt = (n: number) => {
    const t = frameTimeMs(n, fps);
    return events
      .map((e, i) => (e.startMs <= t && t < e.endMs ? i : -1))
      .filter((i) => i >= 0)
      .join(',');
  };
  const states: number[] = [];
  let previous: string | undefined;
  for (const n of [...candidates].sort((a, b) => a - b)) {
    const shown = shownAt(n);
    if (shown !== previous) states.push(n);
    previous = shown;
  }
  return states;
}

/**
 * An expression true at frame numbers `frames` (ascending) only, for select. ffmpeg 5.1 refuses a sum
 * of more than 100 terms ("Cannot allocate memory": a video with 101 caption states failed every
 * encode, found by attacking the farm's controls), so the frames are split in halves by if(lt(n,..)),
 * which also evaluates in log(states) per frame, down to sums of at most LEAF_TERMS.
 */
export function framesAmong(frames: readonly number[]): string {
  if (frames.length <= LEAF_TERMS) return frames.map((n) => `eq(n\\,${n})`).join('+') || '0';
  const half = Math.ceil(frames.length / 2);
  const [low, high] = [frames.slice(0, half), frames.slice(half)];
  return `if(lt(n\\,${high[0]})\\,${framesAmong(low)}\\,${framesAmong(high)})`;
}

const LEAF_TERMS = 16;

/** overlay's name for the planar YUV format it blends into. */
function overlayFormat(pixelFormat: string): string {
  return pixelFormat === 'yuv420p' ? 'yuv420' : 'auto';
}

/** Where the captions ever draw: the layer is cropped to it, so overlay blends only that band. */
export interface CaptionBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface CaptionStates {
  /** The subtitles filter with its file and fonts. */
  subtitles: string;
  /** Frames (of the whole video) where the captions on screen change; the first is `from`. */
  states: number[];
  from: number;
  count: number;
  output: Size;
  fps: number;
}

/**
 * Draws each state over black and over white; labels [capb0] (and [capb1] when `keepBlack`) the black
 * drawings and [capa] the coverage (alpha) the two give. `crop` (a filter, or '') cuts both drawings to
 * the captions' box before the alpha is worked out: every step after libass is per pixel, so the result
 * is the same on a fraction of the pixels (the 29 states of a 63 s video: 0.87 → 0.60 CPU-s).
 */
function drawStates(c: CaptionStates, keepBlack: boolean, crop = ''): string[] {
  const size = `${c.output.width}x${c.output.height}`;
  // Frames are stamped with their index in the whole video, so libass draws them at the right time.
  const stamp = `settb=1/${c.fps},setpts=N${c.from > 0 ? `+${c.from}` : ''}`;
  const pick = framesAmong(c.states.map((n) => n - c.from));
  return [
    // nullsrc allocates frames without painting them; only the picked ones are painted, below.
    `nullsrc=s=${size}:r=${c.fps},trim=end_frame=${c.count},${stamp},select='${pick}',format=gbrp,split[capk][capw]`,
    `[capk]lut=c0=0:c1=0:c2=0,${c.subtitles}${crop}${keepBlack ? ',split[capb0][capb1]' : '[capb0]'}`,
    `[capw]lut=c0=255:c1=255:c2=255,${c.subtitles}${crop}[capw1]`,
    // gbrp's first plane is green: its coverage stands for all three.
    `[capb0][capw1]lut2=c0='255-(y-x)',extractplanes=g[capa]`,
  ];
}

/**
 * The box is measured on states drawn at 1/BOX_SCALE of the output size (libass scales the whole ASS,
 * borders and shadows too: the generated files say ScaledBorderAndShadow), a quarter of the pixels to
 * draw and compare: 0.77 → 0.36 CPU-s for the 29 states of a 63 s 1080p video. Scaled back up, the box
 * is widened by BOX_MARGIN output pixels on every side for what rasterizing at the smaller size moves
 * (measured: at most 2 px against the full-size box). A box larger than the captions changes no pixel
 * of the result: outside the captions the layer's alpha is 0.
 */
const BOX_SCALE = 2;
const BOX_MARGIN = 4;

/**
 * A short ffmpeg run that draws the states and reports where anything is drawn (bbox on the coverage):
 * its stderr goes to parseCaptionBox. Drawing twice costs far less than blending a whole-frame layer
 * into every frame (measured at 1080p: ~1.3 s of overlay for a 63 s video, against ~0.4 s for this).
 */
export function captionBoxArgs(c: CaptionStates): string[] {
  const output = measuringSize(c.output);
  const graph = [...drawStates({ ...c, output }, false), '[capa]bbox=min_val=1[box]'].join(';');
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'info',
    '-filter_complex',
    graph,
    '-map',
    '[box]',
    '-f',
    'null',
    '-',
  ];
}

/** The size the states are drawn at to measure the box of captions drawn at `output`. */
function measuringSize(output: Size): Size {
  const even = (value: number) => Math.max(2, Math.round(value / BOX_SCALE / 2) * 2);
  return { width: even(output.width), height: even(output.height) };
}

/**
 * The union of the boxes bbox printed (on states drawn by captionBoxArgs), in `output` pixels, widened
 * by BOX_MARGIN, on even pixels (4:2:0); null when nothing is ever drawn.
 */
export function parseCaptionBox(stderr: string, output: Size): CaptionBox | null {
  let x1 = Number.POSITIVE_INFINITY;
  let y1 = Number.POSITIVE_INFINITY;
  let x2 = -1;
  let y2 = -1;
  for (const m of stderr.matchAll(/x1:(\d+) x2:(\d+) y1:(\d+) y2:(\d+)/g)) {
    const [, a, b, c, d] = m.map(Number) as [number, number, number, number, number];
    x1 = Math.min(x1, a);
    x2 = Math.max(x2, b);
    y1 = Math.min(y1, c);
    y2 = Math.max(y2, d);
  }
  if (x2 < 0) return null;
  const measured = measuringSize(output);
  const sx = output.width / measured.width;
  const sy = output.height / measured.height;
  const left = Math.max(0, Math.floor((x1 * sx - BOX_MARGIN) / 2) * 2);
  const top = Math.max(0, Math.floor((y1 * sy - BOX_MARGIN) / 2) * 2);
  const right = Math.min(output.width, Math.ceil(((x2 + 1) * sx + BOX_MARGIN) / 2) * 2);
  const bottom = Math.min(output.height, Math.ceil(((y2 + 1) * sy + BOX_MARGIN) / 2) * 2);
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/**
 * Statements that lay the captions over `[video]` (frames `from`..`from + count` of the whole video, any
 * time base) and label the result `[out]`. With a `box` the layer is cropped to it before it is
 * converted and blended; without one the whole frame is blended.
 */
export function captionOverlayStatements(
  c: CaptionStates & { video: string; out: string; pixelFormat: string; box?: CaptionBox },
): string[] {
  const { video, out, box, fps, from } = c;
  const crop = box ? `,crop=${box.width}:${box.height}:${box.x}:${box.y}` : '';
  const at = box ? `x=${box.x}:y=${box.y}:` : '';
  return [
    ...drawStates(c, true, crop),
    `[capb1][capa]alphamerge,format=gbrap,unpremultiply=inplace=1[caps]`,
    `${video}settb=1/${fps},setpts=PTS${from > 0 ? `+${from}` : ''}[capv]`,
    `[capv][caps]overlay=${at}format=${overlayFormat(c.pixelFormat)}:eof_action=repeat,setpts=PTS-STARTPTS${out}`,
  ];
}
