/** The contract between the renderer and the app (IPC in Electron, HTTP when served by a node). */
export interface JobListItem {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  output: string | null;
  error: string | null;
}

export interface VfoApi {
  listJobs(): Promise<JobListItem[]>;
}
