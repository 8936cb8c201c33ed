/** The node's library: recipes, presets, caption styles and prompts, and the one editor open on one of them. */
import { create } from 'zustand';
import type {
  CaptionStyleDetail,
  CaptionStyleFields,
  CaptionStyleView,
  FieldIssue,
  OpenedVideoPreset,
  OpenedVoicePreset,
  PresetView,
  PromptDetail,
  PromptInput,
  PromptView,
  RecipeView,
  VideoPresetFields,
  VoicePresetFields,
} from '../../../shared/contract.ts';
import { callApi, callForForm } from './call-api.ts';
import { notify } from './toast-store.ts';

export type LibraryEditor =
  | { kind: 'prompt'; slug: string; loaded: PromptDetail }
  | { kind: 'voice'; slug: string; loaded: OpenedVoicePreset }
  | { kind: 'video'; slug: string; loaded: OpenedVideoPreset }
  | { kind: 'caption-style'; slug: string; loaded: CaptionStyleDetail };

interface LibraryState {
  recipes: RecipeView[] | null;
  presets: PresetView[] | null;
  prompts: PromptView[] | null;
  captionStyles: CaptionStyleView[] | null;
  editor: LibraryEditor | null;
  /** What the node rejected in the last save, by field. */
  issues: FieldIssue[];
  saving: boolean;
  load(): Promise<void>;
  openPrompt(slug: string): Promise<void>;
  openVoicePreset(slug: string): Promise<void>;
  openVideoPreset(slug: string): Promise<void>;
  openCaptionStyle(slug: string): Promise<void>;
  closeEditor(): void;
  /** Form-side problems (e.g. JSON that does not parse), shown like the node's. */
  showIssues(issues: FieldIssue[]): void;
  savePrompt(input: PromptInput): Promise<boolean>;
  saveVoicePreset(fields: VoicePresetFields): Promise<boolean>;
  saveVideoPreset(fields: VideoPresetFields): Promise<boolean>;
  /** Saves the fields as the style's next version, made active when `activate`. */
  saveCaptionStyle(fields: CaptionStyleFields, activate: boolean): Promise<boolean>;
  activateRecipe(slug: string, version: number): Promise<void>;
  activateCaptionStyle(slug: string, version: number): Promise<void>;
}

export const useLibraryStore = create<LibraryState>()((set, get) => {
  /** Runs one save: issues go to the form, success to a toast and a reload of the lists. */
  async function save<T>(
    run: () => Promise<{ ok: true; value: T } | { ok: false; issues: FieldIssue[] }>,
    saved: (value: T) => string,
  ): Promise<boolean> {
    set({ saving: true, issues: [] });
    const result = await run();
    set({ saving: false });
    if (!result.ok) {
      set({ issues: result.issues });
      return false;
    }
    notify('success', saved(result.value));
    await get().load();
    return true;
  }
  /** The editor, when it is open on this preset. */
  function presetEditor<K extends 'voice' | 'video'>(kind: K, slug: string) {
    const { editor } = get();
    return editor?.kind === kind && editor.slug === slug
      ? (editor as Extract<LibraryEditor, { kind: K }>)
      : null;
  }
  return {
    recipes: null,
    presets: null,
    prompts: null,
    captionStyles: null,
    editor: null,
    issues: [],
    saving: false,
    async load() {
      const [recipes, presets, prompts, captionStyles] = await Promise.all([
        callApi('library.recipes', {}, 'Loading recipes'),
        callApi('library.presets', {}, 'Loading presets'),
        callApi('library.prompts', {}, 'Loading prompts'),
        callApi('library.captionStyles', {}, 'Loading caption styles'),
      ]);
      set((state) => ({
        recipes: recipes ?? state.recipes,
        presets: presets ?? state.presets,
        prompts: prompts ?? state.prompts,
        captionStyles: captionStyles ?? state.captionStyles,
      }));
    },
    async openPrompt(slug) {
      const loaded = await callApi('library.prompt', { slug }, `Opening prompt ${slug}`);
      if (loaded) set({ editor: { kind: 'prompt', slug, loaded }, issues: [] });
    },
    async openVoicePreset(slug) {
      const loaded = await callApi('library.voicePreset', { slug }, `Opening voice preset ${slug}`);
      if (loaded) set({ editor: { kind: 'voice', slug, loaded }, issues: [] });
    },
    async openVideoPreset(slug) {
      const loaded = await callApi('library.videoPreset', { slug }, `Opening video preset ${slug}`);
      if (loaded) set({ editor: { kind: 'video', slug, loaded }, issues: [] });
    },
    async openCaptionStyle(slug) {
      const loaded = await callApi('library.captionStyle', { slug }, `Opening caption style ${slug}`);
      if (loaded) set({ editor: { kind: 'caption-style', slug, loaded }, issues: [] });
    },
    closeEditor() {
      set({ editor: null, issues: [] });
    },
    showIssues(issues) {
      set({ issues });
    },
    async savePrompt(input) {
      const saved = await save(
        () => callForForm('library.savePrompt', input, `Saving prompt ${input.slug}`),
        (view) =>
          `Saved prompt ${view.slug} as v${view.latestVersion}${view.activeVersion === view.latestVersion ? ' (active)' : ''}`,
      );
      if (saved) await get().openPrompt(input.slug);
      return saved;
    },
    async saveVoicePreset(fields) {
      const savedAt = presetEditor('voice', fields.slug)?.loaded.savedAt;
      const saved = await save(
        () =>
          callForForm(
            'library.saveVoicePreset',
            { ...fields, savedAt },
            `Saving voice preset ${fields.slug}`,
          ),
        (view) => `Saved voice preset ${view.slug}`,
      );
      // The editor's next save is based on this one; the form keeps what is typed in it.
      if (saved && presetEditor('voice', fields.slug)) {
        const loaded = await callApi('library.voicePreset', { slug: fields.slug });
        const editor = presetEditor('voice', fields.slug);
        if (loaded && editor) set({ editor: { ...editor, loaded } });
      }
      return saved;
    },
    async saveVideoPreset(fields) {
      const savedAt = presetEditor('video', fields.slug)?.loaded.savedAt;
      const saved = await save(
        () =>
          callForForm(
            'library.saveVideoPreset',
            { ...fields, savedAt },
            `Saving video preset ${fields.slug}`,
          ),
        (view) => `Saved video preset ${view.slug}`,
      );
      if (saved && presetEditor('video', fields.slug)) {
        const loaded = await callApi('library.videoPreset', { slug: fields.slug });
        const editor = presetEditor('video', fields.slug);
        if (loaded && editor) set({ editor: { ...editor, loaded } });
      }
      return saved;
    },
    async saveCaptionStyle(fields, activate) {
      const saved = await save(
        () =>
          callForForm(
            'library.saveCaptionStyle',
            { ...fields, activate },
            `Saving caption style ${fields.slug}`,
          ),
        (view) =>
          `Saved caption style ${view.slug} as v${view.latestVersion}${view.activeVersion === view.latestVersion ? ' (active)' : ''}`,
      );
      if (saved) await get().openCaptionStyle(fields.slug);
      return saved;
    },
    async activateCaptionStyle(slug, version) {
      const view = await callApi(
        'library.activateCaptionStyle',
        { slug, version },
        `Activating caption style ${slug} v${version}`,
      );
      if (!view) return;
      notify('success', `Caption style ${slug}: v${version} is now active`);
      await get().load();
    },
    async activateRecipe(slug, version) {
      const view = await callApi(
        'library.activateRecipe',
        { slug, version },
        `Activating ${slug} v${version}`,
      );
      if (!view) return;
      notify('success', `Recipe ${slug}: v${version} is now active`);
      await get().load();
    },
  };
});
