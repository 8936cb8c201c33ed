/**
 * The app's one window: the renderer, sandboxed and context-isolated, with no Node. It never navigates
 * away from the renderer: a script file dropped where the page does not catch it becomes an import,
 * web links open in the browser, everything else is refused.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, nativeTheme, session, shell } from 'electron';
import { isAllowedPermission, navigationDecision } from '../desktop/launch.ts';
import { createLogger } from '../log/logger.ts';

const log = createLogger('Window');

export interface RendererLocation {
  /** What the page's URL is: the dev server's, or the built index.html's file URL. */
  url: string;
  load(window: BrowserWindow): Promise<void>;
}

/** `electron-vite dev` sets ELECTRON_RENDERER_URL; a built or packaged app loads out/renderer. */
export function rendererLocation(): RendererLocation {
  const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
  if (devUrl) return { url: devUrl, load: (window) => window.loadURL(devUrl) };
  const file = join(import.meta.dirname, '../renderer/index.html');
  return { url: pathToFileURL(file).href, load: (window) => window.loadFile(file) };
}

export const PRELOAD_PATH = join(import.meta.dirname, '../preload/index.cjs');

/** The page gets full screen for its video and clipboard writes; no camera, no notifications of its own. */
export function lockDownSession(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(isAllowedPermission(permission)),
  );
  session.defaultSession.setPermissionCheckHandler((_contents, permission) =>
    isAllowedPermission(permission),
  );
}

export interface MainWindowOptions {
  renderer: RendererLocation;
  /** A script file was dropped on the window outside the page's drop zone. */
  onDroppedScript(path: string): void;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1180,
    height: 760,
    minWidth: 760,
    minHeight: 520,
    show: false,
    title: 'Video Factory',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#1e1e1e' : '#ffffff',
    webPreferences: {
      preload: PRELOAD_PATH,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
      // A file dropped outside the page's drop zone navigates to its file:// URL: caught below.
      navigateOnDragDrop: true,
    },
  });
  const contents = window.webContents;

  contents.on('will-navigate', (event) => {
    const { url } = event;
    // A drop has no initiating frame; a navigation the page started has one (launch.ts).
    const decision = navigationDecision(url, options.renderer.url, { byPage: Boolean(event.initiator) });
    if (decision.kind === 'allow') return;
    event.preventDefault();
    if (decision.kind === 'import') options.onDroppedScript(decision.path);
    else if (decision.kind === 'external') void shell.openExternal(decision.url);
    else log.warn('blocked a navigation away from the app', { url });
  });
  contents.setWindowOpenHandler(({ url }) => {
    const decision = navigationDecision(url, options.renderer.url);
    if (decision.kind === 'external') void shell.openExternal(decision.url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('render-process-gone', (_event, details) => {
    log.error('the window’s renderer process ended', { reason: details.reason, exitCode: details.exitCode });
    // A blank window helps nobody: close it; the menu-bar item or the Dock opens a fresh one.
    if (details.reason !== 'clean-exit' && !window.isDestroyed()) window.destroy();
  });

  window.once('ready-to-show', () => window.show());
  options.renderer.load(window).catch((error: unknown) => {
    log.error('the window could not load the app', { error: String(error) });
  });
  return window;
}

/** Bring the window forward, also when the app has no Dock icon (worker-only) and is not active. */
export function focusWindow(window: BrowserWindow): void {
  if (window.isMinimized()) window.restore();
  if (!window.isVisible()) window.show();
  window.focus();
  app.focus({ steal: true });
}
