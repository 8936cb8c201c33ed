/** Recipes, presets and prompts of the node's library (read-only views for now). */
import { create } from 'zustand';
import type { PresetView, PromptView, RecipeView } from '../../../shared/contract.ts';
import { callApi } from './call-api.ts';

interface LibraryState {
  recipes: RecipeView[] | null;
  presets: PresetView[] | null;
  prompts: PromptView[] | null;
  load(): Promise<void>;
}

export const useLibraryStore = create<LibraryState>()((set) => ({
  recipes: null,
  presets: null,
  prompts: null,
  async load() {
    const [recipes, presets, prompts] = await Promise.all([
      callApi('library.recipes', {}, 'Loading recipes'),
      callApi('library.presets', {}, 'Loading presets'),
      callApi('library.prompts', {}, 'Loading prompts'),
    ]);
    set((state) => ({
      recipes: recipes ?? state.recipes,
      presets: presets ?? state.presets,
      prompts: prompts ?? state.prompts,
    }));
  },
}));
