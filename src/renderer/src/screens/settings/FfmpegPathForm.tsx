import { type FormEvent, useState } from 'react';
import { FormProblems, TextField } from '../../components/FormField.tsx';
import { unplacedMessages } from '../../lib/form-values.ts';
import { useSettingsStore } from '../../stores/settings-store.ts';

/** The ffmpeg this node runs: an absolute path to an executable, or empty to search for one. */
export function FfmpegPathForm({ current }: { current: string | null }) {
  const issues = useSettingsStore((state) => state.issues);
  const saving = useSettingsStore((state) => state.saving);
  const setFfmpegPath = useSettingsStore((state) => state.setFfmpegPath);
  const [path, setPath] = useState(current ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void setFfmpegPath(path.trim() === '' ? null : path.trim());
  };
  return (
    <form onSubmit={submit} noValidate className="panel" data-testid="ffmpeg-form">
      <TextField
        label="ffmpeg path"
        field="path"
        issues={issues}
        value={path}
        onChange={setPath}
        hint={`e.g. /usr/bin/ffmpeg; empty to search for ffmpeg. ${current ? `Now: ${current}` : 'Now: searched for'}. Used from the node's next start.`}
      />
      <FormProblems messages={unplacedMessages(issues, ['path'])} />
      <div className="row">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save ffmpeg path'}
        </button>
      </div>
    </form>
  );
}
