import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSrt, formatSrtTime } from './srt.ts';
import type { CaptionCue } from './types.ts';

const cue = (index: number, text: string, startMs: number, endMs: number): CaptionCue => ({
  index,
  sceneIndex: 0,
  text,
  startMs,
  endMs,
});
const withoutWordJoiners = (text: string) => text.replaceAll('\u2060', '');

describe('buildSrt', () => {
  it('formats times as HH:MM:SS,mmm', () => {
    expect(formatSrtTime(0)).toBe('00:00:00,000');
    expect(formatSrtTime(3_723_004)).toBe('01:02:03,004');
    expect(formatSrtTime(59_999.6)).toBe('00:01:00,000');
  });

  it('numbers entries from 1, keeps each cue on one line, and skips cues with nothing to show', () => {
    const srt = buildSrt([
      cue(0, 'First\n\nline', 0, 1500),
      cue(1, '   ', 1500, 2000),
      cue(2, 'Second', 2000, 2000),
      cue(3, 'Third', 2100, 4321),
    ]);
    expect(srt).toBe(
      '1\n00:00:00,000 --> 00:00:01,500\nFirst line\n\n2\n00:00:02,100 --> 00:00:04,321\nThird\n\n',
    );
  });

  it('keeps markup-like script text visible as written', async () => {
    const text = '{\\b1}Tom & <Jerry> <b>not bold</b> C:\\New';
    const srt = buildSrt([cue(0, text, 0, 1000)]);
    expect(withoutWordJoiners(srt.split('\n')[2] ?? '')).toBe(text);
    // ffmpeg's SRT decoder drops unknown tags like <Jerry>, turns <b> into bold and "\N" into a break.
    const dir = await mkdtemp(join(tmpdir(), 'vf-srt-'));
    try {
      await writeFile(join(dir, 'in.srt'), srt);
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-nostdin',
        '-y',
        '-i',
        join(dir, 'in.srt'),
        join(dir, 'out.ass'),
      ]);
      const event =
        (await readFile(join(dir, 'out.ass'), 'utf8')).split('\n').find((l) => l.startsWith('Dialogue:')) ??
        '';
      const shown = withoutWordJoiners(event);
      expect(shown).toContain('Tom & <Jerry> <b>not bold</b> C:\\New');
      expect(shown).not.toContain('\\b1}not');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
