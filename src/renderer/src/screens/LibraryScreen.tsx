import { useEffect } from 'react';
import type { PresetView, PromptView, RecipeView } from '../../../shared/contract.ts';
import { type Column, DataTable } from '../components/DataTable.tsx';
import { useLibraryStore } from '../stores/library-store.ts';
import { CaptionStyleTable } from './library/CaptionStyleTable.tsx';
import { LibraryEditorHost } from './library/LibraryEditorHost.tsx';
import { NameAndSlug, versionText } from './library/library-cells.tsx';
import { VersionActivation } from './library/VersionActivation.tsx';

/** Buttons act through the store's current actions: cells are plain functions, not components with hooks. */
const library = () => useLibraryStore.getState();

const RECIPE_COLUMNS: Column<RecipeView>[] = [
  {
    header: 'Recipe',
    rowHeader: true,
    cell: (recipe) => <NameAndSlug name={recipe.name} slug={recipe.slug} />,
  },
  { header: 'Description', cell: (recipe) => recipe.description },
  { header: 'Version', cell: (recipe) => versionText(recipe.activeVersion, recipe.latestVersion) },
  {
    header: 'Active version',
    cell: (recipe) => (
      <VersionActivation
        key={`${recipe.activeVersion}`}
        slug={recipe.slug}
        activeVersion={recipe.activeVersion}
        latestVersion={recipe.latestVersion}
        onActivate={(v) => void library().activateRecipe(recipe.slug, v)}
      />
    ),
  },
];

const PRESET_COLUMNS: Column<PresetView>[] = [
  {
    header: 'Preset',
    rowHeader: true,
    cell: (preset) => <NameAndSlug name={preset.name} slug={preset.slug} />,
  },
  { header: 'Kind', cell: (preset) => preset.kind },
  { header: 'Summary', cell: (preset) => preset.summary },
  {
    header: 'Actions',
    hideHeader: true,
    cell: (preset) => (
      <button
        type="button"
        aria-label={`Edit ${preset.kind} preset ${preset.slug}`}
        onClick={() =>
          void (preset.kind === 'voice' ? library().openVoicePreset : library().openVideoPreset)(preset.slug)
        }
      >
        Edit
      </button>
    ),
  },
];

const PROMPT_COLUMNS: Column<PromptView>[] = [
  { header: 'Prompt', rowHeader: true, cell: (prompt) => <code>{prompt.slug}</code> },
  { header: 'Model', cell: (prompt) => prompt.model },
  { header: 'Max tokens', cell: (prompt) => prompt.maxTokens },
  { header: 'Temperature', cell: (prompt) => prompt.temperature ?? <span className="muted">not sent</span> },
  { header: 'Version', cell: (prompt) => versionText(prompt.activeVersion, prompt.latestVersion) },
  {
    header: 'Actions',
    hideHeader: true,
    cell: (prompt) => (
      <button
        type="button"
        aria-label={`Edit prompt ${prompt.slug}`}
        onClick={() => void library().openPrompt(prompt.slug)}
      >
        Edit
      </button>
    ),
  },
];

/**
 * Recipes (pick the active version), presets, caption styles (edit, pick the active version) and
 * prompts (edit), all through the node's library API.
 */
export function LibraryScreen() {
  const recipes = useLibraryStore((state) => state.recipes);
  const presets = useLibraryStore((state) => state.presets);
  const prompts = useLibraryStore((state) => state.prompts);
  const captionStyles = useLibraryStore((state) => state.captionStyles);
  const load = useLibraryStore((state) => state.load);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <>
      <h1>Library</h1>
      <LibraryEditorHost />
      <h2 id="recipes-heading">Recipes</h2>
      <DataTable
        labelledBy="recipes-heading"
        testId="recipes"
        columns={RECIPE_COLUMNS}
        rows={recipes}
        rowKey={(recipe) => recipe.slug}
      />
      <h2 id="presets-heading">Presets</h2>
      <DataTable
        labelledBy="presets-heading"
        testId="presets"
        columns={PRESET_COLUMNS}
        rows={presets}
        rowKey={(preset) => `${preset.kind}-${preset.slug}`}
      />
      <h2 id="caption-styles-heading">Caption styles</h2>
      <CaptionStyleTable
        styles={captionStyles}
        onEdit={(slug) => void library().openCaptionStyle(slug)}
        onActivate={(slug, version) => void library().activateCaptionStyle(slug, version)}
      />
      <h2 id="prompts-heading">Prompts</h2>
      <DataTable
        labelledBy="prompts-heading"
        testId="prompts"
        columns={PROMPT_COLUMNS}
        rows={prompts}
        rowKey={(prompt) => prompt.slug}
      />
    </>
  );
}
