/**
 * The window's calls and events: one invoke channel dispatching to the node's handler map, one event
 * channel. Only the renderer's own page may call; the method and arguments are checked again here.
 */
import { type BrowserWindow, ipcMain } from 'electron';
import type { VfoEvent } from '../../shared/contract.ts';
import { isTrustedSender } from '../desktop/launch.ts';
import { dispatchCall, type VfoService } from '../desktop/service.ts';
import { createLogger } from '../log/logger.ts';

export const CALL_CHANNEL = 'vfo:call';
export const EVENT_CHANNEL = 'vfo:event';

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

export function sendEvent(windows: readonly BrowserWindow[], event: VfoEvent): void {
  for (const window of windows) {
    if (!window.isDestroyed() && !window.webContents.isDestroyed())
      window.webContents.send(EVENT_CHANNEL, event);
  }
}
