import type { VoicePresetFields } from '../../../../shared/contract.ts';
import { FormField, TextField } from '../../components/FormField.tsx';
import {
  nullableNumber,
  nullableText,
  pairsOf,
  pairsText,
  textOf,
  unplacedMessages,
} from '../../lib/form-values.ts';
import { useLibraryStore } from '../../stores/library-store.ts';
import { EditorPanel } from './EditorPanel.tsx';
import { useDraft } from './use-draft.ts';

const FIELDS = [
  'name',
  'provider',
  'voiceNames',
  'language',
  'prosody',
  'style',
  'styleDegree',
  'role',
  'directionMap',
] as const;

function prosodyOf(rate: string, pitch: string): VoicePresetFields['prosody'] {
  return {
    ...(rate.trim() ? { rate: rate.trim() } : {}),
    ...(pitch.trim() ? { pitch: pitch.trim() } : {}),
  };
}

/** Every field of one voice preset, the stage-direction vocabulary as JSON. */
export function VoicePresetEditor({ loaded }: { loaded: VoicePresetFields }) {
  const issues = useLibraryStore((state) => state.issues);
  const saving = useLibraryStore((state) => state.saving);
  const save = useLibraryStore((state) => state.saveVoicePreset);
  const showIssues = useLibraryStore((state) => state.showIssues);
  const close = useLibraryStore((state) => state.closeEditor);
  const { draft, field } = useDraft({
    name: loaded.name,
    provider: loaded.provider,
    voiceNames: pairsText(loaded.voiceNames),
    language: loaded.language,
    rate: textOf(loaded.prosody.rate),
    pitch: textOf(loaded.prosody.pitch),
    style: textOf(loaded.style),
    styleDegree: textOf(loaded.styleDegree),
    role: textOf(loaded.role),
    directionMap: JSON.stringify(loaded.directionMap, null, 2),
  });
  const submit = () => {
    let directionMap: unknown;
    try {
      directionMap = JSON.parse(draft.directionMap);
    } catch (error) {
      showIssues([{ field: 'directionMap', message: `not valid JSON: ${(error as Error).message}` }]);
      return;
    }
    void save({
      slug: loaded.slug,
      name: draft.name,
      provider: draft.provider as VoicePresetFields['provider'],
      voiceNames: pairsOf(draft.voiceNames),
      language: draft.language.trim(),
      prosody: prosodyOf(draft.rate, draft.pitch),
      style: nullableText(draft.style),
      styleDegree: nullableNumber(draft.styleDegree),
      role: nullableText(draft.role),
      directionMap,
    });
  };
  const common = { issues };
  return (
    <EditorPanel
      title={`Voice preset ${loaded.slug}`}
      problems={unplacedMessages(issues, FIELDS)}
      saving={saving}
      submitLabel="Save preset"
      onSubmit={submit}
      onClose={close}
    >
      <TextField label="Name" field="name" {...common} {...field('name')} />
      <FormField
        label="Provider"
        field="provider"
        issues={issues}
        control={(props) => (
          <select
            {...props}
            value={draft.provider}
            onChange={(e) => field('provider').onChange(e.target.value)}
          >
            <option value="offline">offline</option>
            <option value="azure">azure</option>
          </select>
        )}
      />
      <TextField
        label="Voices"
        field="voiceNames"
        rows={3}
        hint="one “synthesizer = voice” per line, e.g. espeak-ng = en-us"
        {...common}
        {...field('voiceNames')}
      />
      <TextField label="Language" field="language" hint='e.g. "en-US"' {...common} {...field('language')} />
      <TextField label="Rate" field="prosody.rate" hint='e.g. "+10%"' {...common} {...field('rate')} />
      <TextField
        label="Pitch"
        field="prosody.pitch"
        hint='e.g. "+5%" or "-2st"'
        {...common}
        {...field('pitch')}
      />
      <TextField label="Style" field="style" hint="empty for none" {...common} {...field('style')} />
      <TextField
        label="Style degree"
        field="styleDegree"
        inputMode="decimal"
        hint="empty for none"
        {...common}
        {...field('styleDegree')}
      />
      <TextField label="Role" field="role" hint="empty for none" {...common} {...field('role')} />
      <TextField
        label="Stage directions (JSON)"
        field="directionMap"
        rows={8}
        {...common}
        {...field('directionMap')}
      />
    </EditorPanel>
  );
}
