/**
 * The window's only door to the app: one object, `window.vfoBridge`, never Node itself. This runs in
 * a sandboxed preload, bundled to one CommonJS file whose only require is 'electron'; it imports
 * nothing but the contract's method list and the media URL builder.
 */
import { contextBridge, type IpcRendererEvent, ipcRenderer, webUtils } from 'electron';
import { videoUrlFor } from '../main/desktop/media-url.ts';
import {
  type ArgsOf,
  type CallResult,
  METHODS,
  type Method,
  type VfoBridge,
  type VfoEvent,
} from '../shared/contract.ts';

const CALL_CHANNEL = 'vfo:call';
const EVENT_CHANNEL = 'vfo:event';
const KNOWN_METHODS: ReadonlySet<string> = new Set(METHODS);

const bridge: VfoBridge = {
  call<M extends Method>(method: M, args: ArgsOf<M>): Promise<CallResult<M>> {
    if (typeof method !== 'string' || !KNOWN_METHODS.has(method)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'invalid', message: `unknown method ${JSON.stringify(String(method))}` },
      });
    }
    return ipcRenderer.invoke(CALL_CHANNEL, method, args ?? {}) as Promise<CallResult<M>>;
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

  pathForFile(file: File): string {
    return webUtils.getPathForFile(file);
  },
};

contextBridge.exposeInMainWorld('vfoBridge', bridge);
