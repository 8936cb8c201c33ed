import { useSettingsStore } from '../../stores/settings-store.ts';
import { SettingForm } from './SettingForm.tsx';

/** The ffmpeg this node runs: an absolute path to an executable, or empty to search for one. */
export function FfmpegPathForm({ current }: { current: string | null }) {
  const issues = useSettingsStore((state) => state.issues);
  const saving = useSettingsStore((state) => state.saving);
  const setFfmpegPath = useSettingsStore((state) => state.setFfmpegPath);
  return (
    <SettingForm
      testId="ffmpeg-form"
      label="ffmpeg path"
      field="path"
      issues={issues}
      saving={saving}
      initial={current ?? ''}
      hint={`e.g. /usr/bin/ffmpeg; empty to search for ffmpeg. ${current ? `Now: ${current}` : 'Now: searched for'}. Used from the node's next start.`}
      saveLabel="Save ffmpeg path"
      onSave={(path) => void setFfmpegPath(path === '' ? null : path)}
    />
  );
}
