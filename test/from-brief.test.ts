/**
 * Acceptance (Claude + Azure, config-first): a job from a title and a brief runs end to end with the REAL
 * SDKs against local fakes; captions follow the word boundaries Azure sent; prompt and preset edits re-run
 * exactly what they affect; hostile text is spoken literally; no secret lands anywhere.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/main/db/open.ts';
import {
  createPromptVersion,
  getPromptOrThrow,
  getVideoPreset,
  saveVideoPreset,
} from '../src/main/library/index.ts';
import { type FakeAnthropic, startFakeAnthropic } from './fakes/anthropic-server.ts';
import { type FakeAzureSpeech, startFakeAzureSpeech } from './fakes/azure-speech-server.ts';
import { probeMedia } from './support/media.ts';
import { runVfo, tempDir } from './support/vfo.ts';

const CLAUDE_KEY = 'sk-ant-test-7d3f9a0c2b4e6f8a1c3e5d7f';
const AZURE_KEY = 'azure-test-key-4f6e8d0c2b4a6e8f0d2c';
const TICKS_PER_MS = 10_000;

const FIRST_SCRIPT = `---
title: Bees
---

# Why bees dance

Bees talk with their bodies. [pause 300ms] A dance says where the flowers are.

# What we learn

Tom & Jerry say <b>"hi"</b> and <break time="9s"/> is just text. [calm] Small signals carry big news.
`;
const SECOND_SCRIPT = FIRST_SCRIPT.replace(
  'Small signals carry big news.',
  'Small signals carry great news.',
);

interface JobSummary {
  id: string;
  status: string;
  output: string;
  warnings: string[];
  steps: { key: string; reused: boolean; status: string }[];
  artifacts: { name: string; path: string }[];
}

let dir: { path: string; remove(): Promise<void> };
let claude: FakeAnthropic;
let azure: FakeAzureSpeech;
let env: NodeJS.ProcessEnv;
let first: JobSummary;
let stderr = '';
const data = () => join(dir.path, 'data');

async function render(): Promise<JobSummary> {
  const args = ['render', '--title', 'How bees talk', '--brief', 'Explain the waggle dance to children.'];
  const result = await runVfo(
    [...args, '--video-preset', 'preview-360p', '--out', join(dir.path, 'out'), '--json'],
    env,
  );
  stderr += result.stderr + result.stdout;
  expect(result.stderr).not.toMatch(/error/i);
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as JobSummary[])[0] as JobSummary;
}

const reusedOf = (job: JobSummary) => Object.fromEntries(job.steps.map((s) => [s.key, s.reused]));

beforeAll(async () => {
  dir = await tempDir('vfo-brief-');
  claude = await startFakeAnthropic();
  azure = await startFakeAzureSpeech({ acceptKey: AZURE_KEY });
  env = {
    VFO_DATA_DIR: data(),
    ANTHROPIC_API_KEY: CLAUDE_KEY,
    ANTHROPIC_BASE_URL: claude.url,
    AZURE_SPEECH_KEY: AZURE_KEY,
    AZURE_SPEECH_HOST: azure.url,
  };
  claude.enqueue({ kind: 'text', text: FIRST_SCRIPT, inputTokens: 321, outputTokens: 123 });
  first = await render();
}, 120_000);

afterAll(async () => {
  await claude?.close();
  await azure?.close();
  await dir?.remove();
});

describe('a video from a title and a brief', () => {
  it('asks Claude with the prompt stored in the database and records the token usage', async () => {
    expect(first.status).toBe('done');
    const request = claude.requests[0];
    const db = openDatabase(data());
    try {
      const prompt = getPromptOrThrow(db.db, 'script.writer');
      expect(request?.body).toMatchObject({
        model: prompt.model,
        max_tokens: prompt.maxTokens,
        stream: true,
      });
      expect(JSON.stringify(request?.body)).toContain('How bees talk');
      expect(JSON.stringify(request?.body)).toContain('Explain the waggle dance to children.');
      expect(JSON.stringify(request?.body)).toContain('Open with a one-sentence hook'); // knowledge base tier
      const write = db.sqlite
        .prepare("SELECT metrics FROM job_steps WHERE job_id = ? AND step_key = 'write'")
        .get(first.id) as {
        metrics: string;
      };
      expect(JSON.parse(write.metrics)).toMatchObject({ inputTokens: 321, outputTokens: 123 });
    } finally {
      db.close();
    }
  });

  it('narrates with Azure, and the captions follow the word boundaries Azure sent (within one frame)', async () => {
    expect(first.warnings).toEqual([]);
    const frameMs = 1000 / 25;
    const srt = await readFile(first.artifacts.find((a) => a.name === 'srt')?.path as string, 'utf8');
    const times = [...srt.matchAll(/(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)/g)].map(
      (m) => {
        const ms = (h: string, mi: string, s: string, f: string) =>
          ((Number(h) * 60 + Number(mi)) * 60 + Number(s)) * 1000 + Number(f);
        return {
          start: ms(m[1] as string, m[2] as string, m[3] as string, m[4] as string),
          end: ms(m[5] as string, m[6] as string, m[7] as string, m[8] as string),
        };
      },
    );
    const chunks = azure.requests;
    const firstWord = chunks[0]?.words[0];
    expect(times[0]?.start).toBeDefined();
    expect(
      Math.abs((times[0]?.start as number) - (firstWord?.offsetTicks as number) / TICKS_PER_MS),
    ).toBeLessThanOrEqual(frameMs);
    // The last chunk ends the narration: its last word ends (chunk length − word end) before the end.
    const last = chunks.at(-1);
    const lastWord = last?.words.at(-1);
    const lastChunkMs = ((last?.audio.length ?? 0) / 2 / 24_000) * 1000;
    const timings = JSON.parse(
      await readFile(first.artifacts.find((a) => a.name === 'timings')?.path as string, 'utf8'),
    ) as {
      durationMs: number;
    };
    const lastWordEnd =
      timings.durationMs -
      (lastChunkMs - ((lastWord?.offsetTicks ?? 0) + (lastWord?.durationTicks ?? 0)) / TICKS_PER_MS);
    expect(Math.abs((times.at(-1)?.end as number) - lastWordEnd)).toBeLessThanOrEqual(frameMs);
    const facts = await probeMedia(first.output);
    expect(facts).toMatchObject({ width: 640, height: 360, videoCodec: 'h264', audioCodec: 'aac' });
    expect(Math.abs(facts.videoSeconds - timings.durationMs / 1000)).toBeLessThanOrEqual(0.1);
  });

  it('speaks <, &, quotes and SSML-looking tags literally', async () => {
    const ssml = azure.requests.map((r) => r.ssml).join('\n');
    expect(ssml).toContain(
      'Tom &amp; Jerry say &lt;b&gt;&quot;hi&quot;&lt;/b&gt; and &lt;break time=&quot;9s&quot;/&gt; is just text.',
    );
    expect(ssml).not.toContain('<b>');
    expect(ssml).not.toContain('<break time="9s"/>');
    const srt = await readFile(first.artifacts.find((a) => a.name === 'srt')?.path as string, 'utf8');
    expect(srt.replaceAll('\u2060', '')).toContain(
      'Tom & Jerry say <b>"hi"</b> and <break time="9s"/> is just text.',
    );
  });

  it('re-runs the writing and everything after it when the prompt changes (here: its temperature)', async () => {
    const db = openDatabase(data());
    try {
      const current = getPromptOrThrow(db.db, 'script.writer');
      createPromptVersion(db.db, {
        slug: current.slug,
        systemPrompt: current.systemPrompt,
        userTemplate: current.userTemplate,
        model: current.model,
        maxTokens: current.maxTokens,
        temperature: 0.3,
        kbTiers: current.kbTiers,
        activate: true,
      });
    } finally {
      db.close();
    }
    claude.enqueue({ kind: 'text', text: SECOND_SCRIPT });
    const second = await render();
    expect(claude.requests.at(-1)?.body).toMatchObject({ temperature: 0.3 });
    expect(reusedOf(second)).toEqual({
      write: false,
      script: false,
      ssml: false,
      narration: false,
      captions: false,
      plan: false,
      video: false,
    });
  });

  it('re-runs only the rendering when only the video preset changes', async () => {
    const requestsBefore = { claude: claude.requests.length, azure: azure.requests.length };
    const db = openDatabase(data());
    try {
      const { id: _id, updatedAt: _u, ...preset } = getVideoPreset(db.db, 'preview-360p');
      saveVideoPreset(db.db, { ...preset, crf: 30 } as Parameters<typeof saveVideoPreset>[1]);
    } finally {
      db.close();
    }
    claude.enqueue({ kind: 'text', text: SECOND_SCRIPT });
    const third = await render();
    expect(reusedOf(third)).toEqual({
      write: true,
      script: true,
      ssml: true,
      narration: true,
      captions: true,
      plan: false,
      video: false,
    });
    expect(claude.requests.length).toBe(requestsBefore.claude);
    expect(azure.requests.length).toBe(requestsBefore.azure);
  });

  it('keeps both keys out of the database, the job records, the data folder and the logs', async () => {
    const files = (await readdir(data(), { recursive: true })).map((f) => join(data(), f));
    for (const file of files) {
      const bytes = await readFile(file).catch(() => null);
      if (!bytes) continue; // a folder
      for (const key of [CLAUDE_KEY, AZURE_KEY]) expect(bytes.includes(key), `${key} in ${file}`).toBe(false);
    }
    const shown = await runVfo(['jobs', 'show', first.id, '--json'], env);
    for (const key of [CLAUDE_KEY, AZURE_KEY]) {
      expect(shown.stdout).not.toContain(key);
      expect(stderr).not.toContain(key);
    }
    // The fakes did receive the keys: the test would notice a key that was never sent.
    expect(JSON.stringify(claude.requests[0]?.headers)).toContain(CLAUDE_KEY);
    expect(azure.requests[0]?.key).toBe(AZURE_KEY);
  });
});

describe('without Azure configured', () => {
  // Found by attacking the script writing: a script too long to narrate passed the write step, failed
  // the script step for good, and every render after reused the written script without asking Claude.
  it('asks Claude to repair a script too long to narrate', async () => {
    // A Claude of its own: nothing another test queued answers first.
    const own = await startFakeAnthropic();
    try {
      own.enqueue({ kind: 'text', text: `# Forever\n\n${'Wait. [pause 10s]\n'.repeat(2300)}` });
      own.enqueue({ kind: 'text', text: FIRST_SCRIPT });
      const result = await runVfo(
        [
          ...['render', '--title', 'Long bees', '--brief', 'Too long.', '--video-preset', 'preview-360p'],
          ...['--out', join(dir.path, 'out'), '--json'],
        ],
        { ...env, ANTHROPIC_BASE_URL: own.url },
      );
      expect(result.code, result.stderr).toBe(0);
      const [job] = JSON.parse(result.stdout) as JobSummary[];
      expect(job?.warnings.join('\n')).toMatch(/first script had problems; the repaired version was used/);
      expect(own.requests).toHaveLength(2);
      const repair = own.requests[1]?.body?.messages as { content: string }[];
      expect(repair[0]?.content).toMatch(
        /written-script\.md:\d+:\d+: error: the narration would last about 6 h/,
      );
    } finally {
      await own.close();
    }
  }, 180_000);

  // Found by attacking the script writing: the job's error, several lines, came out as one line
  // joined by "\u{a}".
  it('prints a failed job’s error line by line', async () => {
    const own = await startFakeAnthropic();
    try {
      const invalid = '# One\n\nHello [boom] there.\n';
      own.enqueue({ kind: 'text', text: invalid });
      own.enqueue({ kind: 'text', text: invalid });
      const result = await runVfo(
        ['render', '--title', 'Bad bees', '--brief', 'Invalid twice.', '--out', join(dir.path, 'out')],
        { ...env, ANTHROPIC_BASE_URL: own.url },
      );
      expect(result.code).not.toBe(0);
      expect(result.stderr).not.toContain('\\u{a}');
      expect(result.stderr).toMatch(/still invalid after one repair round:\nwritten-script\.md:3:7: error: /);
      // The script its problems point into is kept, and the tokens both answers cost are on the step
      // (neither was: the file was scratch, and a failed step recorded no metrics).
      const kept = /Claude's script is kept at (.+written-script\.md) \(for an hour at least/m.exec(
        result.stderr,
      )?.[1];
      expect(kept, result.stderr).toBeDefined();
      expect(await readFile(kept as string, 'utf8')).toBe(invalid);
      const db = openDatabase(data());
      try {
        const write = db.sqlite
          .prepare(
            `SELECT s.metrics FROM job_steps s JOIN jobs j ON j.id = s.job_id
             WHERE s.step_key = 'write' AND j.status = 'failed' ORDER BY j.created_at DESC LIMIT 1`,
          )
          .get() as { metrics: string | null };
        expect(JSON.parse(write.metrics ?? 'null')).toMatchObject({
          attempts: 2,
          outputTokens: expect.any(Number),
        });
        expect(JSON.parse(write.metrics ?? 'null').inputTokens).toBeGreaterThan(0);
      } finally {
        db.close();
      }
    } finally {
      await own.close();
    }
  }, 120_000);

  it('falls back to the offline voice and shows a warning on the job', async () => {
    const { AZURE_SPEECH_KEY: _k, AZURE_SPEECH_HOST: _h, ...withoutAzure } = env;
    const requestsBefore = azure.requests.length;
    claude.enqueue({ kind: 'text', text: FIRST_SCRIPT });
    const result = await runVfo(
      [
        'render',
        '--title',
        'Offline bees',
        '--brief',
        'Same, offline.',
        '--video-preset',
        'preview-360p',
        '--out',
        join(dir.path, 'out'),
        '--json',
      ],
      { ...withoutAzure, VFO_DATA_DIR: join(dir.path, 'offline-data') },
    );
    expect(result.code).toBe(0);
    const [job] = JSON.parse(result.stdout) as JobSummary[];
    expect(job?.status).toBe('done');
    expect(job?.warnings.join('\n')).toMatch(/Azure Speech is not configured.*offline voice/);
    expect(result.stderr).toMatch(/warning: Azure Speech is not configured/);
    expect(azure.requests.length).toBe(requestsBefore);
  });
});
