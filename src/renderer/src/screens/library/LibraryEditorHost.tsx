import { useLibraryStore } from '../../stores/library-store.ts';
import { PromptEditor } from './PromptEditor.tsx';
import { VideoPresetEditor } from './VideoPresetEditor.tsx';
import { VoicePresetEditor } from './VoicePresetEditor.tsx';

/** The open editor, remounted (fresh inputs) whenever another item or version is opened. */
export function LibraryEditorHost() {
  const editor = useLibraryStore((state) => state.editor);
  if (!editor) return null;
  switch (editor.kind) {
    case 'prompt':
      return (
        <PromptEditor key={`prompt-${editor.slug}-${editor.loaded.shownVersion}`} loaded={editor.loaded} />
      );
    case 'voice':
      return <VoicePresetEditor key={`voice-${editor.slug}`} loaded={editor.loaded} />;
    case 'video':
      return <VideoPresetEditor key={`video-${editor.slug}`} loaded={editor.loaded} />;
  }
}
