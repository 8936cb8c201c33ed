/**
 * The window's calls and events: one invoke channel dispatching to the node's handler map, one event
 * channel. Only the renderer's own page may call; the method and arguments are checked again here.
 */
import { type BrowserWindow, ipcMain } from 'electron';
import type { VfoEvent } from '../../shared/contract.ts';
import { isTrustedSender } from '../desktop/launch.ts';
import type { StoredLocally } from '../desktop/local-media.ts';
import { dispatchCall, type VfoService } from '../desktop/service.ts';
import { createLogger } from '../log/logger.ts';

export const CALL_CHANNEL = 'vfo:call';
export const EVENT_CHANNEL = 'vfo:event';
export const MEDIA_CHANNEL = 'vfo:media';

const log = createLogger('Ipc');

export function serveCalls(service: VfoService, rendererUrl: string): void {
  ipcMain.handle(CALL_CHANNEL, (event, method: unknown, args: unknown) => {
    const senderUrl = event.senderFrame?.url;
    if (!isTrustedSender(senderUrl, rendererUrl)) {
      log.warn('refused a call from an unexpected page', { senderUrl, method: String(method) });
      return {
        ok: false,
        error: { code: 'unauthorized', message: 'calls are accepted from the app window only' },
      };
    }
    return dispatchCall(service, method, args);
  });
}

/**
 * A media file the window's page dropped, by its path on this Mac (webUtils.getPathForFile) and the
 * sha256 the page computed: stored only if the file is a media file whose bytes are that sha256.
 */
export function serveMediaUploads(
  store: (path: string, sha256: string) => Promise<StoredLocally>,
  rendererUrl: string,
): void {
  ipcMain.handle(MEDIA_CHANNEL, (event, path: unknown, sha256: unknown) => {
    if (
      !isTrustedSender(event.senderFrame?.url, rendererUrl) ||
      typeof path !== 'string' ||
      typeof sha256 !== 'string'
    ) {
      log.warn('refused a media upload from an unexpected page', { senderUrl: event.senderFrame?.url });
      return {
        ok: false,
        error: { code: 'unauthorized', message: 'media are accepted from the app window only' },
      };
    }
    return store(path, sha256);
  });
}

export function sendEvent(windows: readonly BrowserWindow[], event: VfoEvent): void {
  for (const window of windows) {
    if (!window.isDestroyed() && !window.webContents.isDestroyed())
      window.webContents.send(EVENT_CHANNEL, event);
  }
}
