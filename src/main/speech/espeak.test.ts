import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpeechError } from './errors.ts';
import { createEspeakSynthesizer, espeakArguments, parseEspeakVersion } from './espeak.ts';
import { espeakVoiceChecker, parseEspeakVoiceTable, voicesFromTable } from './espeak-voices.ts';
import { readWavHeader, wavDurationMs } from './wav.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vf-espeak-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const espeak = createEspeakSynthesizer();

async function spokenMs(text: string, extra: { rate?: string } = {}): Promise<number> {
  const out = join(dir, `${Math.random().toString(36).slice(2)}.wav`);
  await espeak.synthesizeToWav({ text, voice: 'en-us', ...extra }, out);
  return wavDurationMs(out);
}

function ffprobeDurationMs(path: string): number {
  const output = execFileSync('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'csv=p=0',
    path,
  ]);
  return Number(output.toString().trim()) * 1000;
}

describe('espeak-ng synthesizer', () => {
  it('writes a valid 22.05 kHz mono s16 WAV with speech in it', async () => {
    const out = join(dir, 'hello.wav');
    const result = await espeak.synthesizeToWav({ text: 'Hello world.', voice: 'en-us+f3' }, out);
    expect(result).toEqual({});
    const header = await readWavHeader(out);
    expect(header).toMatchObject({ sampleRate: 22050, channels: 1, bitsPerSample: 16 });
    expect(header.frameCount).toBeGreaterThan(22050 / 2);
    expect(ffprobeDurationMs(out)).toBeCloseTo((header.frameCount * 1000) / 22050, 0);
    // Only the finished file remains: the text file and the partial WAV are gone.
    expect(await readdir(dir)).toEqual(['hello.wav']);
  });

  it('writes into a folder deeper than espeak-ng’s 200-byte file names (a long data folder path)', async () => {
    const deep = join(
      dir,
      'a-data-folder-with-a-long-name'.repeat(4),
      'work',
      'job-0123456789abcdef-narration',
    );
    await mkdir(deep, { recursive: true });
    const out = join(deep, `speech-${'f'.repeat(32)}.wav`);
    expect(out.length).toBeGreaterThan(200);
    await espeak.synthesizeToWav({ text: 'Hello from deep inside.', voice: 'en-us' }, out);
    expect((await readWavHeader(out)).frameCount).toBeGreaterThan(22050 / 2);
    expect(await readdir(deep)).toEqual([basename(out)]);
  });

  it('speaks markup and brackets literally instead of interpreting them', async () => {
    const plain = await spokenMs('Tom and Jerry');
    // As SSML, <b> would be dropped; spoken literally it adds the letter "b" twice.
    expect(await spokenMs('Tom <b>and</b> Jerry')).toBeGreaterThan(plain + 300);
    expect(await spokenMs('"Tom" & \'Jerry\'')).toBeGreaterThan(500);
    // As espeak-ng phoneme input, [[h@l'oU]] would be one short word; literally it is several.
    expect(await spokenMs("Say [[h@l'oU]] now")).toBeGreaterThan((await spokenMs('Say hello now')) + 500);
    // Nor with an invisible character between the brackets, which espeak-ng passes over (found by
    // attacking the speech adapters: a soft hyphen got phonemes spoken and raw brackets captioned).
    for (const invisible of ['\u00ad', '\u200b', '\u2060'])
      expect(await spokenMs(`Say [${invisible}[h@l'oU]] now`), escape(invisible)).toBeGreaterThan(
        (await spokenMs('Say hello now')) + 500,
      );
  });

  it('speaks faster at a higher rate', async () => {
    const text = 'One two three four five six seven eight nine ten.';
    expect(await spokenMs(text, { rate: '+50%' })).toBeLessThan(
      (await spokenMs(text, { rate: '-30%' })) * 0.7,
    );
  });

  it('reports version and voices', async () => {
    expect(await espeak.version()).toMatch(/^\d+\.\d+/);
    expect(await espeak.available()).toBe(true);
    const voices = await espeak.voices();
    expect(voices).toContainEqual({ name: 'en-us', language: 'en-us' });
    expect(voices).toContainEqual({ name: 'pt-br', language: 'pt-br' });
  });

  it('rejects an unknown voice with a typed error and leaves no file', async () => {
    const out = join(dir, 'x.wav');
    // espeak-ng itself would speak these with some other language's rules, without a word of warning.
    for (const voice of ['no-such-voice', 'en-uss', 'en-us+nosuch']) {
      const failure = espeak.synthesizeToWav({ text: 'Hi', voice }, out);
      await expect(failure).rejects.toMatchObject({
        kind: 'invalid-voice',
        message: expect.stringContaining(`no voice "${voice}"`),
      });
    }
    await expect(espeak.synthesizeToWav({ text: 'Hi', voice: '-w' }, out)).rejects.toMatchObject({
      kind: 'invalid-voice',
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('says clearly when espeak-ng is missing', async () => {
    const missing = createEspeakSynthesizer({ binary: join(dir, 'no-espeak') });
    expect(await missing.available()).toBe(false);
    const failure = missing.synthesizeToWav({ text: 'Hi', voice: 'en-us' }, join(dir, 'x.wav'));
    await expect(failure).rejects.toBeInstanceOf(SpeechError);
    await expect(failure).rejects.toMatchObject({ kind: 'engine-missing', message: /Install espeak-ng/ });
  });

  it('rejects with the abort reason when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const out = join(dir, 'x.wav');
    await expect(
      espeak.synthesizeToWav({ text: 'Hi', voice: 'en-us' }, out, controller.signal),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(existsSync(out)).toBe(false);
  });
});

describe('espeak-ng parsing and arguments', () => {
  it('passes text only as a file and maps prosody to -s and -p', () => {
    const args = espeakArguments(
      { text: 'rm -rf /', voice: 'es', rate: '+10%', pitch: '+2st' },
      '/t/in.txt',
      '/t/o.wav',
      175,
    );
    expect(args).toEqual([
      '-b',
      '1',
      '-v',
      'es',
      '-s',
      '193',
      '-p',
      '58',
      '-w',
      '/t/o.wav',
      '-f',
      '/t/in.txt',
    ]);
  });

  it('parses the voices table, checks names against it, and reads the version line', () => {
    const listing = [
      'Pty Language       Age/Gender VoiceName          File                 Other Languages',
      ' 5  af              --/M      Afrikaans          gmw/af               ',
      ' 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)',
      ' 5  cmn             --/M      Chinese_(Mandarin) sit/cmn              (zh-cmn 5)(zh 5)',
    ].join('\n');
    const variants =
      ' 5  variant         --/F      Annie              !v/Annie\n 5  variant  --/M  Klatt  !v/klatt';
    expect(voicesFromTable(parseEspeakVoiceTable(listing))).toEqual([
      { name: 'af', language: 'af' },
      { name: 'en-us', language: 'en-us' },
      { name: 'cmn', language: 'cmn' },
    ]);
    const checker = espeakVoiceChecker(parseEspeakVoiceTable(listing), parseEspeakVoiceTable(variants));
    for (const voice of [
      'en-us',
      'EN-US',
      'en',
      'gmw/en-US',
      'English_(America)',
      'zh',
      'en-us+annie',
      'af+klatt',
    ]) {
      expect(checker.accepts(voice), voice).toBe(true);
    }
    for (const voice of ['en-uss', 'english', 'en-us+f3', 'en-us+annie+klatt', '']) {
      expect(checker.accepts(voice), voice).toBe(false);
    }
    expect(parseEspeakVersion('eSpeak NG text-to-speech: 1.51  Data at: /usr/lib/x\n')).toBe('1.51');
  });
});
