import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { throughputSeries } from '../lib/dashboard-series.ts';
import { ScreenBoundary } from './ScreenBoundary.tsx';

// Found by attacking the UI's data: a screen that threw on a malformed reply blanked the whole app.
describe('a screen that fails', () => {
  it('shows what went wrong and a way to try again instead of its content', () => {
    const state = ScreenBoundary.getDerivedStateFromError(new TypeError('task.id.slice is not a function'));
    const boundary = new ScreenBoundary({ children: createElement('p', null, 'the screen') });
    expect(renderToStaticMarkup(boundary.render() as never)).toBe('<p>the screen</p>');
    boundary.state = state;
    const html = renderToStaticMarkup(boundary.render() as never);
    expect(html).toContain('role="alert"');
    expect(html).toContain('task.id.slice is not a function');
    expect(html).toContain('Try again');
    expect(html).not.toContain('the screen');
  });

  it('draws a span too long for the dashboard as a bounded number of bars', () => {
    const history = { coordinatorId: 'c', from: 0, to: 1e18, samples: [], runs: [] };
    const [xs] = throughputSeries(history, history, 60_000);
    expect(xs.length).toBeLessThanOrEqual(2000);
  });
});
