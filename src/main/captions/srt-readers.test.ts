/**
 * The SRT file read by readers other than ours. No SRT package is installed (and none may be), so the
 * independent reader here is a line-by-line transcription of MoviePy's `file_to_subtitles`
 * (moviepy/video/tools/subtitles.py): a line holding times starts a cue, text lines are gathered, and
 * the cue is kept only when a BLANK line follows it — a file whose last cue is not followed by a blank
 * line loses that cue there. ffmpeg's SRT demuxer is used as a second, lenient reader: it keeps such a
 * cue, so it cannot tell the difference, but it shows the file is well formed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSrt } from './srt.ts';
import type { CaptionCue } from './types.ts';

interface ReadCue {
  times: number[];
  text: string;
}

const TIME = /([0-9]*:[0-9]*:[0-9]*,[0-9]*)/g;

function toSeconds(time: string): number {
  const [h, m, rest] = time.split(':') as [string, string, string];
  return Number(h) * 3600 + Number(m) * 60 + Number(rest.replace(',', '.'));
}

/** MoviePy's reader, as it is: Python's `for line in file` keeps each line's newline. */
function moviePyRead(content: string): ReadCue[] {
  const cues: ReadCue[] = [];
  let times: number[] | null = null;
  let text = '';
  for (const line of content.split(/(?<=\n)/)) {
    const found = line.match(TIME);
    if (found) times = found.map(toSeconds);
    else if (line.trim() === '') {
      cues.push({ times: times ?? [], text: text.replace(/^\n+|\n+$/g, '') });
      times = null;
      text = '';
    } else if (times) text += line;
  }
  return cues;
}

const cues: CaptionCue[] = [
  { index: 0, sceneIndex: 0, text: 'Hello there.', startMs: 0, endMs: 1200 },
  { index: 1, sceneIndex: 0, text: 'A second sentence.', startMs: 1200, endMs: 2500 },
  { index: 2, sceneIndex: 1, text: 'The last cue.', startMs: 2900, endMs: 4321 },
];

let dir: string;
let srtPath: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-srt-readers-'));
  srtPath = join(dir, 'captions.srt');
  await writeFile(srtPath, buildSrt(cues));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the SRT file in other readers', () => {
  it('gives MoviePy every cue, the last one included, with its times and text', async () => {
    const read = moviePyRead(await readFile(srtPath, 'utf8'));
    expect(read).toEqual(
      cues.map((cue) => ({ times: [cue.startMs / 1000, cue.endMs / 1000], text: cue.text })),
    );
  });

  it('ends with a blank line after the last cue', async () => {
    expect(await readFile(srtPath, 'utf8')).toMatch(/The last cue\.\n\n$/);
  });

  it('reads in ffmpeg as the same number of cues', () => {
    const ass = execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-i', srtPath, '-f', 'ass', '-'], {
      encoding: 'utf8',
    });
    const events = ass.split('\n').filter((line) => line.startsWith('Dialogue:'));
    expect(events).toHaveLength(cues.length);
    expect(events.at(-1)).toContain('The last cue.');
  });
});
