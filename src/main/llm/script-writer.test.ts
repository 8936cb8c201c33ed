import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../../../test/fakes/anthropic-server.ts';
import { formatDiagnostic, parseScriptText } from '../script/index.ts';
import { createClaudeGenerator } from './claude-generator.ts';
import { LlmError } from './errors.ts';
import { stripMarkdownFence, writeScript } from './script-writer.ts';
import type { CompletionRequest } from './types.ts';

const REQUEST: CompletionRequest = {
  model: 'writer-model',
  system: 'SYSTEM: write scripts with our stage directions.',
  user: 'Title: Tides\nBrief: why the sea rises twice a day',
  maxTokens: 2000,
  temperature: 0.7,
};

const VALID = '---\ntitle: Tides\n---\n\n# The moon\n\nThe moon pulls the sea. [pause] Twice a day.\n';
const INVALID = '---\ntitle: Tides\n---\n\n# The moon\n\nThe moon pulls the sea. [boom] Twice a day.\n';

/** The real script checker, as the app will use it. */
function validate(text: string): string[] {
  const result = parseScriptText(text, 'draft.md');
  return result.ok ? [] : result.diagnostics.map(formatDiagnostic);
}

let fake: FakeAnthropic;

beforeEach(async () => {
  for (const name of Object.keys(process.env)) if (name.startsWith('ANTHROPIC_')) vi.stubEnv(name, undefined);
  fake = await startFakeAnthropic();
});

afterEach(async () => {
  await fake.close();
});

function generator() {
  return createClaudeGenerator({
    apiKey: 'sk-ant-writer-test-key',
    baseURL: fake.url,
    sleep: async () => {},
  });
}

describe('writeScript', () => {
  it('returns a valid first answer as it is, without its markdown fence', async () => {
    fake.enqueue({
      kind: 'text',
      text: `\`\`\`markdown\n${VALID}\`\`\`\n`,
      inputTokens: 40,
      outputTokens: 30,
    });

    const written = await writeScript({ generator: generator(), request: REQUEST, validate });

    expect(written).toEqual({
      text: VALID,
      usage: { inputTokens: 40, outputTokens: 30 },
      attempts: 1,
      repaired: false,
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('repairs an invalid script once, quoting the problems and the script, and sums the usage', async () => {
    fake.enqueue({ kind: 'text', text: INVALID, inputTokens: 40, outputTokens: 30 });
    fake.enqueue({ kind: 'text', text: VALID, inputTokens: 90, outputTokens: 31 });
    const problems = validate(INVALID);
    expect(problems).toHaveLength(1);

    const written = await writeScript({ generator: generator(), request: REQUEST, validate });

    expect(written).toEqual({
      text: VALID,
      usage: { inputTokens: 130, outputTokens: 61 },
      attempts: 2,
      repaired: true,
    });
    const repair = fake.requests[1]?.body ?? {};
    expect(repair.model).toBe(REQUEST.model);
    expect(repair.max_tokens).toBe(REQUEST.maxTokens);
    expect(repair.temperature).toBe(REQUEST.temperature);
    expect(repair.system).toBe(REQUEST.system);
    const messages = repair.messages as { role: string; content: string }[];
    expect(messages).toHaveLength(1);
    expect(messages[0]?.content).toContain(problems[0]);
    expect(messages[0]?.content).toContain(INVALID.trim());
    expect(messages[0]?.content).toContain(REQUEST.user);
  });

  it("throws 'invalid-script' listing the problems when the repair is still invalid", async () => {
    fake.enqueue({ kind: 'text', text: INVALID });
    fake.enqueue({ kind: 'text', text: INVALID.replace('[boom]', '[bang]') });

    const error = await writeScript({ generator: generator(), request: REQUEST, validate }).catch((e) => e);

    expect(error).toBeInstanceOf(LlmError);
    expect(error.kind).toBe('invalid-script');
    expect(error.problems).toEqual([expect.stringContaining('[bang]')]);
    expect(error.message).toContain('draft.md:7:');
    expect(error.message).toContain('[bang]');
    expect(fake.requests).toHaveLength(2);
    // What the problems point into, and what both answers cost: the step keeps them.
    expect(error.script).toBe(INVALID.replace('[boom]', '[bang]'));
    expect(error.spent.inputTokens).toBeGreaterThan(0);
    expect(error.spent.outputTokens).toBeGreaterThan(0);
  });

  it('says what the first answer cost when the repair round fails on the way', async () => {
    fake.enqueue({ kind: 'text', text: INVALID });
    fake.enqueue({ kind: 'error', status: 401, type: 'authentication_error' });
    const error = await writeScript({ generator: generator(), request: REQUEST, validate }).catch((e) => e);
    expect(error).toBeInstanceOf(LlmError);
    expect(error.kind).toBe('auth');
    expect(error.spent).toEqual({ inputTokens: expect.any(Number), outputTokens: expect.any(Number) });
    expect(error.spent.inputTokens).toBeGreaterThan(0);
  });

  it('treats an answer cut off at max_tokens as a problem to repair', async () => {
    fake.enqueue({ kind: 'text', text: VALID, stopReason: 'max_tokens' });
    fake.enqueue({ kind: 'text', text: VALID });

    const written = await writeScript({ generator: generator(), request: REQUEST, validate });

    expect(written.repaired).toBe(true);
    const messages = fake.requests[1]?.body?.messages as { content: string }[];
    expect(messages[0]?.content).toContain('cut off at the limit of 2000 tokens');
  });

  // Found by attacking the script writing: a refusal was rendered as the video, captions and all.
  it('refuses an answer that is no script: a refusal, a paused turn, a tool call', async () => {
    for (const stopReason of ['refusal', 'pause_turn', 'tool_use']) {
      fake.enqueue({ kind: 'text', text: 'I cannot help with that request.', stopReason });
      const error = await writeScript({ generator: generator(), request: REQUEST, validate }).catch((e) => e);
      expect(error).toBeInstanceOf(LlmError);
      expect(error.kind).toBe('bad-response');
      expect(error.message).toBe(
        `Claude did not write a script: it stopped with "${stopReason}", saying "I cannot help with that request."`,
      );
    }
    // One request each: no repair round for an answer that is not a script.
    expect(fake.requests).toHaveLength(3);
  });

  it("passes cancellation through as 'cancelled'", async () => {
    const controller = new AbortController();
    controller.abort();

    const error = await writeScript({
      generator: generator(),
      request: REQUEST,
      validate,
      signal: controller.signal,
    }).catch((e) => e);

    expect(error.kind).toBe('cancelled');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('stripMarkdownFence', () => {
  it('removes a fence around the whole answer, with or without a language', () => {
    expect(stripMarkdownFence('```markdown\n# A\n\nHi.\n```')).toBe('# A\n\nHi.\n');
    expect(stripMarkdownFence('\n```md\n# A\n```\n\n')).toBe('# A\n');
    expect(stripMarkdownFence('```\n# A\n```')).toBe('# A\n');
  });

  it('leaves unfenced answers and fences inside the script alone', () => {
    expect(stripMarkdownFence(VALID)).toBe(VALID);
    const inner = '# A\n\n```\ncode\n```\n\nAfter.\n';
    expect(stripMarkdownFence(inner)).toBe(inner);
  });
});
