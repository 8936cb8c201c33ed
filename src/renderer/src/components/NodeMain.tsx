import type { ReactNode } from 'react';

/**
 * The page's content. Figures shown while the node is out of reach are its last ones: said so, and
 * dimmed (they looked current, running "8% ETA 0:35" unchanged after the node had died; found by
 * reviewing the UI).
 */
export function NodeMain({ stale, children }: { stale: boolean; children: ReactNode }) {
  return (
    <main className={stale ? 'stale' : undefined}>
      {stale ? (
        <p role="status" className="stale-notice">
          Not connected to the node: what this page shows may be out of date.
        </p>
      ) : null}
      {children}
    </main>
  );
}
