import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../../../test/fakes/anthropic-server.ts';
import { addLogSink, type LogRecord, setLogLevel } from '../log/logger.ts';
import { createClaudeGenerator } from './claude-generator.ts';
import { LlmError } from './errors.ts';
import { writeScript } from './script-writer.ts';
import type { CompletionRequest } from './types.ts';

const KEY = 'sk-ant-api03-SECRET-never-print-me-7f3a9c';

const REQUEST: CompletionRequest = { model: 'm', system: 's', user: 'u', maxTokens: 100 };

let fake: FakeAnthropic;
let lines: LogRecord[];
let removeSink: () => void;

beforeEach(async () => {
  for (const name of Object.keys(process.env)) if (name.startsWith('ANTHROPIC_')) vi.stubEnv(name, undefined);
  fake = await startFakeAnthropic();
  lines = [];
  setLogLevel('debug');
  removeSink = addLogSink((record) => lines.push(record));
});

afterEach(async () => {
  removeSink();
  setLogLevel('warn');
  await fake.close();
});

function generator(maxAttempts = 4) {
  return createClaudeGenerator({ apiKey: KEY, baseURL: fake.url, maxAttempts, sleep: async () => {} });
}

describe('the API key', () => {
  it('never appears in log lines or error messages, whatever goes wrong', async () => {
    const errors: unknown[] = [];
    const attempt = (promise: Promise<unknown>) => promise.catch((e: unknown) => errors.push(e));

    // A proxy that echoes the key back in its error must not get it into our messages either.
    fake.enqueue({ kind: 'error', status: 401, message: `invalid x-api-key: ${KEY}` });
    await attempt(generator().complete(REQUEST));
    fake.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '1' } });
    fake.enqueue({ kind: 'drop' });
    fake.enqueue({ kind: 'error', status: 500, message: `upstream saw ${KEY}` });
    await attempt(generator(3).complete(REQUEST));
    fake.enqueue({ kind: 'malformed', variant: 'bad-json' });
    await attempt(generator().complete(REQUEST));
    fake.enqueue({ kind: 'text', text: '# A\n\n[boom]\n' });
    fake.enqueue({ kind: 'text', text: '# A\n\n[boom]\n' });
    await attempt(
      writeScript({ generator: generator(), request: REQUEST, validate: () => ['draft.md:3:1: bad'] }),
    );

    // The key was really used, so a leak had every chance to happen.
    expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(errors.map((e) => (e as LlmError).kind)).toEqual([
      'auth',
      'server',
      'bad-response',
      'invalid-script',
    ]);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((line) => line.logger === 'AnthropicSdk')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(KEY);
    for (const error of errors) {
      expect(error).toBeInstanceOf(LlmError);
      expect((error as LlmError).message).not.toContain(KEY);
      expect(String((error as LlmError).cause ?? '')).not.toContain(KEY);
    }
    expect((errors[0] as LlmError).message).toContain('[redacted]');
  });

  // Found by attacking the Claude adapter: the API's message was cut to 300 characters before the key
  // was masked, and a key straddling the cut was printed and stored in part.
  it('is masked before a long message from the API is cut short', async () => {
    fake.enqueue({ kind: 'error', status: 401, message: `${'x'.repeat(280)} ${KEY}` });
    const error = (await generator()
      .complete(REQUEST)
      .catch((e: unknown) => e)) as LlmError;
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(KEY.slice(0, 12));
    expect(JSON.stringify(lines)).not.toContain(KEY.slice(0, 12));
  });
});
