import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { NodeMain } from './NodeMain.tsx';

// Found by reviewing the UI: the figures of a node that had died stayed on screen as if current.
describe('the page while the node is out of reach', () => {
  it('says its figures may be out of date, and dims them; not while the stream is live', () => {
    const page = (stale: boolean) =>
      renderToStaticMarkup(NodeMain({ stale, children: createElement('p', null, '8% ETA 0:35') }));
    const stale = page(true);
    expect(stale).toContain('<main class="stale">');
    expect(stale).toContain('Not connected to the node: what this page shows may be out of date.');
    expect(stale).toContain('8% ETA 0:35');
    expect(page(false)).toBe('<main><p>8% ETA 0:35</p></main>');
  });
});
