/** The renderer's only door to the app: a small typed API, never Node itself. */
import { contextBridge, ipcRenderer } from 'electron';
import type { VfoApi } from '../shared/api.ts';

const api: VfoApi = {
  listJobs: () => ipcRenderer.invoke('vfo:jobs'),
};

contextBridge.exposeInMainWorld('vfo', api);
