import { randomUUID } from 'node:crypto';
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
  });
}
