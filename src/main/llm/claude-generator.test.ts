import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type FakeAnthropic,
  type SseEvent,
  startFakeAnthropic,
} from '../../../test/fakes/anthropic-server.ts';
import { createClaudeGenerator } from './claude-generator.ts';
import { LlmError } from './errors.ts';
import { abortableSleep, type Sleep } from './retry.ts';
import type { CompletionRequest, GenerationProgress } from './types.ts';

const KEY = 'sk-ant-test-0123456789abcdef';

const REQUEST: CompletionRequest = {
  model: 'model-from-the-prompt-row',
  system: 'You write narrated video scripts.',
  user: 'Title: Tides\nBrief: why the sea rises twice a day',
  maxTokens: 1234,
  temperature: 0.42,
};

let fake: FakeAnthropic;
let waits: number[];
const recordingSleep: Sleep = async (ms) => {
  waits.push(ms);
};

beforeEach(async () => {
  for (const name of Object.keys(process.env)) if (name.startsWith('ANTHROPIC_')) vi.stubEnv(name, undefined);
  fake = await startFakeAnthropic();
  waits = [];
});

afterEach(async () => {
  await fake.close();
});

function generator(options: { maxAttempts?: number; sleep?: Sleep; timeoutMs?: number } = {}) {
  return createClaudeGenerator({ apiKey: KEY, baseURL: fake.url, sleep: recordingSleep, ...options });
}

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LlmError);
  return error as LlmError;
}

describe('createClaudeGenerator', () => {
  it('streams the text, reports progress as it arrives and takes usage from the stream', async () => {
    const text = '# Tides\n\nThe moon pulls the sea. [pause] Twice a day.\n';
    fake.enqueue({
      kind: 'text',
      text,
      chunks: 4,
      model: 'claude-answering',
      inputTokens: 31,
      outputTokens: 17,
    });
    const progress: GenerationProgress[] = [];

    const result = await generator().complete(REQUEST, { onProgress: (p) => progress.push(p) });

    expect(result).toEqual({
      text,
      model: 'claude-answering',
      stopReason: 'end_turn',
      usage: { inputTokens: 31, outputTokens: 17 },
    });
    const characters = progress.map((p) => p.characters);
    expect(characters.length).toBeGreaterThanOrEqual(4);
    expect(characters).toEqual([...characters].sort((a, b) => a - b));
    expect(characters[0]).toBeLessThan(text.length);
    expect(progress.at(-1)).toEqual({ outputTokens: 17, characters: text.length });
  });

  it('sends the request exactly as configured, with the key as the SDK sends it', async () => {
    await generator().complete(REQUEST);

    expect(fake.requests).toHaveLength(1);
    const [sent] = fake.requests;
    expect(sent?.method).toBe('POST');
    expect(sent?.path).toBe('/v1/messages');
    expect(sent?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent?.body).toEqual({
      model: REQUEST.model,
      max_tokens: REQUEST.maxTokens,
      temperature: REQUEST.temperature,
      system: REQUEST.system,
      messages: [{ role: 'user', content: REQUEST.user }],
      stream: true,
    });
  });

  it('leaves out a temperature and a system prompt that are not set', async () => {
    await generator().complete({ ...REQUEST, temperature: undefined, system: '' });

    const body = fake.requests[0]?.body ?? {};
    expect(body).not.toHaveProperty('temperature');
    expect(body).not.toHaveProperty('system');
    expect(body.model).toBe(REQUEST.model);
  });

  it('waits as long as retry-after says after a 429, then succeeds', async () => {
    fake.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '7' } });

    const result = await generator().complete(REQUEST);

    expect(result.text).toContain('Hello from the fake Claude');
    expect(waits).toEqual([7000]);
    expect(fake.requests).toHaveLength(2);
  });

  it('prefers retry-after-ms and caps a very long retry-after at one minute', async () => {
    fake.enqueue({ kind: 'error', status: 429, headers: { 'retry-after-ms': '1500', 'retry-after': '2' } });
    fake.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '3600' } });

    await generator().complete(REQUEST);

    expect(waits).toEqual([1500, 60_000]);
  });

  it('fails with auth at once on 401: no retry', async () => {
    fake.enqueue({ kind: 'error', status: 401, message: 'invalid x-api-key' });

    const error = await failure(generator().complete(REQUEST));

    expect(error.kind).toBe('auth');
    expect(error.status).toBe(401);
    expect(error.message).toContain('Claude rejected the API key');
    expect(fake.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('backs off and retries when Claude is overloaded (529), then succeeds', async () => {
    fake.enqueue({ kind: 'error', status: 529 });
    fake.enqueue({ kind: 'error', status: 503 });

    const result = await generator().complete(REQUEST);

    expect(result.stopReason).toBe('end_turn');
    expect(waits).toEqual([1000, 2000]);
    expect(fake.requests).toHaveLength(3);
  });

  it('retries a stream that overloads mid-answer (event: error)', async () => {
    fake.enqueue({ kind: 'stream-error', type: 'overloaded_error', message: 'Overloaded' });

    const result = await generator().complete(REQUEST);

    expect(result.text).toContain('Hello from the fake Claude');
    expect(result.text).not.toContain('Partial answer');
    expect(fake.requests).toHaveLength(2);
  });

  it('retries a connection dropped mid-stream and returns only the new answer', async () => {
    fake.enqueue({ kind: 'drop', afterEvents: 4, text: 'LOST TEXT that never finishes' });

    const result = await generator().complete(REQUEST);

    expect(result.text).toContain('Hello from the fake Claude');
    expect(result.text).not.toContain('LOST');
    expect(fake.requests).toHaveLength(2);
  });

  it("gives up with 'network' after maxAttempts dropped connections", async () => {
    for (let i = 0; i < 4; i++) fake.enqueue({ kind: 'drop' });

    const error = await failure(generator().complete(REQUEST));

    expect(error.kind).toBe('network');
    expect(error.attempts).toBe(4);
    expect(error.message).toMatch(/dropped.*Gave up after 4 attempts/s);
    expect(fake.requests).toHaveLength(4);
    expect(waits).toEqual([1000, 2000, 4000]);
  });

  it("gives up with 'server' when 500s outlast the attempts", async () => {
    fake.enqueue({ kind: 'error', status: 500 });
    fake.enqueue({ kind: 'error', status: 500 });

    const error = await failure(generator({ maxAttempts: 2 }).complete(REQUEST));

    expect(error.kind).toBe('server');
    expect(fake.requests).toHaveLength(2);
  });

  it.each(['bad-json', 'no-text'] as const)(
    "reports a malformed reply (%s) as 'bad-response'",
    async (variant) => {
      fake.enqueue({ kind: 'malformed', variant });

      const error = await failure(generator().complete(REQUEST));

      expect(error.kind).toBe('bad-response');
      expect(fake.requests).toHaveLength(1);
    },
  );

  it("maps a 400 to 'invalid-request', quoting the API and explaining a rejected temperature", async () => {
    fake.enqueue({ kind: 'error', status: 400, message: 'temperature: Extra inputs are not permitted' });

    const error = await failure(generator().complete(REQUEST));

    expect(error.kind).toBe('invalid-request');
    expect(error.message).toContain('temperature: Extra inputs are not permitted');
    expect(error.message).toContain('leave it unset');
    expect(fake.requests).toHaveLength(1);
  });

  it('counts a stream that goes silent as a dropped connection and retries it', async () => {
    fake.enqueue({ kind: 'stall', afterEvents: 4 });

    const result = await generator({ timeoutMs: 300 }).complete(REQUEST);

    expect(result.text).toContain('Hello from the fake Claude');
    expect(fake.requests).toHaveLength(2);
  });

  it("stops with 'cancelled' when aborted mid-stream", async () => {
    fake.enqueue({ kind: 'stall', afterEvents: 4 });
    const controller = new AbortController();

    const error = await failure(
      generator().complete(REQUEST, { signal: controller.signal, onProgress: () => controller.abort() }),
    );

    expect(error.kind).toBe('cancelled');
    expect(fake.requests).toHaveLength(1);
  });

  it("stops with 'cancelled' when aborted while waiting to retry", async () => {
    fake.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '30' } });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);

    const error = await failure(
      generator({ sleep: abortableSleep }).complete(REQUEST, { signal: controller.signal }),
    );

    expect(error.kind).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(fake.requests).toHaveLength(1);
  });

  it('refuses an empty key before any request', () => {
    expect(() => createClaudeGenerator({ apiKey: '  ', baseURL: fake.url })).toThrow(LlmError);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('a hostile Claude', () => {
  const small: CompletionRequest = { ...REQUEST, maxTokens: 10 };

  it('that keeps a stream alive with a character now and then is given up at the attempt’s budget, once', async () => {
    fake.enqueue({ kind: 'trickle', everyMs: 50 });
    fake.enqueue({ kind: 'trickle', everyMs: 50 });
    const started = Date.now();
    // 300 ms of silence allowed + 10 tokens at 40 ms: 700 ms an attempt; not attempted again (each
    // attempt costs its whole budget and a paid request).
    const error = await failure(generator({ timeoutMs: 300, maxAttempts: 2 }).complete(small));
    expect(error.kind).toBe('bad-response');
    expect(error.message).toContain('took more than 1 s (the most 10 tokens may take)');
    expect(fake.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('that sends more text than the token limit allows is cut off there, not retried', async () => {
    fake.enqueue({ kind: 'text', text: 'x'.repeat(10 * 32 + 4097), chunks: 50 });
    const error = await failure(generator().complete(small));
    expect(error.kind).toBe('bad-response');
    expect(error.message).toContain('passed 4416 characters');
    expect(fake.requests).toHaveLength(1);
  });

  it('that sends broken events fails at once with what was broken, not as a dropped connection', async () => {
    const start = {
      type: 'message_start',
      message: { model: 'm', usage: { input_tokens: 1, output_tokens: 1 } },
    };
    const delta = { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi.' } };
    const cases: [unknown[], string][] = [
      [[{ type: 'message_start' }, delta], 'broken message_start event (message)'],
      [
        [
          {
            type: 'message_start',
            message: { model: 'm', usage: { input_tokens: 'lots', output_tokens: 1 } },
          },
        ],
        'broken message_start event (message.usage.input_tokens)',
      ],
      [
        [start, delta, { type: 'message_delta', delta: {}, usage: { output_tokens: 'ohno' } }],
        '(usage.output_tokens)',
      ],
      [[start, { type: 'content_block_delta', delta: { type: 'text_delta', text: 42 } }], '(delta.text)'],
    ];
    for (const [events, expected] of cases) {
      fake.enqueue({ kind: 'events', events: events as SseEvent[] });
      const before = fake.requests.length;
      const error = await failure(generator().complete(REQUEST));
      expect(error.kind).toBe('bad-response');
      expect(error.message).toContain(expected);
      expect(fake.requests.length - before).toBe(1);
    }
  });

  it('that answers with an enormous error message, escapes included, is quoted short and printable', async () => {
    fake.enqueue({
      kind: 'error',
      status: 400,
      type: 'invalid_request_error',
      message: `\u001b]0;owned\u0007${'y'.repeat(300_000)}`,
    });
    const error = await failure(generator().complete(REQUEST));
    expect(error.kind).toBe('invalid-request');
    expect(error.message.length).toBeLessThan(500);
    expect([...error.message].some((char) => (char.codePointAt(0) as number) < 0x20)).toBe(false);
    expect(error.message).toContain('\\u{1b}]0;owned');
  });
});
