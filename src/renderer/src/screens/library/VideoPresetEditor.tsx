import type { VideoPresetFields } from '../../../../shared/contract.ts';
import { FormField, TextField } from '../../components/FormField.tsx';
import {
  listOf,
  nullableNumber,
  nullableText,
  numberOrText,
  textOf,
  unplacedMessages,
} from '../../lib/form-values.ts';
import { useLibraryStore } from '../../stores/library-store.ts';
import { EditorPanel } from './EditorPanel.tsx';
import { useDraft } from './use-draft.ts';

const FIELDS = [
  'name',
  'encoders',
  'width',
  'height',
  'fps',
  'bitrate',
  'crf',
  'speedPreset',
  'pixelFormat',
  'audioBitrate',
  'audioSampleRate',
] as const;

/** Every field of one video preset; saving replaces the preset (jobs already made keep their copy). */
export function VideoPresetEditor({ loaded }: { loaded: VideoPresetFields }) {
  const issues = useLibraryStore((state) => state.issues);
  const saving = useLibraryStore((state) => state.saving);
  const save = useLibraryStore((state) => state.saveVideoPreset);
  const close = useLibraryStore((state) => state.closeEditor);
  const { draft, field } = useDraft({
    name: loaded.name,
    encoders: loaded.encoders.join(', '),
    width: textOf(loaded.width),
    height: textOf(loaded.height),
    fps: textOf(loaded.fps),
    bitrate: loaded.bitrate,
    crf: textOf(loaded.crf),
    speedPreset: textOf(loaded.speedPreset),
    pixelFormat: loaded.pixelFormat,
    audioBitrate: loaded.audioBitrate,
    audioSampleRate: textOf(loaded.audioSampleRate),
  });
  const submit = () =>
    void save({
      slug: loaded.slug,
      name: draft.name,
      encoders: listOf(draft.encoders),
      width: numberOrText(draft.width),
      height: numberOrText(draft.height),
      fps: numberOrText(draft.fps),
      bitrate: draft.bitrate.trim(),
      crf: nullableNumber(draft.crf),
      speedPreset: nullableText(draft.speedPreset),
      pixelFormat: draft.pixelFormat as VideoPresetFields['pixelFormat'],
      audioCodec: loaded.audioCodec,
      audioBitrate: draft.audioBitrate.trim(),
      audioSampleRate: numberOrText(draft.audioSampleRate),
    });
  const common = { issues };
  return (
    <EditorPanel
      title={`Video preset ${loaded.slug}`}
      problems={unplacedMessages(issues, FIELDS)}
      saving={saving}
      submitLabel="Save preset"
      onSubmit={submit}
      onClose={close}
    >
      <TextField label="Name" field="name" {...common} {...field('name')} />
      <TextField
        label="Encoders"
        field="encoders"
        hint="in order of preference, comma-separated"
        {...common}
        {...field('encoders')}
      />
      <TextField label="Width" field="width" inputMode="numeric" {...common} {...field('width')} />
      <TextField label="Height" field="height" inputMode="numeric" {...common} {...field('height')} />
      <TextField label="Frames per second" field="fps" inputMode="numeric" {...common} {...field('fps')} />
      <TextField label="Bitrate" field="bitrate" hint='e.g. "8M"' {...common} {...field('bitrate')} />
      <TextField
        label="CRF"
        field="crf"
        inputMode="numeric"
        hint="0..51, lower is better; empty for none"
        {...common}
        {...field('crf')}
      />
      <TextField
        label="Speed preset"
        field="speedPreset"
        hint='e.g. "veryfast"; empty for none'
        {...common}
        {...field('speedPreset')}
      />
      <FormField
        label="Pixel format"
        field="pixelFormat"
        issues={issues}
        control={(props) => (
          <select
            {...props}
            value={draft.pixelFormat}
            onChange={(e) => field('pixelFormat').onChange(e.target.value)}
          >
            <option value="yuv420p">yuv420p</option>
            <option value="nv12">nv12</option>
          </select>
        )}
      />
      <TextField
        label="Audio bitrate"
        field="audioBitrate"
        hint='e.g. "160k"'
        {...common}
        {...field('audioBitrate')}
      />
      <TextField
        label="Audio sample rate"
        field="audioSampleRate"
        inputMode="numeric"
        {...common}
        {...field('audioSampleRate')}
      />
    </EditorPanel>
  );
}
