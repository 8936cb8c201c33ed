/** The desktop app's client: every call goes through the preload's `window.vfoBridge` (Electron IPC). */
import type { VfoBridge, VfoClient } from '../../../shared/contract.ts';
import type { Connection } from './connection.ts';

declare global {
  interface Window {
    vfoBridge?: VfoBridge;
  }
}

export function ipcClient(bridge: VfoBridge): VfoClient {
  return {
    async call(method, args) {
      try {
        return await bridge.call(method, args);
      } catch (error) {
        // IPC itself failed (the main process threw): still a value, never an exception, for the UI.
        const message = error instanceof Error ? error.message : String(error);
        return { ok: false, error: { code: 'internal', message } };
      }
    },
    subscribe: (listener) => bridge.subscribe(listener),
    videoUrl: (jobId) => bridge.videoUrl(jobId),
    thumbnailUrl: (jobId) => bridge.thumbnailUrl(jobId),
    async uploadMedia(file, sha256) {
      try {
        return await bridge.uploadMedia(file, sha256);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { ok: false, error: { code: 'internal', message } };
      }
    },
  };
}

export function ipcConnection(bridge: VfoBridge): Connection {
  return {
    kind: 'ipc',
    client: ipcClient(bridge),
    login: null,
    logout: null,
    onStreamState(listener) {
      // IPC events cannot drop while the window lives.
      listener('live');
      return () => {};
    },
  };
}
