import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { concatenateWav, framesForMs, NARRATION_FORMAT, readWavHeader, wavDurationMs } from './wav.ts';
import { canonicalWavHeader } from './wav-header.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vf-wav-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function chunk(id: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body, Buffer.alloc(body.length % 2)]);
}

function fmtBody(options: {
  tag?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  extensible?: boolean;
}): Buffer {
  const { tag = 1, channels = 1, rate = 22050, bits = 16, extensible = false } = options;
  const body = Buffer.alloc(extensible ? 40 : 16);
  body.writeUInt16LE(extensible ? 0xfffe : tag, 0);
  body.writeUInt16LE(channels, 2);
  body.writeUInt32LE(rate, 4);
  body.writeUInt32LE((rate * channels * bits) / 8, 8);
  body.writeUInt16LE((channels * bits) / 8, 12);
  body.writeUInt16LE(bits, 14);
  if (extensible) {
    body.writeUInt16LE(22, 16);
    body.writeUInt16LE(tag, 24); // sub-format GUID starts with the real format tag
  }
  return body;
}

function riff(chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), ...chunks]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

function tone(frames: number, channels = 1): Buffer {
  const samples = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames * channels; i++) samples.writeInt16LE(1000 + (i % 100), i * 2);
  return samples;
}

async function writeWav(name: string, data: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, data);
  return path;
}

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args]);
}

describe('readWavHeader', () => {
  it('finds fmt and data among extra chunks, odd-sized chunks and WAVE_FORMAT_EXTENSIBLE', async () => {
    const path = await writeWav(
      'extra.wav',
      riff([
        chunk('LIST', Buffer.from('INFOISFT\x05\x00\x00\x00odd!!', 'latin1')),
        chunk('junk', Buffer.alloc(3)), // odd size: a pad byte follows
        chunk('fmt ', fmtBody({ rate: 16000, channels: 2, extensible: true })),
        chunk('fact', Buffer.alloc(4)),
        chunk('data', tone(300, 2)),
        chunk('id3 ', Buffer.alloc(10)),
      ]),
    );
    const header = await readWavHeader(path);
    expect(header).toMatchObject({
      sampleRate: 16000,
      channels: 2,
      bitsPerSample: 16,
      blockAlign: 4,
      frameCount: 300,
    });
    expect((await readFile(path)).readInt16LE(header.dataOffset)).toBe(1000);
    expect(await wavDurationMs(path)).toBe(18.75);
  });

  it('reads to the end of the file when a streaming writer left the data size unset', async () => {
    const data = chunk('data', tone(500));
    data.writeUInt32LE(0xffffffff, 4);
    const path = await writeWav('stream.wav', riff([chunk('fmt ', fmtBody({})), data]));
    expect((await readWavHeader(path)).frameCount).toBe(500);
  });

  it('rejects non-s16 and non-WAV input with a clear message', async () => {
    const float = join(dir, 'float.wav');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=sample_rate=8000:duration=0.1', '-c:a', 'pcm_f32le', float]);
    await expect(readWavHeader(float)).rejects.toMatchObject({
      kind: 'invalid-wav',
      message: /32-bit float/,
    });
    const u8 = await writeWav(
      'u8.wav',
      riff([chunk('fmt ', fmtBody({ bits: 8 })), chunk('data', Buffer.alloc(8))]),
    );
    await expect(readWavHeader(u8)).rejects.toThrow(/8-bit samples; 16-bit PCM is required/);
    const text = await writeWav('notes.wav', Buffer.from('just some text, not audio'));
    await expect(readWavHeader(text)).rejects.toThrow(/no RIFF\/WAVE header/);
    const noData = await writeWav('nodata.wav', riff([chunk('fmt ', fmtBody({}))]));
    await expect(readWavHeader(noData)).rejects.toThrow(/no "data" chunk/);
  });
});

describe('concatenateWav', () => {
  it('streams parts and silences into one canonical WAV, converting a part in another format', async () => {
    const first = await writeWav(
      'a.wav',
      Buffer.concat([canonicalWavHeader(NARRATION_FORMAT, 2000), tone(1000)]),
    );
    const stereo16k = join(dir, 'b.wav');
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=16000:duration=0.5',
      '-ac',
      '2',
      '-c:a',
      'pcm_s16le',
      stereo16k,
    ]);
    const out = join(dir, 'out.wav');
    const result = await concatenateWav(
      [{ wavPath: first }, { silenceMs: 150 }, { wavPath: stereo16k }, { silenceFrames: 7 }],
      out,
      NARRATION_FORMAT,
    );

    expect(result.partFrames[0]).toBe(1000);
    expect(result.partFrames[1]).toBe(framesForMs(150, 22050));
    expect(result.partFrames[2]).toBeGreaterThanOrEqual(11020); // 0.5 s resampled to 22.05 kHz
    expect(result.partFrames[2]).toBeLessThanOrEqual(11030);
    expect(result.partFrames[3]).toBe(7);
    expect(result.frameCount).toBe(result.partFrames.reduce((a, b) => a + b, 0));

    const header = await readWavHeader(out);
    expect(header).toMatchObject({
      sampleRate: 22050,
      channels: 1,
      dataOffset: 44,
      frameCount: result.frameCount,
    });
    const bytes = await readFile(out);
    expect(bytes.length).toBe(44 + result.frameCount * 2);
    expect(bytes.subarray(44, 44 + 2000)).toEqual(tone(1000));
    const silence = bytes.subarray(44 + 2000, 44 + 2000 + 3308 * 2);
    expect(silence.every((byte) => byte === 0)).toBe(true);
    const probed = execFileSync('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=duration_ts,sample_rate',
      '-of',
      'csv=p=0',
      out,
    ]);
    expect(probed.toString().trim()).toBe(`22050,${result.frameCount}`);
    // The temporary conversion is gone.
    expect((await readdir(dir)).sort()).toEqual(['a.wav', 'b.wav', 'out.wav']);
  });

  it('refuses formats it cannot write and bad silences', async () => {
    const out = join(dir, 'out.wav');
    await expect(concatenateWav([], out, { sampleRate: 0, channels: 1 })).rejects.toMatchObject({
      kind: 'invalid-wav',
    });
    await expect(concatenateWav([{ silenceFrames: 1.5 }], out, NARRATION_FORMAT)).rejects.toThrow(
      /whole samples/,
    );
  });
});
