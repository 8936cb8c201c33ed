import { useEffect, useState } from 'react';
import type { JobListItem, VfoApi } from '../../shared/api.ts';

declare global {
  interface Window {
    vfo: VfoApi;
  }
}

/** First screen: the jobs of this Mac. The full GUI (drops, farm, library) builds on this contract. */
export function App() {
  const [jobs, setJobs] = useState<JobListItem[]>([]);
  useEffect(() => {
    void window.vfo.listJobs().then(setJobs);
  }, []);
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 24 }}>
      <h1>Video Factory</h1>
      {jobs.length === 0 ? <p>No jobs yet. Render a script with `vfo render script.md`.</p> : null}
      <ul>
        {jobs.map((j) => (
          <li key={j.id}>
            {j.id.slice(0, 8)} — {j.status} {j.output ?? j.error ?? ''}
          </li>
        ))}
      </ul>
    </main>
  );
}
