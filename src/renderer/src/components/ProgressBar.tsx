/** A native <progress> (announced by screen readers) with the percentage beside it. */
export function ProgressBar({ fraction, label }: { fraction: number; label: string }) {
  const clamped = Math.min(1, Math.max(0, fraction));
  const percent = Math.round(clamped * 100);
  return (
    <span className="row">
      <progress value={clamped} max={1} aria-label={label} />
      <span className="muted">{percent}%</span>
    </span>
  );
}
