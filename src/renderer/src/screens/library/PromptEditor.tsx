import { useId, useState } from 'react';
import type { PromptDetail } from '../../../../shared/contract.ts';
import { TextField } from '../../components/FormField.tsx';
import { listOf, nullableNumber, numberOrText, textOf, unplacedMessages } from '../../lib/form-values.ts';
import { useLibraryStore } from '../../stores/library-store.ts';
import { EditorPanel } from './EditorPanel.tsx';
import { useDraft } from './use-draft.ts';

const FIELDS = ['systemPrompt', 'userTemplate', 'model', 'maxTokens', 'temperature', 'kbTiers'] as const;

/** A prompt's fields; saving adds the next version (old versions stay as jobs used them). */
export function PromptEditor({ loaded }: { loaded: PromptDetail }) {
  const issues = useLibraryStore((state) => state.issues);
  const saving = useLibraryStore((state) => state.saving);
  const save = useLibraryStore((state) => state.savePrompt);
  const close = useLibraryStore((state) => state.closeEditor);
  const activateId = useId();
  const [activate, setActivate] = useState(true);
  const { draft, field } = useDraft({
    systemPrompt: loaded.systemPrompt,
    userTemplate: loaded.userTemplate,
    model: loaded.model,
    maxTokens: textOf(loaded.maxTokens),
    temperature: textOf(loaded.temperature),
    kbTiers: loaded.kbTiers.join(', '),
  });
  const submit = () =>
    void save({
      slug: loaded.slug,
      systemPrompt: draft.systemPrompt,
      userTemplate: draft.userTemplate,
      model: draft.model.trim(),
      maxTokens: numberOrText(draft.maxTokens),
      temperature: nullableNumber(draft.temperature),
      kbTiers: listOf(draft.kbTiers),
      activate,
    });
  const common = { issues };
  const active = loaded.activeVersion === null ? 'none active' : `v${loaded.activeVersion} active`;
  return (
    <EditorPanel
      title={`Prompt ${loaded.slug} (showing v${loaded.shownVersion}; ${active})`}
      problems={unplacedMessages(issues, FIELDS)}
      saving={saving}
      submitLabel="Save as new version"
      onSubmit={submit}
      onClose={close}
      extraActions={
        <span className="checkbox">
          <input
            id={activateId}
            type="checkbox"
            checked={activate}
            onChange={(e) => setActivate(e.target.checked)}
          />
          <label htmlFor={activateId}>Activate (new jobs use it)</label>
        </span>
      }
    >
      <TextField label="System prompt" field="systemPrompt" rows={6} {...common} {...field('systemPrompt')} />
      <TextField
        label="User template"
        field="userTemplate"
        rows={8}
        hint="{{placeholders}} are filled in per job"
        {...common}
        {...field('userTemplate')}
      />
      <TextField label="Model" field="model" {...common} {...field('model')} />
      <TextField
        label="Max tokens"
        field="maxTokens"
        inputMode="numeric"
        {...common}
        {...field('maxTokens')}
      />
      <TextField
        label="Temperature"
        field="temperature"
        inputMode="decimal"
        hint="0..1; empty to not send one"
        {...common}
        {...field('temperature')}
      />
      <TextField
        label="Knowledge-base tiers"
        field="kbTiers"
        hint="comma-separated"
        {...common}
        {...field('kbTiers')}
      />
    </EditorPanel>
  );
}
