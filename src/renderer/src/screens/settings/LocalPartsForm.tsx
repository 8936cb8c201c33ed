import { type FormEvent, useState } from 'react';
import { FormProblems, TextField } from '../../components/FormField.tsx';
import { unplacedMessages } from '../../lib/form-values.ts';
import { useSettingsStore } from '../../stores/settings-store.ts';

/**
 * How this Mac encodes one video: in parts at once, one per core it gives to renders. Text that is not a
 * number is sent as such (NaN), so the node's message is the one shown, next to its field.
 */
export function LocalPartsForm({ current }: { current: { parts: number; minSegmentSeconds: number } }) {
  const issues = useSettingsStore((state) => state.partsIssues);
  const saving = useSettingsStore((state) => state.saving);
  const save = useSettingsStore((state) => state.setLocalParts);
  const [parts, setParts] = useState(String(current.parts));
  const [seconds, setSeconds] = useState(String(current.minSegmentSeconds));
  const number = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(number(parts), number(seconds));
  };
  return (
    <form onSubmit={submit} noValidate className="panel" data-testid="local-parts-form">
      <TextField
        label="Parts per video on this Mac"
        field="parts"
        issues={issues}
        value={parts}
        onChange={setParts}
        inputMode="numeric"
        hint="A video is encoded in this many parts at once (one per core), joined without re-encoding. On the farm these are this Mac's encode slots (from its next start)."
      />
      <TextField
        label="Shortest part (seconds)"
        field="minSegmentSeconds"
        issues={issues}
        value={seconds}
        onChange={setSeconds}
        inputMode="decimal"
        hint="Fewer parts are used when each would be shorter; a video under twice this length renders whole."
      />
      <FormProblems messages={unplacedMessages(issues, ['parts', 'minSegmentSeconds'])} />
      <div className="row">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save local parts'}
        </button>
      </div>
    </form>
  );
}
