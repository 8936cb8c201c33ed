import { useId } from 'react';
import { countLabel } from '../../lib/diagnostics.ts';
import { isQueueable, useImportStore } from '../../stores/import-store.ts';
import { useLibraryStore } from '../../stores/library-store.ts';
import { ScriptCard } from './ScriptCard.tsx';

/** The recipe and video preset for the next import; empty means the node's defaults. */
function ImportOptions() {
  const recipes = useLibraryStore((state) => state.recipes);
  const presets = useLibraryStore((state) => state.presets);
  const recipe = useImportStore((state) => state.recipe);
  const videoPreset = useImportStore((state) => state.videoPreset);
  const setRecipe = useImportStore((state) => state.setRecipe);
  const setVideoPreset = useImportStore((state) => state.setVideoPreset);
  const recipeId = useId();
  const presetId = useId();
  const videoPresets = (presets ?? []).filter((preset) => preset.kind === 'video');
  return (
    <div className="row">
      <label htmlFor={recipeId}>Recipe</label>
      <select id={recipeId} value={recipe} onChange={(event) => setRecipe(event.target.value)}>
        <option value="">Default recipe</option>
        {(recipes ?? []).map((r) => (
          <option key={r.slug} value={r.slug}>
            {r.name}
          </option>
        ))}
      </select>
      <label htmlFor={presetId}>Video preset</label>
      <select id={presetId} value={videoPreset} onChange={(event) => setVideoPreset(event.target.value)}>
        <option value="">The recipe’s preset</option>
        {videoPresets.map((preset) => (
          <option key={preset.slug} value={preset.slug}>
            {preset.name}
          </option>
        ))}
      </select>
    </div>
  );
}

export function ImportPanel() {
  const scripts = useImportStore((state) => state.scripts);
  const queueing = useImportStore((state) => state.queueing);
  const queueValid = useImportStore((state) => state.queueValid);
  const clearFinished = useImportStore((state) => state.clearFinished);
  if (scripts.length === 0) return null;
  const queueable = scripts.filter(isQueueable).length;
  const checking = scripts.some((script) => script.state === 'checking');
  return (
    <section className="panel" aria-labelledby="import-heading">
      <h2 id="import-heading">Dropped scripts</h2>
      <ul className="script-cards">
        {scripts.map((script) => (
          <ScriptCard key={script.key} script={script} />
        ))}
      </ul>
      <div className="row" style={{ marginTop: 12 }}>
        <ImportOptions />
        <button
          type="button"
          className="primary"
          disabled={queueable === 0 || queueing || checking}
          onClick={() => void queueValid()}
        >
          {queueing ? 'Queueing…' : `Queue ${countLabel(queueable, 'valid script')}`}
        </button>
        <button type="button" onClick={clearFinished} disabled={checking}>
          Clear list
        </button>
      </div>
    </section>
  );
}
