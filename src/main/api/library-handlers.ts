import type { Method } from '../../shared/contract.ts';
import type { Db } from '../db/open.ts';
import type { KnownKinds } from '../engine/graph.ts';
import {
  activateCaptionStyleVersion,
  activateRecipeVersion,
  type CaptionStyleVersionInput,
  createCaptionStyleVersion,
  createPromptVersion,
  getPromptVersion,
  getVideoPreset,
  getVoicePreset,
  listCaptionStyles,
  listPresetNames,
  listPrompts,
  listRecipes,
  type PromptVersionInput,
  saveVideoPreset,
  saveVoicePreset,
  type VideoPresetInput,
  type VoicePresetInput,
} from '../library/index.ts';
import { CallFailure } from './call-failure.ts';
import type { Handlers } from './dispatch.ts';
import {
  captionStyleDetailOf,
  captionStyleViewOf,
  openedVideoPresetOf,
  openedVoicePresetOf,
  presetViewOr,
  promptDetailOf,
  promptViewOf,
  recipeViewOf,
  videoPresetViewOf,
  voicePresetViewOf,
} from './library-views.ts';

export type LibraryMethod = Extract<Method, `library.${string}`>;

/**
 * The Library's calls, straight onto the validated library API: what it rejects comes back as
 * `invalid` with every field problem (see call-failure.ts).
 */
export function libraryHandlers(db: Db, stepKinds: KnownKinds): Pick<Handlers, LibraryMethod> {
  const promptSummary = (slug: string) => findBySlug(listPrompts(db), slug, 'prompt');
  const recipeSummary = (slug: string) => findBySlug(listRecipes(db), slug, 'recipe');
  const captionStyleSummary = (slug: string) => findBySlug(listCaptionStyles(db), slug, 'caption style');
  return {
    'library.recipes': () => listRecipes(db).map(recipeViewOf),
    'library.presets': () => [
      ...listPresetNames(db, 'voice').map((listed) =>
        presetViewOr(listed, 'voice', () => voicePresetViewOf(getVoicePreset(db, listed.slug))),
      ),
      ...listPresetNames(db, 'video').map((listed) =>
        presetViewOr(listed, 'video', () => videoPresetViewOf(getVideoPreset(db, listed.slug))),
      ),
    ],
    'library.prompts': () => listPrompts(db).map(promptViewOf),
    'library.prompt': ({ slug }) => {
      const summary = promptSummary(String(slug));
      const shown = summary.active ?? summary.latest;
      const row = getPromptVersion(db, summary.slug, shown.version);
      if (!row) throw new CallFailure('not-found', `unknown prompt "${slug}"`);
      return promptDetailOf(summary, row);
    },
    'library.savePrompt': (input) => {
      const row = createPromptVersion(db, input as PromptVersionInput);
      return promptViewOf(promptSummary(row.slug));
    },
    'library.voicePreset': ({ slug }) => openedVoicePresetOf(getVoicePreset(db, String(slug))),
    'library.saveVoicePreset': ({ savedAt, ...fields }) =>
      voicePresetViewOf(saveVoicePreset(db, fields as VoicePresetInput, savedAt)),
    'library.videoPreset': ({ slug }) => openedVideoPresetOf(getVideoPreset(db, String(slug))),
    'library.saveVideoPreset': ({ savedAt, ...fields }) =>
      videoPresetViewOf(saveVideoPreset(db, fields as VideoPresetInput, savedAt)),
    'library.activateRecipe': ({ slug, version }) => {
      activateRecipeVersion(db, String(slug), Number(version), stepKinds);
      return recipeViewOf(recipeSummary(String(slug)));
    },
    'library.captionStyles': () => listCaptionStyles(db).map(captionStyleViewOf),
    'library.captionStyle': ({ slug }) => captionStyleDetailOf(captionStyleSummary(String(slug))),
    'library.saveCaptionStyle': (input) => {
      const row = createCaptionStyleVersion(db, input as CaptionStyleVersionInput);
      return captionStyleViewOf(captionStyleSummary(row.slug));
    },
    'library.activateCaptionStyle': ({ slug, version }) => {
      activateCaptionStyleVersion(db, String(slug), Number(version));
      return captionStyleViewOf(captionStyleSummary(String(slug)));
    },
  };
}

function findBySlug<T extends { slug: string }>(items: T[], slug: string, what: string): T {
  const found = items.find((item) => item.slug === slug);
  if (!found) throw new CallFailure('not-found', `unknown ${what} "${slug}"`);
  return found;
}
