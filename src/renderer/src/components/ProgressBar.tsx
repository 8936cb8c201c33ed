/**
 * A native <progress> (announced by screen readers) with the percentage beside it, and — while an
 * encode runs — how fast it goes and when it will be done ("87 fps · 2.1× · ETA 0:32").
 */
import { describeRate, type ProgressRate } from '../../../shared/progress-rate.ts';

export function ProgressBar({
  fraction,
  label,
  rate,
}: {
  fraction: number;
  label: string;
  rate?: ProgressRate | undefined;
}) {
  const clamped = Math.min(1, Math.max(0, fraction));
  const percent = Math.floor(clamped * 100);
  const detail = describeRate(rate);
  return (
    <span className="row">
      <progress value={clamped} max={1} aria-label={label} />
      <span className="muted">{percent}%</span>
      {detail ? (
        <span className="rate" data-testid="progress-rate">
          {detail}
        </span>
      ) : null}
    </span>
  );
}
