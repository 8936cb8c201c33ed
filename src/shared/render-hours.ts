/**
 * When a node may take farm work, as its owner set it: "22:00-07:00" (local time; a range may wrap
 * past midnight), several ranges separated by commas ("12:00-13:00, 19:00-08:00"). Pure: the caller
 * passes the time, so tests drive a clock instead of waiting for the night.
 */

export interface TimeRange {
  /** Minutes after local midnight, 0..1440. */
  startMinute: number;
  endMinute: number;
}

export type RenderHoursParse = { ok: true; ranges: TimeRange[] } | { ok: false; message: string };

const RANGE = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/;
const MAX_RANGES = 12;

export function parseRenderHours(text: string): RenderHoursParse {
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) return { ok: false, message: 'render hours are empty; write e.g. "22:00-07:00"' };
  if (parts.length > MAX_RANGES) return { ok: false, message: `at most ${MAX_RANGES} ranges` };
  const ranges: TimeRange[] = [];
  for (const part of parts) {
    const match = RANGE.exec(part);
    if (!match) return { ok: false, message: `"${part}" is not a range like 22:00-07:00` };
    const [, h1, m1, h2, m2] = match.map(Number) as [number, number, number, number, number];
    const startMinute = minuteOf(h1, m1);
    const endMinute = minuteOf(h2, m2);
    if (startMinute === null || endMinute === null || startMinute === 1440)
      return { ok: false, message: `"${part}" has a time that does not exist (00:00 to 24:00)` };
    if (startMinute === endMinute)
      return { ok: false, message: `"${part}" starts when it ends; for all day write 00:00-24:00` };
    ranges.push({ startMinute, endMinute });
  }
  return { ok: true, ranges };
}

function minuteOf(hours: number, minutes: number): number | null {
  if (minutes > 59 || hours > 24 || (hours === 24 && minutes > 0)) return null;
  return hours * 60 + minutes;
}

/** Whether `at` (local time of this machine) falls inside one of the ranges; each range includes its start, not its end. */
export function withinRenderHours(ranges: readonly TimeRange[], at: Date): boolean {
  const minute = at.getHours() * 60 + at.getMinutes();
  return ranges.some(({ startMinute, endMinute }) =>
    startMinute < endMinute
      ? minute >= startMinute && minute < endMinute
      : minute >= startMinute || minute < endMinute,
  );
}
