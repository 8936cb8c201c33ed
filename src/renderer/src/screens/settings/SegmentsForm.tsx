import { useSettingsStore } from '../../stores/settings-store.ts';
import { SettingForm } from './SettingForm.tsx';

/**
 * How long each segment of a video split across the farm must at least be. The node checks the value;
 * text that is not a number is sent as such (NaN), so the node's message is the one shown.
 */
export function SegmentsForm({ current }: { current: number | null }) {
  const issues = useSettingsStore((state) => state.segmentIssues);
  const saving = useSettingsStore((state) => state.saving);
  const save = useSettingsStore((state) => state.setMinSegmentSeconds);
  return (
    <SettingForm
      testId="segments-form"
      label="Minimum segment length (seconds)"
      field="seconds"
      issues={issues}
      saving={saving}
      initial={current === null ? '' : String(current)}
      hint={`A video sent to the farm is split across its free encode slots when every part can last this long; shorter videos render whole. ${current === null ? 'Now: videos render whole.' : `Now: ${current} s.`}`}
      saveLabel="Save segment length"
      onSave={(seconds) => void save(seconds === '' ? Number.NaN : Number(seconds))}
    />
  );
}
