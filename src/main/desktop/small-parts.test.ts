import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { desktopSettingsPath, loadDesktopSettings, saveDesktopSettings } from './desktop-settings.ts';
import { openLogFile } from './log-file.ts';
import { createPathBatch } from './path-batch.ts';
import { throttle } from './throttle.ts';
import { EncodeActivity } from './utility-runner-channel.ts';

/** A hand-driven clock for the timer-based helpers. */
function manualTimers() {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; cb: () => void }>();
  return {
    setTimeout: (cb: () => void, ms: number) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, cb });
      return id;
    },
    clearTimeout: (id: unknown) => void timers.delete(id as number),
    now: () => now,
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= now) {
          timers.delete(id);
          t.cb();
        }
      }
    },
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vf-desktop-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('desktop settings', () => {
  it('defaults when missing or damaged, and round-trips', async () => {
    const file = desktopSettingsPath(dir);
    expect(await loadDesktopSettings(file)).toEqual({ workerOnly: false });
    writeFileSync(file, '{"workerOnly": "yes"}');
    expect(await loadDesktopSettings(file)).toEqual({ workerOnly: false });
    writeFileSync(file, 'garbage');
    expect(await loadDesktopSettings(file)).toEqual({ workerOnly: false });
    await saveDesktopSettings(file, { workerOnly: true });
    expect(await loadDesktopSettings(file)).toEqual({ workerOnly: true });
  });
});

describe('log file', () => {
  it('writes formatted records and rotates once past its limit', () => {
    const path = join(dir, 'logs', 'main.log');
    const log = openLogFile(path, 200);
    log.sink({ time: 'T', level: 'warn', logger: 'Test', message: 'hello', fields: { job: 'j1' } });
    expect(readFileSync(path, 'utf8')).toBe('T WARN [Test] hello {"job":"j1"}\n');
    log.write(`${'x'.repeat(190)}\n`);
    expect(readFileSync(`${path}.1`, 'utf8')).toContain('hello');
    expect(readFileSync(path, 'utf8')).toBe(`${'x'.repeat(190)}\n`);
  });
});

describe('throttle', () => {
  it('runs at once, then at most once per interval, and always after the last request', () => {
    const timers = manualTimers();
    let runs = 0;
    const t = throttle(() => runs++, 500, timers);
    t.request();
    expect(runs).toBe(1);
    t.request();
    t.request();
    expect(runs).toBe(1);
    timers.advance(499);
    expect(runs).toBe(1);
    timers.advance(1);
    expect(runs).toBe(2);
    timers.advance(10_000);
    expect(runs).toBe(2);
    t.request();
    expect(runs).toBe(3);
    t.request();
    t.cancel();
    timers.advance(1000);
    expect(runs).toBe(3);
  });
});

describe('path batch', () => {
  it('holds paths until ready, then delivers bursts together', () => {
    const timers = manualTimers();
    const batches: string[][] = [];
    const batch = createPathBatch(150, timers);
    batch.add(['/a.md']);
    batch.add(['/b.md', '/a.md']);
    expect(batches).toEqual([]);
    batch.ready((paths) => batches.push(paths));
    expect(batches).toEqual([['/a.md', '/b.md']]);
    batch.add(['/c.md']);
    timers.advance(100);
    batch.add(['/d.md']);
    timers.advance(100);
    expect(batches).toHaveLength(1);
    timers.advance(50);
    expect(batches).toEqual([
      ['/a.md', '/b.md'],
      ['/c.md', '/d.md'],
    ]);
  });
});

describe('EncodeActivity', () => {
  it('reports busy on the first encode and idle after the last, ignoring double ends', () => {
    const changes: boolean[] = [];
    const activity = new EncodeActivity((busy) => changes.push(busy));
    const endA = activity.begin();
    const endB = activity.begin();
    expect(activity.count).toBe(2);
    endA();
    endA();
    expect(changes).toEqual([true]);
    endB();
    expect(changes).toEqual([true, false]);
    expect(activity.count).toBe(0);
  });
});
