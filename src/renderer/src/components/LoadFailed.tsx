/**
 * What a screen shows when its first load failed: the reason is in the notification, and the screen
 * offers to try again. It stayed on "Loading…" for good (a job that does not exist, a node down; found
 * by reviewing the UI).
 */
export function LoadFailed({ what, onRetry }: { what: string; onRetry: () => void }) {
  return (
    <p role="alert" data-testid="load-failed">
      {what} could not be loaded (the notification says why).{' '}
      <button type="button" onClick={onRetry}>
        Try again
      </button>
    </p>
  );
}
