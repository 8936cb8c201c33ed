import { useId, useState } from 'react';
import type { RecipeView } from '../../../../shared/contract.ts';
import { useLibraryStore } from '../../stores/library-store.ts';

/** Picks which version of a recipe new jobs use. */
export function RecipeActivation({ recipe }: { recipe: RecipeView }) {
  const activate = useLibraryStore((state) => state.activateRecipe);
  const selectId = useId();
  const [version, setVersion] = useState(recipe.activeVersion ?? recipe.latestVersion);
  const versions = Array.from({ length: recipe.latestVersion }, (_, index) => recipe.latestVersion - index);
  return (
    <span className="row">
      <label htmlFor={selectId} className="visually-hidden">
        Version of {recipe.slug}
      </label>
      <select id={selectId} value={version} onChange={(e) => setVersion(Number(e.target.value))}>
        {versions.map((v) => (
          <option key={v} value={v}>
            v{v}
            {v === recipe.activeVersion ? ' (active)' : ''}
          </option>
        ))}
      </select>
      <button
        type="button"
        disabled={version === recipe.activeVersion}
        onClick={() => void activate(recipe.slug, version)}
        aria-label={`Activate ${recipe.slug} v${version}`}
      >
        Activate
      </button>
    </span>
  );
}
