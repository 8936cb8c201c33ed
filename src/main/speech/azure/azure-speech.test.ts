/**
 * The adapter with the real Speech SDK against the local fake service (test/fakes/azure-speech-server.ts).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FakeAzureSpeech, startFakeAzureSpeech } from '../../../../test/fakes/azure-speech-server.ts';
import { addLogSink, type LogRecord, setLogLevel } from '../../log/logger.ts';
import { readWavHeader } from '../wav.ts';
import { type AzureSpeechOptions, createAzureSpeech } from './azure-speech.ts';
import { AzureSpeechError } from './errors.ts';
import { ssmlLimits } from './ssml-limits.ts';
import { synthesizeOnce } from './synthesize-once.ts';

const KEY = 'sk-FAKE-7f3a9c1e5b2d4068';
const SSML =
  '<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">' +
  '<voice name="en-US-JennyNeural">Hello there, brave new world.</voice></speak>';

let fake: FakeAzureSpeech;
let dir: string;
let sleeps: number[];
let logs: LogRecord[];
let removeSink: () => void;

function speech(options: Partial<AzureSpeechOptions> = {}) {
  const sleep = async (ms: number) => {
    sleeps.push(ms);
  };
  return createAzureSpeech({ key: KEY, host: fake.url, sleep, ...options });
}

async function failure(promise: Promise<unknown>): Promise<AzureSpeechError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AzureSpeechError);
  return error as AzureSpeechError;
}

beforeAll(async () => {
  fake = await startFakeAzureSpeech();
  dir = await mkdtemp(join(tmpdir(), 'vf-azure-'));
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  for (const name of Object.keys(process.env)) if (name.startsWith('AZURE_')) vi.stubEnv(name, undefined);
  fake.setBehaviour('ok');
  fake.requests.length = 0;
  sleeps = [];
  logs = [];
  setLogLevel('debug');
  removeSink = addLogSink((record) => logs.push(record));
});
afterEach(() => {
  removeSink();
  setLogLevel('warn');
  // Whatever happened in the test, the key went nowhere but to the service.
  expect(JSON.stringify(logs)).not.toContain(KEY);
});

describe('createAzureSpeech', () => {
  it('writes the audio the service sent as a 24 kHz mono WAV, with its word timings to the ms', async () => {
    const out = join(dir, 'hello.wav');
    const result = await speech().synthesizeSsml(SSML, out);

    const [request] = fake.requests;
    expect(request?.ssml).toBe(SSML);
    expect(request?.key).toBe(KEY);
    expect(request?.outputFormat).toBe('raw-24khz-16bit-mono-pcm');
    // 100 ms lead, then 5 words of 300 ms each followed by 100 ms.
    expect(result.durationMs).toBe(2100);
    expect(result.words).toEqual(
      request?.words.map((w) => ({
        text: w.text,
        startMs: w.offsetTicks / 10_000,
        endMs: (w.offsetTicks + w.durationTicks) / 10_000,
      })),
    );
    expect(result.words.map((w) => [w.text, w.startMs, w.endMs])).toEqual([
      ['Hello', 100, 400],
      ['there', 500, 800],
      ['brave', 900, 1200],
      ['new', 1300, 1600],
      ['world', 1700, 2000],
    ]);
    const header = await readWavHeader(out);
    expect(header).toMatchObject({ sampleRate: 24_000, channels: 1, frameCount: 2100 * 24 });
    const samples = (await readFile(out)).subarray(header.dataOffset);
    expect(samples.equals(request?.audio ?? Buffer.alloc(0))).toBe(true);
    expect(samples.some((byte) => byte !== 0)).toBe(true);
    expect((await readdir(dir)).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  it.each(['reject-401', 'reject-403'] as const)('maps %s to auth, without retrying', async (behaviour) => {
    fake.setBehaviour(behaviour);
    const before = fake.connectionCount();
    const error = await failure(speech().synthesizeSsml(SSML, join(dir, 'auth.wav')));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('Azure Speech rejected the key or region');
    expect(error.message).not.toContain(KEY);
    expect(fake.connectionCount() - before).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('treats a key the service does not accept as auth', async () => {
    const strict = await startFakeAzureSpeech({ acceptKey: 'the-right-key' });
    try {
      const error = await failure(
        createAzureSpeech({ key: KEY, host: strict.url }).synthesizeSsml(SSML, join(dir, 'k.wav')),
      );
      expect(error.kind).toBe('auth');
      const ok = await createAzureSpeech({ key: 'the-right-key', host: strict.url }).synthesizeSsml(
        SSML,
        join(dir, 'k.wav'),
      );
      expect(ok.words).toHaveLength(5);
    } finally {
      await strict.close();
    }
  });

  it('waits and retries when throttled, then succeeds', async () => {
    fake.setBehaviour(['throttle-429']);
    const result = await speech().synthesizeSsml(SSML, join(dir, 'throttled.wav'));
    expect(result.durationMs).toBe(2100);
    expect(sleeps).toEqual([4000]);
    expect(logs.some((r) => r.level === 'warn' && r.fields.kind === 'throttled')).toBe(true);
  });

  it('gives up on throttling after maxAttempts with a throttled error', async () => {
    fake.setBehaviour('throttle-429');
    const error = await failure(speech({ maxAttempts: 2 }).synthesizeSsml(SSML, join(dir, 't.wav')));
    expect(error.kind).toBe('throttled');
    expect(sleeps).toEqual([4000]);
  });

  it('reports a connection dropped mid-synthesis as network after bounded retries', async () => {
    fake.setBehaviour('drop-mid-synthesis');
    const out = join(dir, 'dropped.wav');
    const error = await failure(speech().synthesizeSsml(SSML, out));
    expect(error.kind).toBe('network');
    expect(fake.requests).toHaveLength(3);
    expect(sleeps).toEqual([1000, 2000]);
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });

  it('succeeds when only the first attempt drops', async () => {
    fake.setBehaviour(['drop-mid-synthesis']);
    const result = await speech().synthesizeSsml(SSML, join(dir, 'second-try.wav'));
    expect(result.words).toHaveLength(5);
    expect(fake.requests).toHaveLength(2);
    expect(sleeps).toEqual([1000]);
  });

  it('reports a service it cannot reach as network', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failure(
      speech({ host: `ws://127.0.0.1:${port}` }).synthesizeSsml(SSML, join(dir, 'x.wav')),
    );
    expect(error.kind).toBe('network');
    expect(error.message).toMatch(/Could not connect to Azure Speech/);
    expect(sleeps).toEqual([1000, 2000]);
  });

  it('maps a malformed service message to bad-response, without retrying', async () => {
    fake.setBehaviour('malformed-metadata');
    const error = await failure(speech().synthesizeSsml(SSML, join(dir, 'bad.wav')));
    expect(error.kind).toBe('bad-response');
    expect(error.message).toContain('audio.metadata');
    expect(fake.requests).toHaveLength(1);
  });

  it('maps a refused SSML (close code 1007) to invalid-ssml, without retrying', async () => {
    fake.setBehaviour('invalid-ssml');
    const error = await failure(speech().synthesizeSsml(SSML, join(dir, 'bad.wav')));
    expect(error.kind).toBe('invalid-ssml');
    expect(fake.requests).toHaveLength(1);
    const notSsml = await failure(speech().synthesizeSsml('just text', join(dir, 'bad.wav')));
    expect(notSsml.kind).toBe('invalid-ssml');
    expect(fake.requests).toHaveLength(1);
  });

  it('gives up on a turn that never ends, at the most audio its text can make, without retrying', async () => {
    fake.setBehaviour('endless');
    const started = Date.now();
    const error = await failure(speech().synthesizeSsml(SSML, join(dir, 'endless.wav')));
    expect(error.kind).toBe('bad-response');
    // Five words at 40 a minute, and 10 s: 17.5 s of audio, streamed at 20x real time.
    expect(error.message).toContain('more audio than this text can take (more than 18 s)');
    expect(fake.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect(readdir(dir)).resolves.not.toContain('endless.wav');
  });

  it('gives up on a turn that trickles audio for ever, at its idle timeout plus its longest audio', async () => {
    fake.setBehaviour('trickle');
    const started = Date.now();
    const error = await failure(
      synthesizeOnce({
        ssml: SSML,
        key: KEY,
        endpoint: { host: fake.url },
        idleTimeoutMs: 1000,
        limits: { maxAudioMs: 500, maxWords: 10, minAudioMs: 0, minWords: 0 },
      }),
    );
    expect(error.kind).toBe('bad-response');
    expect(error.message).toContain('took more than 2 s for this text');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses minutes of audio for five words, and 5,000 boundaries for them', async () => {
    fake.setBehaviour('long-audio');
    const long = await failure(speech().synthesizeSsml(SSML, join(dir, 'long.wav')));
    expect(long.kind).toBe('bad-response');
    expect(long.message).toContain('more audio than this text can take');
    fake.setBehaviour('many-words');
    const many = await failure(speech().synthesizeSsml(SSML, join(dir, 'many.wav')));
    expect(many.kind).toBe('bad-response');
    // 5 words: at most 3 boundaries each, and 50.
    expect(many.message).toContain('more words than this text holds (more than 65)');
  });

  // Found by attacking the Azure adapter: two bytes of sound for forty words ended the turn as done, and
  // the job made a silent video without captions, reused later by its hash.
  it('refuses a turn that ends with less audio than its text takes, or no word timing', async () => {
    fake.setBehaviour('cut-short');
    const short = await failure(speech().synthesizeSsml(SSML, join(dir, 'short.wav')));
    expect(short.kind).toBe('bad-response');
    // Five words at 1,000 a minute: 300 ms at least.
    expect(short.message).toContain('less than this text takes (at least 300 ms)');
    await expect(readdir(dir)).resolves.not.toContain('short.wav');
  });

  it('lets a slow voice speak text written without spaces', () => {
    // 600 Chinese characters (50 words to countWords: 85 s at most) read at four a second: 150 s.
    const text = '我们今天去公园散步吧'.repeat(60);
    const limits = ssmlLimits(`<speak><voice name="zh-CN-XiaoxiaoNeural">${text}</voice></speak>`);
    expect(limits.maxAudioMs).toBeGreaterThan(150_000);
    expect(limits.minAudioMs).toBeLessThan(150_000);
    expect(limits.minWords).toBe(1);
  });

  it('keeps only word timings that are numbers inside the audio, in the order spoken', async () => {
    fake.setBehaviour('hostile-words');
    const result = await speech().synthesizeSsml(SSML, join(dir, 'hostile.wav'));
    // Dropped: before the audio, as text, past its end (two ways), and "there", reported after later words.
    expect(result.words.map((w) => w.text)).toEqual(['forever', 'Hello', 'brave', 'new', 'world']);
    for (const word of result.words) {
      expect(word.startMs).toBeGreaterThanOrEqual(0);
      expect(word.endMs).toBeLessThanOrEqual(result.durationMs);
      expect(word.endMs).toBeGreaterThanOrEqual(word.startMs);
    }
  });

  it('gives up on a service that stops answering', async () => {
    fake.setBehaviour('stall');
    const error = await failure(
      speech({ idleTimeoutMs: 150, maxAttempts: 1 }).synthesizeSsml(SSML, join(dir, 'quiet.wav')),
    );
    expect(error.kind).toBe('network');
    expect(error.message).toContain('stopped responding');
  });

  it('is cancelled by the signal, during a request and during a retry wait', async () => {
    fake.setBehaviour('stall');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user cancelled')), 100);
    const during = await failure(speech().synthesizeSsml(SSML, join(dir, 'c.wav'), controller.signal));
    expect(during.kind).toBe('cancelled');

    fake.setBehaviour('throttle-429');
    const waiting = new AbortController();
    const sleepThenAbort = async (_ms: number, signal?: AbortSignal) => {
      waiting.abort(new Error('user cancelled'));
      signal?.throwIfAborted();
    };
    const error = await failure(
      speech({ sleep: sleepThenAbort }).synthesizeSsml(SSML, join(dir, 'c.wav'), waiting.signal),
    );
    expect(error.kind).toBe('cancelled');
    expect(fake.connectionCount()).toBeGreaterThan(0);
  });

  it('says whether it is configured, without calling the service', async () => {
    const before = fake.connectionCount();
    expect(await speech().available()).toBe(true);
    expect(await createAzureSpeech({ key: KEY, region: 'westeurope' }).available()).toBe(true);
    expect(await createAzureSpeech({ key: '', region: 'westeurope' }).available()).toBe(false);
    expect(await createAzureSpeech({ key: KEY }).available()).toBe(false);
    expect(await createAzureSpeech({ key: KEY, region: 'west europe/../x' }).available()).toBe(false);
    expect(await createAzureSpeech({ key: KEY, host: 'not a url' }).available()).toBe(false);
    const error = await failure(createAzureSpeech({ key: KEY }).synthesizeSsml(SSML, join(dir, 'n.wav')));
    expect(error.kind).toBe('not-configured');
    // A key pasted with its line break: said as such, at once (it was "Could not connect", 3 times).
    const pasted = createAzureSpeech({ key: `${KEY}\r\n`, host: fake.url });
    expect(await pasted.available()).toBe(false);
    const malformed = await failure(pasted.synthesizeSsml(SSML, join(dir, 'n.wav')));
    expect(malformed).toMatchObject({
      kind: 'not-configured',
      message: expect.stringContaining('line break'),
    });
    expect(await speech().version()).toMatch(/^azure-speech-sdk 1\.52\.0 raw-24khz-16bit-mono-pcm$/);
    expect(fake.connectionCount()).toBe(before);
  });

  it('never puts the key in an error message, whatever fails', async () => {
    const behaviours = ['reject-401', 'throttle-429', 'drop-mid-synthesis', 'malformed-metadata'] as const;
    for (const behaviour of behaviours) {
      fake.setBehaviour(behaviour);
      const error = await failure(speech({ maxAttempts: 2 }).synthesizeSsml(SSML, join(dir, 'k.wav')));
      expect(`${error.message} ${String(error.cause)} ${error.stack}`).not.toContain(KEY);
    }
    expect(logs.length).toBeGreaterThan(0);
  });
});
