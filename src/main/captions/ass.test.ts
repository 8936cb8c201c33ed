import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaptionLook } from '../../shared/caption-styles.ts';
import { CAPTION_FONTS } from '../../shared/caption-styles.ts';
import { SEED_CAPTION_STYLES } from '../db/seed-data.ts';
import { resourcesDir } from '../paths.ts';
import { buildAss, escapeAssText, formatAssTime } from './ass.ts';
import { assLineWidth } from './font-file.ts';
import type { CaptionCue, TimedWord } from './types.ts';

const cue = (index: number, text: string, startMs: number, endMs: number): CaptionCue => ({
  index,
  sceneIndex: 0,
  text,
  startMs,
  endMs,
});
const seeded = (slug: string) => SEED_CAPTION_STYLES.find((style) => style.slug === slug) as CaptionLook;
const CLEAN = seeded('clean');
const BOLD = seeded('bold-highlight');
const canvas = { width: 1920, height: 1080 };
const dialogues = (ass: string) => ass.split('\n').filter((line) => line.startsWith('Dialogue: '));
const eventText = (line: string) => line.split(',').slice(9).join(',');
const styleFields = (ass: string) =>
  (ass.split('\n').find((l) => l.startsWith('Style: ')) ?? '').slice(7).split(',');
const unescapeAss = (text: string) =>
  text.replaceAll('\u2060', '').replaceAll('\\{', '{').replaceAll('\\}', '}');
/** Words every 300 ms, one per written word of `text`, from `startMs`. */
const wordsOf = (text: string, cueIndex: number, startMs: number): TimedWord[] =>
  text.split(' ').map((word, i) => ({
    text: word,
    startMs: startMs + i * 300,
    endMs: startMs + i * 300 + 250,
    cueIndex,
  }));

/** A grey frame with `ass` drawn on it by libass through ffmpeg, at `seconds`, as gray bytes. */
async function assFrame(
  ass: string,
  dir: string,
  frame = { width: 320, height: 180 },
  seconds = 0,
  fonts?: string,
): Promise<Buffer> {
  const path = join(dir, 'captions.ass');
  await writeFile(path, ass);
  const background = `color=c=0x808080:s=${frame.width}x${frame.height}:d=${seconds + 1}`;
  return execFileSync('ffmpeg', [
    ...['-v', 'error', '-nostdin', '-f', 'lavfi', '-i', background],
    ...['-vf', `ass=${path}${fonts ? `:fontsdir=${fonts}` : ''}`, '-ss', String(seconds), '-frames:v', '1'],
    ...['-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
  ]);
}

/** Pixels of a 320x180 frame, rendered by libass through ffmpeg, that differ from the grey background. */
async function drawnPixels(ass: string, dir: string): Promise<number> {
  return (await assFrame(ass, dir)).filter((value) => Math.abs(value - 128) > 40).length;
}

/** The columns ink reaches on the frame at `seconds`, and how many bands of rows hold ink (lines). */
async function inkBox(
  ass: string,
  dir: string,
  frame: { width: number; height: number },
  fonts: string,
  seconds: number,
) {
  const pixels = await assFrame(ass, dir, frame, seconds, fonts);
  const inked = (x: number, y: number) => Math.abs((pixels[y * frame.width + x] ?? 128) - 128) > 40;
  let left = frame.width;
  let right = -1;
  let lines = 0;
  let inLine = false;
  for (let y = 0; y < frame.height; y++) {
    let row = false;
    for (let x = 0; x < frame.width; x++) {
      if (!inked(x, y)) continue;
      row = true;
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
    if (row && !inLine) lines++;
    inLine = row;
  }
  return { left, right, lines };
}

describe('buildAss', () => {
  it('formats times as H:MM:SS.cc', () => {
    expect(formatAssTime(0)).toBe('0:00:00.00');
    expect(formatAssTime(3_723_456)).toBe('1:02:03.46');
    expect(formatAssTime(59_996)).toBe('0:01:00.00');
  });

  it('makes the style line from the caption style, scaled from 1080 to the video’s shorter side', () => {
    const look: CaptionLook = {
      ...CLEAN,
      size: 60,
      outline: 4,
      shadow: 1.5,
      textColour: '#FFEEDD',
      outlineColour: '#102030',
      shadowColour: '#00000040',
      position: 'top',
      margin: 10,
    };
    const portrait = styleFields(buildAss([], { width: 1080, height: 1920, look }));
    expect(portrait.slice(0, 7)).toEqual([
      'Default',
      'DejaVu Sans',
      '60',
      '&H00DDEEFF', // ASS colours are &HAABBGGRR, alpha 00 = opaque
      '&H000000FF',
      '&H00302010',
      '&HBF000000', // opacity 0x40 → transparency 0xBF
    ]);
    expect(portrait.slice(15, 22)).toEqual(['1', '4', '1.5', '8', '54', '54', '192']); // top centre, 10 % of 1920
    // A 640x360 preview: a third of everything.
    const preview = styleFields(buildAss([], { width: 640, height: 360, look }));
    expect([preview[2], preview[16], preview[17], preview[21]]).toEqual(['20', '1.33', '0.5', '36']);
    const middle = styleFields(buildAss([], { ...canvas, look: { ...look, position: 'middle' } }));
    expect(middle[18]).toBe('5');
    const condensed = styleFields(buildAss([], { ...canvas, look: BOLD }));
    expect(condensed.slice(1, 3)).toEqual(['DejaVu Sans Condensed', '72']);
  });

  it('writes exactly the captions of before styles with "clean" at 1080p', async () => {
    const { readFile } = await import('node:fs/promises');
    const before = await readFile(join(import.meta.dirname, 'fixtures', 'before-styles-1080p.ass'), 'utf8');
    const ass = buildAss(
      [
        cue(0, 'Bees talk with their bodies, and every dance says where the flowers are today.', 0, 4000),
        cue(1, 'Short line.', 4200, 5200),
      ],
      { ...canvas, look: CLEAN },
    );
    expect(ass).toBe(before);
  });

  it('escapes text so braces and backslashes never become override tags', () => {
    const text = '{\\b1}Tom & <Jerry> C:\\New {x}';
    const escaped = escapeAssText(text);
    expect(escaped).not.toMatch(/(^|[^\\])[{}]/);
    expect(escaped).not.toMatch(/\\[Nnh]/);
    expect(unescapeAss(escaped)).toBe(text);
    const ass = buildAss([cue(0, text, 0, 900)], { ...canvas, look: CLEAN });
    expect(unescapeAss(eventText(dialogues(ass)[0] ?? ''))).toBe(text);
  });

  it('shows override-looking text through libass instead of obeying it, highlighted or not', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vf-ass-'));
    try {
      const small = { width: 320, height: 180 };
      const text = '{\\alpha&HFF&\\bord0\\shad0}VISIBLE';
      // Obeyed, {\alpha&HFF&} would make the text fully transparent: nothing would be drawn.
      const ass = buildAss([cue(0, text, 0, 1000)], { ...small, look: CLEAN });
      expect(await drawnPixels(ass, dir)).toBeGreaterThan(50);
      const obeyed = ass.replace(/,,\\\{.*$/m, ',,{\\alpha&HFF&\\bord0\\shad0}VISIBLE');
      expect(await drawnPixels(obeyed, dir)).toBe(0);
      const lit = buildAss([cue(0, text, 0, 1000)], {
        ...small,
        look: BOLD,
        words: [{ text: 'VISIBLE', startMs: 0, endMs: 900, cueIndex: 0 }],
      });
      // The brace stays escaped inside a lit word.
      expect(dialogues(lit)[0]).toContain('{\\1c&H00D4FF&\\1a&H00&}\\{\\\u2060ALPHA&HFF&');
      expect(await drawnPixels(lit, dir)).toBeGreaterThan(50);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Found by attacking the captions: 42 "W" were counted as a line of 42 average characters and ran off
  // both edges of the frame; a line of wide words was wrapped again by libass, to three lines of two.
  it('keeps lines of wide letters inside the margins, in the style’s lines, as libass draws them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vf-ass-'));
    try {
      const frame = { width: 640, height: 360 };
      const fonts = join(resourcesDir(), 'fonts');
      const text = `${'W'.repeat(42)} OMBUDSMAN WOMENSWEAR MAKEOVER SHOWROOM TODAY`;
      for (const look of [CLEAN, BOLD]) {
        const file = CAPTION_FONTS[look.font].file;
        const ass = buildAss([cue(0, text, 0, 60_000)], {
          ...frame,
          look,
          lineWidth: assLineWidth(join(fonts, file)),
        });
        const events = dialogues(ass);
        expect(events.length).toBeGreaterThan(1);
        for (const [i, event] of events.entries()) {
          const start = Number((event.split(',')[1] as string).split(':')[2]) + 0.01;
          const ink = await inkBox(ass, dir, frame, fonts, start);
          // marginH is 5 % of the width (32 px); the outline may reach a pixel past it.
          expect(ink.left, `${look.font} event ${i}`).toBeGreaterThanOrEqual(31);
          expect(ink.right, `${look.font} event ${i}`).toBeLessThanOrEqual(frame.width - 31);
          expect(ink.lines, `${look.font} event ${i}`).toBeLessThanOrEqual(look.maxLines);
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('wraps long text to at most the style’s lines per page, splitting the time across pages', () => {
    const long =
      'This is a much longer sentence that will certainly need wrapping onto two lines, and maybe even more than two lines of text.';
    // Portrait: 56 px text, (1080 - 2 × 54 margin) / (56 × 0.55) → lines of at most 31 characters.
    const narrow = { width: 1080, height: 1920 };
    for (const maxLines of [1, 2, 3]) {
      const events = dialogues(
        buildAss([cue(0, 'Short one', 0, 1000), cue(1, long, 1500, 9000)], {
          ...narrow,
          look: { ...CLEAN, maxLines },
        }),
      );
      const pages = events.slice(1).map((line) => eventText(line).split('\\N'));
      expect(pages.length).toBeGreaterThan(1);
      for (const lines of pages) {
        expect(lines.length).toBeLessThanOrEqual(maxLines);
        for (const line of lines) expect(line.length).toBeLessThanOrEqual(31);
      }
      expect(pages.some((lines) => lines.length === maxLines)).toBe(true);
      expect(pages.flat().join(' ')).toBe(long);
      const times = events.slice(1).map((line) => line.split(',').slice(1, 3));
      expect(times[0]?.[0]).toBe('0:00:01.50');
      for (let i = 1; i < times.length; i++) expect(times[i]?.[0]).toBe(times[i - 1]?.[1]);
      expect(times.at(-1)?.[1]).toBe('0:00:09.00');
    }
  });

  it('turns pages as their first word is spoken when word timings are known', () => {
    const long = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen';
    const words = wordsOf(long, 0, 1000);
    const events = dialogues(
      buildAss([cue(0, long, 1000, 6000)], {
        width: 400,
        height: 1080,
        look: { ...CLEAN, maxLines: 1 },
        words,
      }),
    );
    const pages = events.map((line) => ({ start: line.split(',')[1], text: eventText(line) }));
    expect(pages.length).toBeGreaterThan(2);
    for (const page of pages.slice(1)) {
      const first = page.text.split(' ')[0];
      const word = words.find((w) => w.text === first) as TimedWord;
      expect(page.start).toBe(formatAssTime(word.startMs));
    }
  });

  // Found by attacking the captions: a page holding the start of a word too long for a line began when
  // the next page did (both when the word did), so it was shown for no frame and never seen.
  it('shows each part of a word cut across pages for its share of the word’s time', () => {
    const long = `Visit ${'abcdefghij'.repeat(8)} today.`;
    const words: TimedWord[] = [
      { text: 'Visit', startMs: 0, endMs: 400, cueIndex: 0 },
      { text: 'abcdefghij'.repeat(8), startMs: 400, endMs: 4400, cueIndex: 0 },
      { text: 'today.', startMs: 4400, endMs: 5000, cueIndex: 0 },
    ];
    for (const look of [CLEAN, { ...BOLD, textCase: 'as-written' as const }]) {
      const events = dialogues(
        buildAss([cue(0, long, 0, 5000)], {
          width: 400,
          height: 1080,
          look: { ...look, maxLines: 1 },
          words,
        }),
      );
      const shown = events.map((line) => ({
        start: line.split(',')[1] as string,
        end: line.split(',')[2] as string,
        text: eventText(line).replaceAll(/\{[^}]*\}/g, ''),
      }));
      const pages = [...new Set(shown.map((event) => event.text))];
      expect(pages.length).toBeGreaterThan(3);
      expect(pages.join('').replaceAll(' ', '')).toBe(long.replaceAll(' ', ''));
      const centiseconds = (time: string) =>
        Math.round(Number(time.split(':').at(-1)) * 100 + Number(time.split(':')[1]) * 6000);
      for (const page of pages) {
        const onScreen = shown
          .filter((e) => e.text === page)
          .reduce((sum, e) => sum + centiseconds(e.end) - centiseconds(e.start), 0);
        // Two frames at 25 fps at least: the 80 letters take 4 s.
        expect(onScreen, page).toBeGreaterThanOrEqual(8);
      }
    }
  });

  it('puts text in the style’s case', () => {
    const text = 'Über café, straße';
    const upper = eventText(dialogues(buildAss([cue(0, text, 0, 900)], { ...canvas, look: BOLD }))[0] ?? '');
    expect(upper.replaceAll(/\{[^}]*\}/g, '')).toBe('ÜBER CAFÉ, STRASSE');
    const lower = buildAss([cue(0, text, 0, 900)], { ...canvas, look: { ...CLEAN, textCase: 'lower' } });
    expect(eventText(dialogues(lower)[0] ?? '')).toBe('über café, straße');
  });

  it('lights the spoken word (or the words so far) in back-to-back events, one per word', () => {
    const text = 'Bees talk with bodies.';
    const words = wordsOf(text, 0, 200);
    const ass = buildAss([cue(0, text, 0, 1500)], { ...canvas, look: BOLD, words });
    const events = dialogues(ass);
    const lit = (line: string) => [...eventText(line).matchAll(/\{\\1c&H00D4FF&\\1a&H00&\}([^{]*)\{\\r\}/g)];
    expect(events.map((line) => line.split(',').slice(1, 3).join('-'))).toEqual([
      '0:00:00.00-0:00:00.20',
      '0:00:00.20-0:00:00.50',
      '0:00:00.50-0:00:00.80',
      '0:00:00.80-0:00:01.10',
      '0:00:01.10-0:00:01.50',
    ]);
    expect(events.map((line) => lit(line).map((m) => m[1]))).toEqual([
      [],
      ['BEES'],
      ['TALK'],
      ['WITH'],
      ['BODIES.'],
    ]);
    for (const line of events)
      expect(eventText(line).replaceAll(/\{[^}]*\}/g, '')).toBe('BEES TALK WITH BODIES.');
    const karaoke = dialogues(
      buildAss([cue(0, text, 0, 1500)], {
        ...canvas,
        look: { ...BOLD, wordHighlight: 'spoken-words' },
        words,
      }),
    );
    expect(karaoke.map((line) => lit(line).length)).toEqual([0, 1, 2, 3, 4]);
    // Without word timings a highlighting style still shows its captions, unlit.
    expect(dialogues(buildAss([cue(0, text, 0, 1500)], { ...canvas, look: BOLD }))).toEqual([
      'Dialogue: 0,0:00:00.00,0:00:01.50,Default,,0,0,0,,BEES TALK WITH BODIES.',
    ]);
  });

  // Found by an output review: a lit word split libass's bidirectional runs, and Arabic words swapped
  // sides as the highlight moved.
  it('shows a page of right-to-left text unlit, and lights the pages around it', () => {
    const cues = [cue(0, 'Hello there', 0, 1000), cue(1, 'مرحبا بالعالم', 1000, 2000)];
    const words = [...wordsOf('Hello there', 0, 0), ...wordsOf('مرحبا بالعالم', 1, 1000)];
    const events = dialogues(buildAss(cues, { ...canvas, look: BOLD, words }));
    const arabic = events.filter((line) => eventText(line).includes('مرحبا'));
    expect(arabic.length).toBeGreaterThan(0);
    for (const line of arabic) expect(eventText(line)).toBe('مرحبا بالعالم');
    expect(events.some((line) => /\{\\1c&H00D4FF&/.test(eventText(line)))).toBe(true);
  });

  it('rejects a canvas that would corrupt the file', () => {
    expect(() => buildAss([], { width: 0, height: 1080, look: CLEAN })).toThrow(
      /width must be a positive whole number/,
    );
    expect(() => buildAss([], { ...canvas, look: { ...CLEAN, textColour: 'white' } })).toThrow(
      expect.objectContaining({ kind: 'invalid-style' }),
    );
  });
});
