/** The Library's caption styles: their table and their editor. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { CaptionStyleFields } from '../../../../shared/contract.ts';
import { CaptionStyleEditor } from './CaptionStyleEditor.tsx';
import { CaptionStyleTable } from './CaptionStyleTable.tsx';

const BOLD: CaptionStyleFields = {
  slug: 'bold-highlight',
  name: 'Bold, spoken word highlighted',
  font: 'dejavu-sans-condensed-bold',
  size: 72,
  textColour: '#FFFFFF',
  outlineColour: '#000000',
  outline: 5,
  shadowColour: '#00000000',
  shadow: 0,
  position: 'bottom',
  margin: 14,
  maxLines: 2,
  textCase: 'upper',
  wordHighlight: 'current-word',
  highlightColour: '#FFD400',
};
const VIEW = {
  slug: 'bold-highlight',
  name: BOLD.name,
  summary: 'DejaVu Sans Condensed 72 · bottom · current-word highlighted',
  activeVersion: 2,
  latestVersion: 3,
};
// React's generated ids differ per render; what matters is that labels and inputs share them.
const html = (element: ReturnType<typeof createElement>) =>
  renderToStaticMarkup(element).replace(/_R_[a-z0-9]+_/g, 'ID');
const ignore = () => {};

describe('caption styles in the Library', () => {
  it('lists each style with its summary, the version in use and a way to pick another or edit it', () => {
    const table = html(
      createElement(CaptionStyleTable, { styles: [VIEW], onEdit: ignore, onActivate: ignore }),
    );
    expect(table).toContain('data-testid="caption-styles"');
    expect(table).toContain(
      'Bold, spoken word highlighted<div class="muted"><code>bold-highlight</code></div>',
    );
    expect(table).toContain('<td>DejaVu Sans Condensed 72 · bottom · current-word highlighted</td>');
    expect(table).toContain('<td>v2 (latest v3)</td>');
    expect(table).toContain(
      '<option value="3">v3</option><option value="2" selected="">v2 (active)</option>',
    );
    expect(table).toContain('aria-label="Activate bold-highlight v2"');
    expect(table).toContain('aria-label="Edit caption style bold-highlight"');
  });

  it('edits a style as its next version, with the node’s issues next to their fields', () => {
    const editor = html(
      createElement(CaptionStyleEditor, {
        loaded: { ...VIEW, shownVersion: 2, fields: BOLD },
        issues: [{ field: 'size', message: 'size must be a whole number 8..400' }],
        saving: false,
        onSave: ignore,
        onInvalid: ignore,
        onClose: ignore,
      }),
    );
    expect(editor).toContain('Caption style bold-highlight (showing v2; v2 active)');
    expect(editor).toContain('<button type="submit" class="primary">Save as new version</button>');
    expect(editor).toContain('<label for="ID">Activate (new jobs use it)</label>');
    expect(editor).toContain('data-testid="field-error-size">size must be a whole number 8..400</span>');
    expect(editor).toContain('<option value="upper" selected="">upper</option>');
    expect(editor).not.toContain('>bold-highlight<'); // the slug names the row being edited, not an input
  });
});
