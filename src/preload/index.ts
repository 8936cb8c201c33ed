/**
 * The window's only door to the app: one object, `window.vfoBridge`, never Node itself. This runs in
 * a sandboxed preload, bundled to one CommonJS file whose only require is 'electron'; it imports only
 * types and the media URL builder. Methods and arguments are checked once, by the main process's
 * dispatcher (src/main/api/dispatch.ts).
 */
import { contextBridge, type IpcRendererEvent, ipcRenderer, webUtils } from 'electron';
import { thumbnailUrlFor, videoUrlFor } from '../main/desktop/media-url.ts';
import type { ArgsOf, CallResult, Method, VfoBridge, VfoEvent } from '../shared/contract.ts';

const CALL_CHANNEL = 'vfo:call';
const EVENT_CHANNEL = 'vfo:event';
const MEDIA_CHANNEL = 'vfo:media';

const bridge: VfoBridge = {
  call<M extends Method>(method: M, args: ArgsOf<M>): Promise<CallResult<M>> {
    return ipcRenderer.invoke(CALL_CHANNEL, String(method), args ?? {}) as Promise<CallResult<M>>;
  },

  subscribe(listener: (event: VfoEvent) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('vfoBridge.subscribe needs a function');
    // The page gets the event only, never Electron's IpcRendererEvent (it carries the sender).
    const forward = (_event: IpcRendererEvent, payload: VfoEvent) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },

  videoUrl(jobId: string): string {
    return videoUrlFor(String(jobId));
  },

  thumbnailUrl(jobId: string): string {
    return thumbnailUrlFor(String(jobId));
  },

  pathForFile(file: File): string {
    return webUtils.getPathForFile(file);
  },

  uploadMedia(file: File, sha256: string) {
    // The file is on this Mac: the main process copies it into the store from where it lies.
    return ipcRenderer.invoke(MEDIA_CHANNEL, webUtils.getPathForFile(file), String(sha256)) as ReturnType<
      VfoBridge['uploadMedia']
    >;
  },
};

contextBridge.exposeInMainWorld('vfoBridge', bridge);
