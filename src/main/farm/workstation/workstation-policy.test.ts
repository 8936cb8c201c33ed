import { describe, expect, it } from 'vitest';
import { parseHidIdleTime } from './idle-time.ts';
import { parseRenderHours, withinRenderHours } from '../../../shared/render-hours.ts';
import { decideWorkstation, type WorkstationSettings } from './workstation-policy.ts';

/** A local time on some day: the policy reads local hours and minutes, like the person who set them. */
const at = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return new Date(2025, 2, 14, h, m, 30);
};

function hours(text: string) {
  const parsed = parseRenderHours(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return { text, ranges: parsed.ranges };
}

describe('render hours', () => {
  it('reads ranges that wrap past midnight, and several ranges', () => {
    const night = hours('22:00-07:00').ranges;
    expect(['21:59', '22:00', '23:59', '00:00', '06:59'].map((t) => withinRenderHours(night, at(t)))).toEqual(
      [false, true, true, true, true],
    );
    expect(withinRenderHours(night, at('07:00'))).toBe(false);
    expect(withinRenderHours(night, at('12:00'))).toBe(false);
    const two = hours('12:00-13:00, 19:30-24:00').ranges;
    expect(
      ['11:59', '12:30', '13:00', '19:29', '19:30', '23:59'].map((t) => withinRenderHours(two, at(t))),
    ).toEqual([false, true, false, false, true, true]);
    expect(withinRenderHours(hours('00:00-24:00').ranges, at('15:00'))).toBe(true);
  });

  it('refuses what is not a range, with the reason', () => {
    expect(parseRenderHours('')).toEqual({ ok: false, message: expect.stringMatching(/empty/) });
    expect(parseRenderHours('22-7')).toEqual({
      ok: false,
      message: expect.stringMatching(/"22-7" is not a range/),
    });
    expect(parseRenderHours('25:00-07:00')).toEqual({
      ok: false,
      message: expect.stringMatching(/does not exist/),
    });
    expect(parseRenderHours('08:61-09:00')).toEqual({
      ok: false,
      message: expect.stringMatching(/does not exist/),
    });
    expect(parseRenderHours('08:00-08:00')).toEqual({
      ok: false,
      message: expect.stringMatching(/starts when it ends/),
    });
  });
});

describe('the workstation decision', () => {
  const settings: WorkstationSettings = {
    renderHours: hours('22:00-07:00'),
    yieldToUser: { idleSeconds: 300, suspend: true },
  };

  it('takes work inside the hours while nobody touches the machine', () => {
    expect(decideWorkstation(settings, at('23:00'), 3600)).toEqual({ reason: null, suspend: false });
    expect(decideWorkstation(settings, at('23:00'), null)).toEqual({ reason: null, suspend: false });
  });

  it('steps back outside its hours, letting running encodes finish', () => {
    expect(decideWorkstation(settings, at('09:15'), 3600)).toEqual({
      reason: 'outside its render hours (22:00-07:00)',
      suspend: false,
    });
  });

  it('yields to a user at any hour, suspending encodes when asked to', () => {
    expect(decideWorkstation(settings, at('23:00'), 12)).toEqual({
      reason: 'someone is using this computer (idle 12 s, less than 300 s)',
      suspend: true,
    });
    const noSuspend = { ...settings, yieldToUser: { idleSeconds: 300, suspend: false } };
    expect(decideWorkstation(noSuspend, at('23:00'), 12).suspend).toBe(false);
    expect(decideWorkstation({ renderHours: null, yieldToUser: null }, at('12:00'), 0)).toEqual({
      reason: null,
      suspend: false,
    });
  });
});

describe('macOS idle time', () => {
  it('reads HIDIdleTime (nanoseconds) from ioreg’s output', () => {
    const output = [
      '+-o IOHIDSystem  <class IOHIDSystem, id 0x100000c5c, registered, matched, active, busy 0 (0 ms), retain 22>',
      '    {',
      '      "HIDIdleTime" = 4512345678',
      '      "HIDParameters" = {"HIDClickTime"=500000000}',
      '    }',
    ].join('\n');
    expect(parseHidIdleTime(output)).toBeCloseTo(4.512345678, 9);
    expect(parseHidIdleTime('no such key')).toBeNull();
  });
});
