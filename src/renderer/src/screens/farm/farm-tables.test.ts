/** The Farm view's controls as its tables render them: per node, per task, per block. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { FarmStatus, FarmTaskView, NodeView } from '../../../../shared/contract.ts';
import { BlockTable } from './BlockTable.tsx';
import { NodeTable } from './NodeTable.tsx';
import { TaskTable } from './TaskTable.tsx';

const node = (id: string, change: Partial<NodeView> = {}): NodeView => ({
  id,
  name: `studio-${id}`,
  role: 'worker',
  status: 'online',
  reason: null,
  version: '0.1.0',
  protocol: 1,
  url: `http://127.0.0.1:4870/${id}`,
  capabilities: { encoders: ['libx264'], cores: 8, slots: 1 },
  running: 0,
  ...change,
});

const task = (id: string, change: Partial<FarmTaskView> = {}): FarmTaskView => ({
  id: id.repeat(64).slice(0, 64),
  jobId: `job-${id}`,
  originNodeId: 'a',
  originName: 'studio-a',
  status: 'queued',
  priority: 0,
  createdAt: 0,
  attempts: 0,
  workerId: null,
  workerName: null,
  progress: null,
  lastError: null,
  segment: null,
  ...change,
});

const farm = (change: Partial<FarmStatus>): FarmStatus => ({
  self: 'a',
  coordinator: { id: 'a', url: '', term: 1 },
  nodes: [],
  ignored: [],
  queue: { backend: 'lan', queued: 0, running: 0, done: 0, failed: 0 },
  tasks: [],
  blocks: [],
  blockLimit: 3,
  alerts: [],
  encodes: [],
  ...change,
});

/** The markup of each row, by its test id and one data attribute. */
function rows(html: string, attribute: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of html.matchAll(new RegExp(`<tr[^>]*data-${attribute}="([^"]+)"[^>]*>(.*?)</tr>`, 'g')))
    found[match[1] as string] = match[2] as string;
  return found;
}

describe('the Farm view’s controls', () => {
  it('offers pause and drain for a working node, resume for a paused one, nothing for an incompatible one', () => {
    const status = farm({
      nodes: [
        node('a', { role: 'coordinator' }),
        node('b', { status: 'paused', reason: 'paused by an operator' }),
        node('c', { status: 'yielding', reason: 'outside its render hours (22:00-07:00)' }),
        node('d', { status: 'incompatible', protocol: 2, reason: 'speaks farm protocol 2' }),
      ],
    });
    const html = renderToStaticMarkup(createElement(NodeTable, { status }));
    const byName = rows(html, 'node-name');
    expect(byName['studio-a']).toMatch(/node-pause.*node-drain/);
    expect(byName['studio-b']).toContain('data-testid="node-resume"');
    expect(byName['studio-b']).not.toContain('node-pause');
    expect(byName['studio-b']).toContain('paused by an operator');
    expect(byName['studio-c']).toContain('outside its render hours (22:00-07:00)');
    expect(byName['studio-d']).not.toContain('<button');
    expect(byName['studio-d']).toMatch(/protocol (<!-- -->)?2/);
  });

  it('offers requeue for a leased task, cancel for an unfinished one, nothing for a failed one', () => {
    const status = farm({
      tasks: [
        task('1', { status: 'leased', workerId: 'b', workerName: 'studio-b', progress: 0.5 }),
        task('2', { priority: 5 }),
        task('3', { status: 'failed', lastError: 'every capable worker is blocked for this job' }),
      ],
    });
    const html = renderToStaticMarkup(createElement(TaskTable, { status }));
    const byStatus = rows(html, 'status');
    expect(byStatus.leased).toMatch(/task-requeue.*task-cancel/);
    expect(byStatus.queued).toContain('task-cancel');
    expect(byStatus.queued).not.toContain('task-requeue');
    expect(byStatus.failed).not.toContain('<button');
    expect(byStatus.failed).toContain('every capable worker is blocked for this job');
  });

  it('lists each blocked worker with a clear button', () => {
    const status = farm({
      blocks: [
        {
          originNodeId: 'a',
          jobId: 'job-1',
          workerId: 'b',
          workerName: 'studio-b',
          failures: 3,
          lastError: 'encoder crashed',
          updatedAt: 0,
        },
      ],
    });
    const html = renderToStaticMarkup(createElement(BlockTable, { status }));
    expect(html).toMatch(/studio-b.*job-1.*3.*encoder crashed.*data-testid="block-clear"/s);
    expect(renderToStaticMarkup(createElement(BlockTable, { status: farm({}) }))).toContain(
      'no worker failed 3 tasks of one job',
    );
  });
});
