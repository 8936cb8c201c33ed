/** Test helpers: a real database in a temp folder and small fake step kinds that count their calls. */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { type OpenedDatabase, openDatabase } from '../db/open.ts';
import { type Pipeline, recipes, voicePresets } from '../db/schema.ts';
import { Engine } from './engine.ts';
import { StepError } from './errors.ts';
import type { ScriptJobInput } from './job-settings.ts';
import { registryOf, type StepHandler } from './step-handler.ts';

export interface Harness {
  dir: string;
  database: OpenedDatabase;
  engine: Engine;
  calls: Record<string, number>;
  /** Behaviour switches the fake steps read at run time. */
  behaviour: {
    failTimes: Record<string, number>;
    fatal: Set<string>;
    /** Steps stopped by someone else's hand (an operator cancelling their farm task). */
    stopped: Set<string>;
    hangKeys: Set<string>;
    delayMs: number;
    /** Text a step adds to its output from now on: it reads a file that changed, say. */
    extra: Record<string, string>;
    /** A warning a step gives on each attempt. */
    warnings: Record<string, string>;
    /** Settings a step cannot read (a prompt asking for a variable no job gives): the error it names. */
    unreadable: Record<string, string>;
    /** What a step waits for before it ends. */
    gates: Record<string, Promise<unknown>>;
  };
  addRecipe(slug: string, pipeline: Pipeline): void;
  setVoiceRate(rate: string): void;
  close(): Promise<void>;
}

function scriptOf(input: ScriptJobInput): string {
  return input.kind === 'script' ? input.scriptPath : input.title;
}

/** Writes its input files' text plus its own key; reads the voice preset's rate for "voice" steps. */
function fakeStep(kind: string, harness: () => Harness): StepHandler {
  return {
    kind,
    // Tests vary a step by its options (`variant`): any key passes but `usesVoice`'s shape.
    options: z.looseObject({ usesVoice: z.boolean().optional() }),
    version: () => `${kind}/1`,
    config: ({ settings, step }) => {
      const unreadable = harness().behaviour.unreadable[step.key];
      if (unreadable) throw new StepError('invalid-input', unreadable);
      return {
        rate: step.with?.usesVoice ? (settings.voice.prosody.rate ?? null) : null,
        // The first step reads the script, as the real parse step does.
        script: step.dependsOn.length === 0 ? scriptOf(settings.input) : null,
      };
    },
    async run(ctx) {
      const h = harness();
      h.calls[ctx.step.key] = (h.calls[ctx.step.key] ?? 0) + 1;
      if (h.behaviour.delayMs) await new Promise((r) => setTimeout(r, h.behaviour.delayMs));
      await h.behaviour.gates[ctx.step.key];
      const warning = h.behaviour.warnings[ctx.step.key];
      if (warning) ctx.warn(warning);
      if (h.behaviour.hangKeys.has(ctx.step.key)) {
        await new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new StepError('cancelled', 'stopped'))),
        );
      }
      if (h.behaviour.fatal.has(ctx.step.key)) throw new StepError('fatal', `${ctx.step.key} cannot work`);
      if (h.behaviour.stopped.has(ctx.step.key))
        throw new StepError('cancelled', `${ctx.step.key} was cancelled by an operator`);
      const left = h.behaviour.failTimes[ctx.step.key] ?? 0;
      if (left > 0) {
        h.behaviour.failTimes[ctx.step.key] = left - 1;
        throw new Error(`${ctx.step.key} flaked`);
      }
      let text = ctx.step.key;
      if (ctx.step.dependsOn.length === 0) text += `:${basename(scriptOf(ctx.settings.input), '.md')}`;
      for (const dep of ctx.step.dependsOn) {
        const file = ctx.inputs[dep]?.files.out;
        if (file) text += `(${await readFile(file.path, 'utf8')})`;
      }
      if (ctx.step.with?.usesVoice) text += `@${ctx.settings.voice.prosody.rate ?? 'default'}`;
      text += h.behaviour.extra[ctx.step.key] ?? '';
      const path = join(ctx.workDir, 'out.txt');
      await writeFile(path, text);
      return {
        files: { out: { path, type: ctx.step.key === 'final' ? 'video' : 'text' } },
        data: { length: text.length },
      };
    },
  };
}

export async function createHarness(
  options: { stepConcurrency?: number; maxAttempts?: number; kinds?: string[] } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'vfo-engine-'));
  const database = openDatabase(join(dir, 'data'));
  let harness: Harness;
  const kinds = options.kinds ?? ['test.a', 'test.b'];
  const handlers = registryOf(kinds.map((k) => fakeStep(k, () => harness)));
  const engine = new Engine({
    dataDir: join(dir, 'data'),
    database,
    handlers,
    stepConcurrency: options.stepConcurrency ?? 2,
    maxAttempts: options.maxAttempts ?? 3,
    backoffMs: () => 5,
    cancelPollMs: 20,
    heartbeatMs: 40,
  });
  harness = {
    dir,
    database,
    engine,
    calls: {},
    behaviour: {
      failTimes: {},
      fatal: new Set(),
      stopped: new Set(),
      hangKeys: new Set(),
      delayMs: 0,
      extra: {},
      warnings: {},
      gates: {},
      unreadable: {},
    },
    addRecipe(slug, pipeline) {
      insertTestRecipe(database, slug, pipeline);
    },
    setVoiceRate(rate) {
      database.db
        .update(voicePresets)
        .set({ prosody: { rate } })
        .where(eq(voicePresets.slug, 'offline-en'))
        .run();
    },
    async close() {
      database.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A recipe running `pipeline` on the seeded offline voice and preview preset, active at once. */
export function insertTestRecipe(
  database: OpenedDatabase,
  slug: string,
  pipeline: Pipeline,
  name = slug,
): void {
  database.db
    .insert(recipes)
    .values({
      id: randomUUID(),
      slug,
      version: 1,
      name,
      pipeline,
      defaults: {
        voicePreset: 'offline-en',
        videoPreset: 'preview-360p',
        visuals: ['dawn.png'],
        motion: 'none',
        captions: { burnIn: false },
      },
      isActive: true,
      createdAt: new Date().toISOString(),
    })
    .run();
}

/** script → (voice, notes) → final: a diamond, like the real narrated pipeline. */
export const DIAMOND: Pipeline = {
  steps: [
    { key: 'script', kind: 'test.a', dependsOn: [] },
    { key: 'voice', kind: 'test.b', dependsOn: ['script'], with: { usesVoice: true } },
    { key: 'notes', kind: 'test.a', dependsOn: ['script'] },
    { key: 'final', kind: 'test.b', dependsOn: ['voice', 'notes'] },
  ],
};

export function jobInput(h: Harness, name = 'a') {
  return {
    kind: 'script' as const,
    scriptPath: join(h.dir, `${name}.md`),
    outputPath: join(h.dir, 'out', `${name}.mp4`),
  };
}
