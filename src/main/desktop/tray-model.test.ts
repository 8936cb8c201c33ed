import { describe, expect, it } from 'vitest';
import {
  MAX_LISTED_TASKS,
  type TrayState,
  trayMenuModel,
  trayQueued,
  trayRoleOf,
  trayTasksOf,
  trayTitle,
  trayTooltip,
} from './tray-model.ts';

const idle: TrayState = { role: 'solo', running: [], queued: 0, paused: false };

function labels(state: TrayState): string[] {
  return trayMenuModel(state).map((item) => (item.kind === 'separator' ? '—' : item.label));
}

describe('trayMenuModel', () => {
  it('says the role and how many encodes run, lists each with its percentage, and the queue', () => {
    const state: TrayState = {
      role: 'coordinator',
      running: [
        { title: 'How bees talk', percent: 45.9 },
        { title: 'Welcome', percent: 100 },
      ],
      queued: 3,
      paused: false,
      farmName: 'Studio',
    };
    expect(labels(state)).toEqual([
      'Coordinator — 2 encoding',
      'Farm: Studio',
      'How bees talk — 45%',
      'Welcome — 100%',
      'Queue: 3 waiting',
      '—',
      'Pause taking work',
      '—',
      'Open Video Factory',
      '—',
      'Quit Video Factory',
    ]);
  });

  it('offers to resume when paused and names idle states', () => {
    expect(labels({ ...idle, role: 'worker', paused: true })).toEqual([
      'Worker — paused',
      'Queue: empty',
      '—',
      'Resume taking work',
      '—',
      'Open Video Factory',
      '—',
      'Quit Video Factory',
    ]);
    expect(labels({ ...idle, role: 'candidate' })[0]).toBe('Looking for the farm — idle');
    expect(labels(idle)[0]).toBe('This Mac — idle');
  });

  it('gives every action item its action; labels are not clickable', () => {
    const model = trayMenuModel({ ...idle, paused: true, launchAtLogin: true, workerOnly: false });
    const actions = model.flatMap((item) => (item.kind === 'action' ? [[item.action, item.checked]] : []));
    expect(actions).toEqual([
      ['resume', undefined],
      ['open', undefined],
      ['toggle-login', true],
      ['toggle-worker-only', false],
      ['quit', undefined],
    ]);
  });

  it('clamps and floors percentages, shortens long titles, summarises a long list', () => {
    const running = [
      { title: 'A'.repeat(80), percent: 99.9 },
      { title: '  spaced \n title ', percent: -5 },
      { title: '', percent: Number.NaN },
      ...Array.from({ length: 6 }, (_, i) => ({ title: `Task ${i}`, percent: 250 })),
    ];
    const out = labels({ ...idle, role: 'worker', running });
    expect(out[0]).toBe('Worker — 9 encoding');
    expect(out[1]).toBe(`${'A'.repeat(39)}… — 99%`);
    expect(out[2]).toBe('spaced title — 0%');
    expect(out[3]).toBe('Untitled — 0%');
    expect(out[4]).toBe('Task 0 — 100%');
    expect(out.filter((l) => l.endsWith('%'))).toHaveLength(MAX_LISTED_TASKS);
    expect(out).toContain('and 4 more');
  });
});

describe('what the menu says of each encode', () => {
  it('lists the worker’s leases with fps, speed and the time left', () => {
    const tasks = trayTasksOf([
      { jobId: '1a2b3c4d-0000', progress: 0.456, rate: { fps: 87, speed: 2.1, etaMs: 32_000 } },
      { jobId: '9f8e7d6c-0000', progress: 0.02 },
    ]);
    expect(labels({ ...idle, role: 'worker', running: tasks }).slice(0, 3)).toEqual([
      'Worker — 2 encoding',
      'job 1a2b3c4d — 45% · 87 fps · 2.1× · ETA 0:32',
      'job 9f8e7d6c — 2%',
    ]);
  });
});

describe('trayTitle', () => {
  it('is empty when idle, the count and mean progress while encoding, "Paused" when paused', () => {
    expect(trayTitle(idle)).toBe('');
    expect(
      trayTitle({
        ...idle,
        running: [
          { title: 'a', percent: 30 },
          { title: 'b', percent: 60 },
        ],
      }),
    ).toBe('2 ▸ 45%');
    expect(trayTitle({ ...idle, running: [{ title: 'a', percent: 7.8 }], paused: true })).toBe('1 ▸ 7%');
    expect(trayTitle({ ...idle, paused: true })).toBe('Paused');
  });

  it('says when the encodes will be done once each has an estimate (the last of them)', () => {
    const running = [
      { title: 'a', percent: 30, rate: { fps: 40, speed: 1.5, etaMs: 95_000 } },
      { title: 'b', percent: 60, rate: { fps: 87, speed: 2.1, etaMs: 32_000 } },
    ];
    expect(trayTitle({ ...idle, running })).toBe('2 ▸ 45% 1:35');
    // One still unmeasured: no promise yet.
    expect(trayTitle({ ...idle, running: [...running, { title: 'c', percent: 0 }] })).toBe('3 ▸ 30%');
  });

  it('has a tooltip naming the app and the role', () => {
    expect(trayTooltip({ ...idle, role: 'coordinator' })).toBe('Video Factory — Coordinator, idle');
  });
});

describe('trayRoleOf', () => {
  const claim = { id: 'c0ffee', term: 3 };
  it('is the coordinator when elected, a worker once it follows one, looking for the farm before', () => {
    expect(trayRoleOf({ isCoordinator: true, coordinator: claim }, false)).toBe('coordinator');
    expect(trayRoleOf({ isCoordinator: false, coordinator: claim }, false)).toBe('worker');
    expect(trayRoleOf({ isCoordinator: false, coordinator: null }, false)).toBe('candidate');
  });
  it('is a worker when worker-only, or when its queue is in Redis (no election)', () => {
    expect(trayRoleOf({ isCoordinator: false, coordinator: null }, true)).toBe('worker');
    expect(trayRoleOf(null, false)).toBe('worker');
  });
});

describe('trayQueued', () => {
  it('counts the farm queue while coordinating, and this Mac’s own unfinished tasks otherwise', () => {
    expect(trayQueued({ farmQueued: 12, ownUnfinished: 1 })).toBe(12);
    // No longer coordinating: its own count, not the last one it saw of the farm.
    expect(trayQueued({ farmQueued: null, ownUnfinished: 1 })).toBe(1);
    expect(trayQueued({ farmQueued: null, ownUnfinished: 0 })).toBe(0);
  });
});
