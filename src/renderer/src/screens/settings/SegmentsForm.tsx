import { type FormEvent, useState } from 'react';
import { FormProblems, TextField } from '../../components/FormField.tsx';
import { unplacedMessages } from '../../lib/form-values.ts';
import { useSettingsStore } from '../../stores/settings-store.ts';

/**
 * How long each segment of a video split across the farm must at least be. The node checks the value;
 * a number that is not one is sent as it is, so the node's message is the one shown.
 */
export function SegmentsForm({ current }: { current: number | null }) {
  const issues = useSettingsStore((state) => state.segmentIssues);
  const saving = useSettingsStore((state) => state.saving);
  const save = useSettingsStore((state) => state.setMinSegmentSeconds);
  const [seconds, setSeconds] = useState(current === null ? '' : String(current));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(seconds.trim() === '' ? Number.NaN : Number(seconds));
  };
  return (
    <form onSubmit={submit} noValidate className="panel" data-testid="segments-form">
      <TextField
        label="Minimum segment length (seconds)"
        field="seconds"
        issues={issues}
        value={seconds}
        onChange={setSeconds}
        hint={`A video sent to the farm is split across its free encode slots when every part can last this long; shorter videos render whole. ${current === null ? 'Now: videos render whole.' : `Now: ${current} s.`}`}
      />
      <FormProblems messages={unplacedMessages(issues, ['seconds'])} />
      <div className="row">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save segment length'}
        </button>
      </div>
    </form>
  );
}
