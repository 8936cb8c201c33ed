import { useEffect } from 'react';
import { useLibraryStore } from '../stores/library-store.ts';
import { LibraryEditorHost } from './library/LibraryEditorHost.tsx';
import { RecipeActivation } from './library/RecipeActivation.tsx';

function version(active: number | null, latest: number): string {
  return active === null
    ? `none active (latest v${latest})`
    : `v${active}${active === latest ? '' : ` (latest v${latest})`}`;
}

/** Recipes (pick the active version), presets and prompts (edit), all through the node's library API. */
export function LibraryScreen() {
  const recipes = useLibraryStore((state) => state.recipes);
  const presets = useLibraryStore((state) => state.presets);
  const prompts = useLibraryStore((state) => state.prompts);
  const load = useLibraryStore((state) => state.load);
  const openPrompt = useLibraryStore((state) => state.openPrompt);
  const openVoicePreset = useLibraryStore((state) => state.openVoicePreset);
  const openVideoPreset = useLibraryStore((state) => state.openVideoPreset);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <>
      <h1>Library</h1>
      <LibraryEditorHost />
      <h2 id="recipes-heading">Recipes</h2>
      {recipes === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <table aria-labelledby="recipes-heading" data-testid="recipes">
          <thead>
            <tr>
              <th scope="col">Recipe</th>
              <th scope="col">Description</th>
              <th scope="col">Version</th>
              <th scope="col">Active version</th>
            </tr>
          </thead>
          <tbody>
            {recipes.map((recipe) => (
              <tr key={recipe.slug}>
                <th scope="row">
                  {recipe.name}
                  <div className="muted">
                    <code>{recipe.slug}</code>
                  </div>
                </th>
                <td>{recipe.description}</td>
                <td>{version(recipe.activeVersion, recipe.latestVersion)}</td>
                <td>
                  <RecipeActivation key={`${recipe.activeVersion}`} recipe={recipe} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2 id="presets-heading">Presets</h2>
      {presets === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <table aria-labelledby="presets-heading" data-testid="presets">
          <thead>
            <tr>
              <th scope="col">Preset</th>
              <th scope="col">Kind</th>
              <th scope="col">Summary</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {presets.map((preset) => (
              <tr key={`${preset.kind}-${preset.slug}`}>
                <th scope="row">
                  {preset.name}
                  <div className="muted">
                    <code>{preset.slug}</code>
                  </div>
                </th>
                <td>{preset.kind}</td>
                <td>{preset.summary}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`Edit ${preset.kind} preset ${preset.slug}`}
                    onClick={() =>
                      void (preset.kind === 'voice' ? openVoicePreset : openVideoPreset)(preset.slug)
                    }
                  >
                    Edit
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2 id="prompts-heading">Prompts</h2>
      {prompts === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <table aria-labelledby="prompts-heading" data-testid="prompts">
          <thead>
            <tr>
              <th scope="col">Prompt</th>
              <th scope="col">Model</th>
              <th scope="col">Max tokens</th>
              <th scope="col">Temperature</th>
              <th scope="col">Version</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {prompts.map((prompt) => (
              <tr key={prompt.slug}>
                <th scope="row">
                  <code>{prompt.slug}</code>
                </th>
                <td>{prompt.model}</td>
                <td>{prompt.maxTokens}</td>
                <td>{prompt.temperature ?? <span className="muted">not sent</span>}</td>
                <td>{version(prompt.activeVersion, prompt.latestVersion)}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`Edit prompt ${prompt.slug}`}
                    onClick={() => void openPrompt(prompt.slug)}
                  >
                    Edit
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
