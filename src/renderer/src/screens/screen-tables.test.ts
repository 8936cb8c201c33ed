/** The rows the browser test selects on (test ids, data-* attributes) as the screens' tables render them. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { FarmStatus, NodeView, StepSummary } from '../../../shared/contract.ts';
import { AlertList } from './farm/AlertList.tsx';
import { EncodeTable } from './farm/EncodeTable.tsx';
import { NodeTable } from './farm/NodeTable.tsx';
import { ArtifactTable } from './job/ArtifactTable.tsx';
import { StepTable } from './job/StepTable.tsx';

const node = (id: string, role: NodeView['role']): NodeView => ({
  id,
  name: `studio-${id}`,
  role,
  status: 'online',
  reason: null,
  version: '0.1.0',
  protocol: 1,
  url: `http://127.0.0.1:4870/${id}`,
  capabilities: { encoders: ['libx264'], cores: 8, slots: 2 },
  running: 1,
});

const step = (key: string, status: StepSummary['status'], error: string | null = null): StepSummary => ({
  key,
  kind: key,
  status,
  reused: false,
  attempts: 1,
  progress: 0,
  error,
  errorKind: error ? 'tool' : null,
  startedAt: null,
  completedAt: null,
});

describe('screen tables', () => {
  it('marks each node row with its name, role and whether it is the coordinator', () => {
    const status: FarmStatus = {
      self: 'a',
      coordinator: { id: 'b', url: '', term: 2 },
      nodes: [node('a', 'worker'), node('b', 'coordinator')],
      ignored: [],
      queue: { backend: 'lan', queued: 0, running: 0, done: 0, failed: 0 },
      tasks: [],
      blocks: [],
      blockLimit: 3,
      alerts: [],
      encodes: [],
    };
    const html = renderToStaticMarkup(createElement(NodeTable, { status }));
    expect(html).toContain('<table aria-label="Nodes" data-testid="farm-nodes">');
    expect(html).toContain(
      '<tr data-testid="farm-node" data-node-name="studio-a" data-role="worker" data-coordinator="false">',
    );
    expect(html).toContain(
      '<tr data-testid="farm-node" data-node-name="studio-b" data-role="coordinator" data-coordinator="true">',
    );
    expect(html).toContain('studio-a<span class="muted"> (this node)</span>');
  });

  it('marks each step row with its key and status, and its error cell', () => {
    const html = renderToStaticMarkup(
      createElement(StepTable, {
        steps: [step('script', 'done'), step('video', 'failed', 'ffmpeg exited 1')],
      }),
    );
    expect(html).toContain('<tr data-testid="step-row" data-step="script" data-status="done">');
    expect(html).toContain('<tr data-testid="step-row" data-step="video" data-status="failed">');
    expect(html).toContain(
      '<td class="error-text" data-testid="step-error"><strong>tool: </strong>ffmpeg exited 1</td>',
    );
  });

  it('shows fps, speed and ETA beside a running encode’s progress, and nothing once it is done', () => {
    const rate = { fps: 87, speed: 2.1, etaMs: 32_000 };
    const html = renderToStaticMarkup(
      createElement(StepTable, {
        steps: [
          { ...step('video', 'running'), progress: 0.456, rate },
          { ...step('plan', 'done'), rate },
        ],
      }),
    );
    expect(html).toContain(
      '<span class="muted">45%</span><span class="rate" data-testid="progress-rate">87 fps · 2.1× · ETA 0:32</span>',
    );
    expect(html.match(/progress-rate/g)).toHaveLength(1);
  });

  it('lists the farm’s alerts by severity, a critical one announced to screen readers', () => {
    const html = renderToStaticMarkup(
      createElement(AlertList, {
        alerts: [
          {
            id: 'queue-backlog',
            severity: 'critical',
            kind: 'queue-backlog',
            message: "12 tasks are waiting in the farm's queue (more than 10)",
            since: 0,
            details: {},
          },
        ],
      }),
    );
    expect(html).toContain(
      '<li class="alert critical" data-testid="farm-alert" data-kind="queue-backlog" data-severity="critical" role="alert"><strong>critical</strong> 12 tasks are waiting',
    );
    expect(renderToStaticMarkup(createElement(AlertList, { alerts: [] }))).toContain('No alerts');
  });

  it('lists each running encode with its worker’s name and its rate', () => {
    const status: FarmStatus = {
      self: 'a',
      coordinator: { id: 'b', url: '', term: 2 },
      nodes: [node('a', 'worker'), node('b', 'coordinator')],
      ignored: [],
      queue: { backend: 'lan', queued: 0, running: 1, done: 0, failed: 0 },
      tasks: [],
      blocks: [],
      blockLimit: 3,
      alerts: [],
      encodes: [
        {
          taskId: 't1',
          jobId: '1a2b3c4d-5e6f',
          originNodeId: 'a',
          workerId: 'b',
          startedAt: 0,
          progress: 0.5,
          rate: { fps: 87, speed: 2.1, etaMs: 32_000 },
        },
      ],
    };
    const html = renderToStaticMarkup(createElement(EncodeTable, { status }));
    expect(html).toContain('<tr data-testid="farm-encode" data-job-id="1a2b3c4d-5e6f" data-worker="b">');
    expect(html).toContain('<a href="#/jobs/1a2b3c4d-5e6f">1a2b3c4d</a>');
    expect(html).toContain('<td>studio-b</td>');
    expect(html).toContain('87 fps · 2.1× · ETA 0:32');
  });

  it('says when a job has no artifacts yet', () => {
    expect(renderToStaticMarkup(createElement(ArtifactTable, { artifacts: [] }))).toBe(
      '<p class="muted">No artifacts yet.</p>',
    );
  });
});
