import { VideoPresetFieldsSchema, VoicePresetFieldsSchema } from '../../../../shared/contract.ts';
import { useLibraryStore } from '../../stores/library-store.ts';
import { CaptionStyleEditor } from './CaptionStyleEditor.tsx';
import { PresetForm } from './PresetForm.tsx';
import { PromptEditor } from './PromptEditor.tsx';

/** The open editor, remounted (fresh inputs) whenever another item or version is opened. */
export function LibraryEditorHost() {
  const editor = useLibraryStore((state) => state.editor);
  const issues = useLibraryStore((state) => state.issues);
  const saving = useLibraryStore((state) => state.saving);
  const saveVoicePreset = useLibraryStore((state) => state.saveVoicePreset);
  const saveVideoPreset = useLibraryStore((state) => state.saveVideoPreset);
  const saveCaptionStyle = useLibraryStore((state) => state.saveCaptionStyle);
  const showIssues = useLibraryStore((state) => state.showIssues);
  const close = useLibraryStore((state) => state.closeEditor);
  if (!editor) return null;
  const common = { issues, saving, onInvalid: showIssues, onClose: close };
  switch (editor.kind) {
    case 'prompt':
      return (
        <PromptEditor key={`prompt-${editor.slug}-${editor.loaded.shownVersion}`} loaded={editor.loaded} />
      );
    case 'voice':
      return (
        <PresetForm
          key={`voice-${editor.slug}`}
          title={`Voice preset ${editor.slug}`}
          schema={VoicePresetFieldsSchema}
          loaded={editor.loaded}
          onSave={(fields) => void saveVoicePreset(fields)}
          {...common}
        />
      );
    case 'video':
      return (
        <PresetForm
          key={`video-${editor.slug}`}
          title={`Video preset ${editor.slug}`}
          schema={VideoPresetFieldsSchema}
          loaded={editor.loaded}
          onSave={(fields) => void saveVideoPreset(fields)}
          {...common}
        />
      );
    case 'caption-style':
      return (
        <CaptionStyleEditor
          key={`caption-style-${editor.slug}-${editor.loaded.shownVersion}`}
          loaded={editor.loaded}
          onSave={(fields, activate) => void saveCaptionStyle(fields, activate)}
          {...common}
        />
      );
  }
}
