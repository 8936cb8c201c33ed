import { UsageError } from './io.ts';

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90s`, `5m`, `6h`, `1500ms` or plain seconds, for options such as `--wait-timeout`. */
export function parseDuration(value: string, name: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  const amount = match ? Number(match[1]) * (UNITS_MS[match[2] ?? 's'] ?? 1000) : Number.NaN;
  if (!Number.isFinite(amount) || amount <= 0 || amount > 7 * 24 * 3_600_000) {
    throw new UsageError(`--${name} must be a duration like 90s, 5m or 6h (at most a week), not "${value}"`);
  }
  return Math.round(amount);
}
