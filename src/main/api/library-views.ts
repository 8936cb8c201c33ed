import { CAPTION_FONTS } from '../../shared/caption-styles.ts';
import type {
  CaptionStyleDetail,
  CaptionStyleFields,
  CaptionStyleView,
  OpenedVideoPreset,
  OpenedVoicePreset,
  PresetView,
  PromptDetail,
  PromptView,
  RecipeView,
  VideoPresetFields,
  VoicePresetFields,
} from '../../shared/contract.ts';
import { StoredJsonError } from '../db/json-text.ts';
import type {
  CaptionStyleRow,
  PromptListing,
  PromptRow,
  RecipeListing,
  VersionSummary,
  VideoPresetRow,
  VoicePresetRow,
} from '../library/index.ts';

/** Library rows as the UI sees them: the same shapes over IPC and HTTP. */

export function recipeViewOf(recipe: VersionSummary<RecipeListing>): RecipeView {
  const shown = recipe.active ?? recipe.latest;
  return {
    slug: recipe.slug,
    name: shown.name,
    description: shown.description,
    activeVersion: recipe.active?.version ?? null,
    latestVersion: recipe.latest.version,
  };
}

export function voicePresetViewOf(preset: VoicePresetRow): PresetView {
  return {
    slug: preset.slug,
    name: preset.name,
    kind: 'voice',
    summary: `${preset.provider} · ${Object.values(preset.voiceNames).join(', ')} · ${preset.language}`,
  };
}

export function videoPresetViewOf(preset: VideoPresetRow): PresetView {
  return {
    slug: preset.slug,
    name: preset.name,
    kind: 'video',
    summary: `${preset.width}x${preset.height}@${preset.fps} · ${preset.encoders.join(' → ')}`,
  };
}

export function promptViewOf(prompt: VersionSummary<PromptListing>): PromptView {
  const shown = prompt.active ?? prompt.latest;
  return {
    slug: prompt.slug,
    activeVersion: prompt.active?.version ?? null,
    latestVersion: prompt.latest.version,
    model: shown.model,
    maxTokens: shown.maxTokens,
    temperature: shown.temperature,
  };
}

/** `shown` is the whole row of the version the summary shows (its active one, else its newest). */
export function promptDetailOf(prompt: VersionSummary<PromptListing>, shown: PromptRow): PromptDetail {
  return {
    ...promptViewOf(prompt),
    shownVersion: shown.version,
    systemPrompt: shown.systemPrompt,
    userTemplate: shown.userTemplate,
    kbTiers: [...shown.kbTiers],
  };
}

/**
 * A preset's line in the listing, or for a row whose JSON no longer reads (edited by hand), a line
 * that says so: the listing failed whole for one such row, hiding every other preset.
 */
export function presetViewOr(
  listed: { slug: string; name: string },
  kind: PresetView['kind'],
  view: () => PresetView,
): PresetView {
  try {
    return view();
  } catch (error) {
    if (!(error instanceof StoredJsonError)) throw error;
    return { ...listed, kind, summary: `not readable: its ${error.column} is not JSON` };
  }
}

/** A voice preset as an editor opens it: its fields, and when it was saved (its save sends that back). */
export function openedVoicePresetOf(preset: VoicePresetRow): OpenedVoicePreset {
  const { id: _id, updatedAt: savedAt, ...fields } = preset;
  return { ...fields, savedAt, provider: fields.provider as VoicePresetFields['provider'] };
}

export function openedVideoPresetOf(preset: VideoPresetRow): OpenedVideoPreset {
  const { id: _id, updatedAt: savedAt, ...fields } = preset;
  return {
    ...fields,
    savedAt,
    pixelFormat: fields.pixelFormat as VideoPresetFields['pixelFormat'],
    audioCodec: fields.audioCodec as VideoPresetFields['audioCodec'],
    speedPreset: fields.speedPreset as VideoPresetFields['speedPreset'],
  };
}

export function captionStyleViewOf(style: VersionSummary<CaptionStyleRow>): CaptionStyleView {
  const shown = style.active ?? style.latest;
  const highlight = shown.wordHighlight === 'none' ? 'no highlight' : `${shown.wordHighlight} highlighted`;
  return {
    slug: style.slug,
    name: shown.name,
    summary: `${CAPTION_FONTS[shown.font]?.family ?? shown.font} ${shown.size} · ${shown.position} · ${highlight}`,
    activeVersion: style.active?.version ?? null,
    latestVersion: style.latest.version,
  };
}

export function captionStyleFieldsOf(row: CaptionStyleRow): CaptionStyleFields {
  const { id: _id, version: _version, isActive: _active, createdAt: _created, ...fields } = row;
  return fields;
}

export function captionStyleDetailOf(style: VersionSummary<CaptionStyleRow>): CaptionStyleDetail {
  const shown = style.active ?? style.latest;
  return { ...captionStyleViewOf(style), shownVersion: shown.version, fields: captionStyleFieldsOf(shown) };
}
