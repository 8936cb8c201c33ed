import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CaptionStyleSchema } from '../../../../shared/caption-styles.ts';
import type { FieldIssue } from '../../../../shared/contract.ts';
import { type VideoPreset, VideoPresetSchema, VoicePresetSchema } from '../../../../shared/presets.ts';
import { PresetForm } from './PresetForm.tsx';

const VIDEO: VideoPreset = {
  slug: 'preview-360p',
  name: 'Preview',
  encoders: ['libx264'],
  width: 640,
  height: 360,
  fps: 25,
  bitrate: '1M',
  crf: 28,
  speedPreset: 'veryfast',
  pixelFormat: 'yuv420p',
  audioCodec: 'aac',
  audioBitrate: '128k',
  audioSampleRate: 48000,
  loudness: { targetLufs: -14, truePeakDbtp: -1 },
  music: { levelDb: -14, duckDb: 10, attackMs: 20, releaseMs: 400, fadeInMs: 1500, fadeOutMs: 2500 },
  captionStyle: 'clean',
  transition: 'cut',
  maxDurationSeconds: null,
};

function render(schema: z.ZodObject, loaded: object, issues: FieldIssue[] = []): string {
  const html = renderToStaticMarkup(
    createElement(PresetForm, {
      title: 'Preset under test',
      schema,
      loaded: loaded as never,
      issues,
      saving: false,
      onSave: () => {},
      onInvalid: () => {},
      onClose: () => {},
    }),
  );
  // React's generated ids differ per render; what matters is that labels and inputs share them.
  return html.replace(/_R_[a-z0-9]+_/g, 'ID');
}

/** The labels of the form's inputs, in order. */
const labels = (html: string) => [...html.matchAll(/<label for="ID">([^<]*)<\/label>/g)].map((m) => m[1]);

describe('PresetForm', () => {
  it('shows every video preset field the schema declares, with its label, hint and value', () => {
    const html = render(VideoPresetSchema, VIDEO);
    expect(labels(html)).toEqual([
      'Name',
      'Encoders',
      'Width',
      'Height',
      'Frames per second',
      'Bitrate',
      'CRF',
      'Speed preset',
      'Pixel format',
      'Audio bitrate',
      'Audio sample rate',
      'Caption style',
      'Loudness target (LUFS)',
      'True-peak ceiling (dBTP)',
      'Music level (dB)',
      'Music ducking depth (dB)',
      'Ducking attack (ms)',
      'Ducking release (ms)',
      'Music fade-in (ms)',
      'Music fade-out (ms)',
      'Transition',
      'Longest video (s)',
    ]);
    expect(html).toContain(
      '<input id="ID" aria-invalid="false" type="text" inputMode="numeric" value="640"/>',
    );
    expect(html).toContain(
      '<span id="ID-hint" class="muted field-hint">0..51, lower is better; empty for none</span>',
    );
    expect(html).toContain(
      '<option value="yuv420p" selected="">yuv420p</option><option value="nv12">nv12</option>',
    );
    expect(html).not.toContain('preview-360p'); // the slug is the row being edited, not an input
  });

  it('shows the voice preset’s record, nested and JSON fields', () => {
    const html = render(VoicePresetSchema, {
      slug: 'narrator',
      name: 'Narrator',
      provider: 'azure',
      voiceNames: { azure: 'en-US-JennyNeural' },
      language: 'en-US',
      prosody: { pitch: '-2st' },
      style: null,
      styleDegree: null,
      role: 'YoungAdultFemale',
      directionMap: { calm: { rate: '-5%' } },
    });
    expect(labels(html)).toEqual([
      'Name',
      'Provider',
      'Voices',
      'Language',
      'Rate',
      'Pitch',
      'Style',
      'Style degree',
      'Role',
      'Stage directions (JSON)',
    ]);
    expect(html).toContain('rows="3">azure = en-US-JennyNeural</textarea>');
    expect(html).toContain('type="text" value="-2st"/>');
    expect(html).toContain('<option value="azure" selected="">azure</option>');
    expect(html).toContain(
      `rows="8">${JSON.stringify({ calm: { rate: '-5%' } }, null, 2).replaceAll('"', '&quot;')}</textarea>`,
    );
  });

  it('shows the node’s issues next to their fields and the rest above the buttons', () => {
    const html = render(VideoPresetSchema, VIDEO, [
      { field: 'crf', message: 'crf must be 0..51' },
      { field: 'slug', message: 'no such preset' },
      { field: '(input)', message: 'the preset changed meanwhile' },
    ]);
    expect(html).toContain(
      '<input id="ID" aria-invalid="true" aria-describedby="ID-hint ID-error" type="text" inputMode="numeric" value="28"/>',
    );
    expect(html).toContain(
      '<span id="ID-error" class="error-text" data-testid="field-error-crf">crf must be 0..51</span>',
    );
    expect(html).toContain(
      '<ul class="error-text" data-testid="form-problems"><li>slug: no such preset</li><li>the preset changed meanwhile</li></ul>',
    );
  });

  it('shows every caption style field, its choices, and a rejected colour next to its field', () => {
    const clean = {
      slug: 'clean',
      name: 'Clean',
      font: 'dejavu-sans-bold',
      size: 56,
      textColour: '#FFFFFF',
      outlineColour: '#000000',
      outline: 3,
      shadowColour: '#0000007F',
      shadow: 2,
      position: 'bottom',
      margin: 6,
      maxLines: 2,
      textCase: 'as-written',
      wordHighlight: 'none',
      highlightColour: '#FFD400',
    };
    const html = render(CaptionStyleSchema, clean, [
      { field: 'highlightColour', message: 'highlightColour must look like "#FFD400"' },
    ]);
    expect(labels(html)).toEqual([
      'Name',
      'Font',
      'Text size',
      'Text colour',
      'Outline colour',
      'Outline width',
      'Shadow colour',
      'Shadow offset',
      'Position',
      'Margin',
      'Lines at most',
      'Case',
      'Word highlight',
      'Highlight colour',
    ]);
    expect(html).toContain(
      '<option value="dejavu-sans-bold" selected="">dejavu-sans-bold</option><option value="dejavu-sans-condensed-bold">dejavu-sans-condensed-bold</option>',
    );
    expect(html).toContain('<option value="current-word">current-word</option>');
    expect(html).toContain('type="text" inputMode="decimal" value="3"/>');
    expect(html).toContain(
      'data-testid="field-error-highlightColour">highlightColour must look like &quot;#FFD400&quot;</span>',
    );
  });

  it('shows a field added to the schema, with no change to the form', () => {
    const extended = VideoPresetSchema.extend({
      tonemap: z.boolean(),
      maxBitrate: z.string().nullable(),
      colour: z.enum(['bt709', 'bt2020']).optional(),
    });
    const html = render(extended, { ...VIDEO, tonemap: true, maxBitrate: '12M' }, [
      { field: 'maxBitrate', message: 'above the level’s limit' },
    ]);
    expect(labels(html).slice(-3)).toEqual(['Tonemap', 'Max bitrate', 'Colour']);
    expect(html).toContain('<input id="ID" aria-invalid="false" type="checkbox" checked=""/>');
    expect(html).toContain(
      'type="text" value="12M"/><span id="ID-hint" class="muted field-hint">empty for none</span>',
    );
    expect(html).toContain('data-testid="field-error-maxBitrate">above the level’s limit</span>');
    expect(html).toContain('<option value="" selected="">none</option><option value="bt709">bt709</option>');
  });
});
