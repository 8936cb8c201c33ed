import { type FormEvent, useState } from 'react';
import type { SettingsView } from '../../../../shared/contract.ts';
import { FormProblems, TextField } from '../../components/FormField.tsx';
import { unplacedMessages } from '../../lib/form-values.ts';
import { useSettingsStore } from '../../stores/settings-store.ts';
import { SettingForm } from './SettingForm.tsx';

/** When this node takes farm work (render hours); empty: any time. */
export function RenderHoursForm({ current }: { current: string | null }) {
  const issues = useSettingsStore((state) => state.farmIssues.hours);
  const saving = useSettingsStore((state) => state.saving);
  const save = useSettingsStore((state) => state.setRenderHours);
  return (
    <SettingForm
      testId="render-hours-form"
      label="Render hours (local time)"
      field="hours"
      issues={issues}
      saving={saving}
      initial={current ?? ''}
      hint={`e.g. 22:00-07:00, or several ranges: 12:00-13:00, 19:00-08:00. Outside them this node starts no farm work (what runs finishes). Empty: any time. ${current ? `Now: ${current}.` : 'Now: any time.'}`}
      saveLabel="Save render hours"
      onSave={(text) => void save(text === '' ? null : text)}
    />
  );
}

/** Step back while someone uses this computer: no new work, and optionally the running encodes paused. */
export function YieldForm({ current }: { current: SettingsView['yieldToUser'] }) {
  const issues = useSettingsStore((state) => state.farmIssues.yield);
  const saving = useSettingsStore((state) => state.saving);
  const save = useSettingsStore((state) => state.setYieldToUser);
  const [seconds, setSeconds] = useState(current ? String(current.idleSeconds) : '');
  const [suspend, setSuspend] = useState(current?.suspend ?? false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = seconds.trim();
    void save(text === '' ? null : { idleSeconds: Number(text), suspend });
  };
  return (
    <form onSubmit={submit} noValidate className="panel" data-testid="yield-form">
      <TextField
        label="Yield while used (seconds without keyboard or mouse)"
        field="yieldToUser.idleSeconds"
        issues={issues}
        value={seconds}
        onChange={setSeconds}
        hint="While this computer was used within this many seconds, it takes no farm work. Empty: never yields."
      />
      <label className="row">
        <input
          type="checkbox"
          checked={suspend}
          onChange={(event) => setSuspend(event.currentTarget.checked)}
        />
        Also pause the encodes running here until it is idle again
      </label>
      <FormProblems messages={unplacedMessages(issues, ['yieldToUser.idleSeconds'])} />
      <div className="row">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save yielding'}
        </button>
      </div>
    </form>
  );
}

/** Tasks of one job a worker may fail before it gets no more of them (read when this node coordinates). */
export function BlockLimitForm({ current }: { current: number }) {
  const issues = useSettingsStore((state) => state.farmIssues.limit);
  const saving = useSettingsStore((state) => state.saving);
  const save = useSettingsStore((state) => state.setBlockLimit);
  return (
    <SettingForm
      testId="block-limit-form"
      label="Failed tasks before a worker is blocked for a job"
      field="maxTaskFailures"
      issues={issues}
      saving={saving}
      initial={String(current)}
      hint={`Used while this node is the coordinator. Now: ${current}.`}
      saveLabel="Save block limit"
      onSave={(text) => void save(text === '' ? Number.NaN : Number(text))}
    />
  );
}

/** Names of this node in the studio's own DNS that browsers may reach its UI by (besides its addresses). */
export function UiHostsForm({ current }: { current: string[] }) {
  const issues = useSettingsStore((state) => state.farmIssues.hosts);
  const saving = useSettingsStore((state) => state.saving);
  const save = useSettingsStore((state) => state.setUiHosts);
  return (
    <SettingForm
      testId="ui-hosts-form"
      label="Other names of this node"
      field="hosts"
      issues={issues}
      saving={saving}
      initial={current.join(', ')}
      hint="Browsers reach this page at the node's IP address, its short name and its .local name. A name from your own DNS (render-1.studio.example) works once listed here, separated by commas; a page elsewhere that points its own name at this node is refused."
      saveLabel="Save names"
      onSave={(text) => void save(text.split(/[\s,]+/).filter((name) => name !== ''))}
    />
  );
}
