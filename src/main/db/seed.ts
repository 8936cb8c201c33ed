import { randomUUID } from 'node:crypto';
import { and, eq, max } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type * as schema from './schema.ts';
import {
  captionStyles,
  knowledgeBase,
  prompts,
  recipes,
  settings,
  videoPresets,
  voicePresets,
} from './schema.ts';
import {
  RETIRED_SEED_MODELS,
  SEED_CAPTION_STYLES,
  SEED_KNOWLEDGE,
  SEED_PROMPTS,
  SEED_RECIPES,
  SEED_SETTINGS,
  SEED_VIDEO_PRESETS,
  SEED_VOICE_PRESETS,
} from './seed-data.ts';

/**
 * Insert the default rows that are missing. Never overwrites: a user's edits to a seeded preset or
 * recipe survive every start.
 */
export function seedDefaults(db: BetterSQLite3Database<typeof schema>): void {
  const now = new Date().toISOString();
  db.transaction((tx) => {
    for (const recipe of SEED_RECIPES) {
      tx.insert(recipes)
        .values({
          id: randomUUID(),
          ...recipe,
          version: 1,
          isActive: true,
          createdAt: now,
        })
        .onConflictDoNothing({ target: [recipes.slug, recipes.version] })
        .run();
    }
    for (const prompt of SEED_PROMPTS) {
      tx.insert(prompts)
        .values({ id: randomUUID(), ...prompt, version: 1, isActive: true, createdAt: now })
        .onConflictDoNothing({ target: [prompts.slug, prompts.version] })
        .run();
    }
    for (const entry of SEED_KNOWLEDGE) {
      tx.insert(knowledgeBase)
        .values({ id: randomUUID(), ...entry, createdAt: now })
        .onConflictDoNothing({ target: knowledgeBase.slug })
        .run();
    }
    for (const preset of SEED_VOICE_PRESETS) {
      tx.insert(voicePresets)
        .values({ id: randomUUID(), ...preset, updatedAt: now })
        .onConflictDoNothing({ target: voicePresets.slug })
        .run();
    }
    for (const preset of SEED_VIDEO_PRESETS) {
      tx.insert(videoPresets)
        .values({ id: randomUUID(), ...preset, updatedAt: now })
        .onConflictDoNothing({ target: videoPresets.slug })
        .run();
    }
    for (const style of SEED_CAPTION_STYLES) {
      tx.insert(captionStyles)
        .values({ id: randomUUID(), ...style, version: 1, isActive: true, createdAt: now })
        .onConflictDoNothing({ target: [captionStyles.slug, captionStyles.version] })
        .run();
    }
    for (const [key, value] of Object.entries(SEED_SETTINGS)) {
      tx.insert(settings).values({ key, value }).onConflictDoNothing({ target: settings.key }).run();
    }
    for (const prompt of SEED_PROMPTS) upgradeRetiredModel(tx, prompt, now);
  });
}

type Tx = Parameters<Parameters<BetterSQLite3Database<typeof schema>['transaction']>[0]>[0];

/**
 * A seeded prompt whose active version is the seed as an earlier release shipped it, with a model
 * Claude no longer answers, gets a new active version with today's model (the old one stays, as jobs
 * name it). A prompt anyone edited is left as it is: its model is theirs to choose in the Library.
 */
function upgradeRetiredModel(tx: Tx, seed: (typeof SEED_PROMPTS)[number], now: string): void {
  const active = tx
    .select()
    .from(prompts)
    .where(and(eq(prompts.slug, seed.slug), eq(prompts.isActive, true)))
    .get();
  if (!active || active.model === seed.model || !RETIRED_SEED_MODELS.includes(active.model)) return;
  const untouched =
    active.systemPrompt === seed.systemPrompt &&
    active.userTemplate === seed.userTemplate &&
    active.maxTokens === seed.maxTokens &&
    active.temperature === seed.temperature &&
    JSON.stringify(active.kbTiers) === JSON.stringify(seed.kbTiers);
  if (!untouched) return;
  const latest = tx
    .select({ version: max(prompts.version) })
    .from(prompts)
    .where(eq(prompts.slug, seed.slug))
    .get();
  tx.update(prompts).set({ isActive: false }).where(eq(prompts.slug, seed.slug)).run();
  tx.insert(prompts)
    .values({
      id: randomUUID(),
      ...seed,
      version: (latest?.version ?? 0) + 1,
      isActive: true,
      createdAt: now,
    })
    .run();
}
