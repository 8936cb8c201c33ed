/**
 * The library: what the studio configures (prompts, knowledge base, voice and video presets, recipes),
 * validated and versioned. The CLI, the farm and the GUI manage configuration only through this API.
 */
export {
  activateCaptionStyleVersion,
  type CaptionStyleRow,
  type CaptionStyleVersionInput,
  CaptionStyleVersionInputSchema,
  createCaptionStyleVersion,
  getCaptionStyle,
  listCaptionStyles,
  listCaptionStyleVersions,
} from './caption-styles.ts';
export { buildCompletionRequest, type CompletionRequest, KNOWLEDGE_VARIABLE } from './completion-request.ts';
export { LibraryError, type LibraryErrorKind, type LibraryIssue } from './errors.ts';
export {
  deleteKnowledge,
  getKnowledgeBase,
  type KnowledgeInput,
  KnowledgeInputSchema,
  type KnowledgeRow,
  listKnowledge,
  upsertKnowledge,
} from './knowledge.ts';
export {
  type VideoPresetInput,
  VOICE_PROVIDERS,
  type VoicePresetInput,
  VoicePresetInputSchema,
  videoPresetInputSchema,
} from './preset-schemas.ts';
export {
  getVideoPreset,
  getVoicePreset,
  listPresetNames,
  listVideoPresets,
  listVoicePresets,
  saveVideoPreset,
  saveVoicePreset,
  type VideoPresetRow,
  type VoicePresetRow,
} from './presets.ts';
export {
  activatePromptVersion,
  createPromptVersion,
  getPromptOrThrow,
  getPromptVersion,
  listPrompts,
  listPromptVersions,
  type PromptListing,
  type PromptRow,
  type PromptVersionInput,
  PromptVersionInputSchema,
} from './prompts.ts';
export { type RecipeVersionInput, recipeVersionInputSchema } from './recipe-schema.ts';
export {
  activateRecipeVersion,
  createRecipeVersion,
  getRecipe,
  listRecipes,
  listRecipeVersions,
  type RecipeListing,
  type RecipeRow,
} from './recipes.ts';
export { LIBRARY_LIMITS } from './rules.ts';
export { renderTemplate, templateProblems, templateVariables } from './template.ts';
export type { VersionSummary } from './versions.ts';
