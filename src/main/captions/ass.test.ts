import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAss, escapeAssText, formatAssTime } from './ass.ts';
import type { CaptionCue } from './types.ts';

const cue = (index: number, text: string, startMs: number, endMs: number): CaptionCue => ({
  index,
  sceneIndex: 0,
  text,
  startMs,
  endMs,
});
const style = { width: 1280, height: 720, fontName: 'DejaVu Sans' };
const dialogues = (ass: string) => ass.split('\n').filter((line) => line.startsWith('Dialogue: '));
const eventText = (line: string) => line.split(',').slice(9).join(',');
const unescapeAss = (text: string) =>
  text.replaceAll('\u2060', '').replaceAll('\\{', '{').replaceAll('\\}', '}');

/** Pixels of a 320x180 frame, rendered by libass through ffmpeg, that differ from the grey background. */
function drawnPixels(ass: string, dir: string): Promise<number> {
  const path = join(dir, 'captions.ass');
  return writeFile(path, ass).then(() => {
    const frame = execFileSync('ffmpeg', [
      ...['-v', 'error', '-nostdin', '-f', 'lavfi', '-i', 'color=c=0x808080:s=320x180:d=1'],
      ...['-vf', `ass=${path}`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
    ]);
    return frame.filter((value) => Math.abs(value - 128) > 40).length;
  });
}

describe('buildAss', () => {
  it('formats times as H:MM:SS.cc', () => {
    expect(formatAssTime(0)).toBe('0:00:00.00');
    expect(formatAssTime(3_723_456)).toBe('1:02:03.46');
    expect(formatAssTime(59_996)).toBe('0:01:00.00');
  });

  it('sizes the canvas to the video and defines one bottom-centred outlined style', () => {
    const ass = buildAss([cue(0, 'Hello', 0, 1000)], { ...style, fontSize: 40, marginV: 30 });
    expect(ass).toContain('PlayResX: 1280\nPlayResY: 720\n');
    const fields = (ass.split('\n').find((l) => l.startsWith('Style: ')) ?? '').slice(7).split(',');
    expect(fields.slice(0, 3)).toEqual(['Default', 'DejaVu Sans', '40']);
    expect(fields.slice(15, 19)).toEqual(['1', '2', '1', '2']); // outline + shadow, sizes, bottom centre
    expect(fields[21]).toBe('30');
    expect(dialogues(ass)).toEqual(['Dialogue: 0,0:00:00.00,0:00:01.00,Default,,0,0,0,,Hello']);
  });

  it('escapes text so braces and backslashes never become override tags', () => {
    const text = '{\\b1}Tom & <Jerry> C:\\New {x}';
    const escaped = escapeAssText(text);
    expect(escaped).not.toMatch(/(^|[^\\])[{}]/);
    expect(escaped).not.toMatch(/\\[Nnh]/);
    expect(unescapeAss(escaped)).toBe(text);
    expect(unescapeAss(eventText(dialogues(buildAss([cue(0, text, 0, 900)], style))[0] ?? ''))).toBe(text);
  });

  it('shows override-looking text through libass instead of obeying it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vf-ass-'));
    try {
      const small = { width: 320, height: 180, fontName: 'DejaVu Sans', fontSize: 20 };
      // Obeyed, {\alpha&HFF&} would make the text fully transparent: nothing would be drawn.
      const ass = buildAss([cue(0, '{\\alpha&HFF&\\bord0\\shad0}VISIBLE', 0, 1000)], small);
      expect(await drawnPixels(ass, dir)).toBeGreaterThan(50);
      const obeyed = ass.replace(/,,\\\{.*$/m, ',,{\\alpha&HFF&\\bord0\\shad0}VISIBLE');
      expect(await drawnPixels(obeyed, dir)).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('wraps long text to at most two balanced lines per page, splitting the time across pages', () => {
    const long =
      'This is a much longer sentence that will certainly need wrapping onto two lines, and maybe even more than two lines of text.';
    const events = dialogues(
      buildAss([cue(0, 'Short one', 0, 1000), cue(1, long, 1500, 9000)], { ...style, maxCharsPerLine: 40 }),
    );
    expect(events).toHaveLength(3);
    const pages = events.slice(1).map((line) => eventText(line).split('\\N'));
    for (const lines of pages) {
      expect(lines.length).toBeLessThanOrEqual(2);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
    }
    expect(pages.flat().join(' ')).toBe(long);
    const times = events.slice(1).map((line) => line.split(',').slice(1, 3));
    expect(times[0]?.[0]).toBe('0:00:01.50');
    expect(times[0]?.[1]).toBe(times[1]?.[0]);
    expect(times[1]?.[1]).toBe('0:00:09.00');
  });

  it('rejects a style that would corrupt the file', () => {
    expect(() => buildAss([], { ...style, fontName: 'Arial, Bold' })).toThrow(
      expect.objectContaining({ kind: 'invalid-style' }),
    );
    expect(() => buildAss([], { ...style, width: 0 })).toThrow(/width must be a positive whole number/);
  });
});
