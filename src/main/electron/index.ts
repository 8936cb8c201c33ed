/**
 * The Electron shell: the only code that imports `electron`. It opens the engine on the app's data
 * folder, exposes it to the renderer through the preload contract and otherwise stays out of the way.
 */
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain } from 'electron';
import { openContext } from '../cli/context.ts';

if (app.isPackaged) process.env.VFO_RESOURCES_DIR = process.resourcesPath;

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  const ctx = await openContext({ data: app.getPath('userData') });
  ipcMain.handle('vfo:jobs', () =>
    ctx.engine.store
      .listJobs(50)
      .map((j) => ({ id: j.id, status: j.status, output: j.outputPath, error: j.error })),
  );
  const window = new BrowserWindow({
    width: 1100,
    height: 720,
    title: 'Video Factory',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.mjs'),
      contextIsolation: true,
      sandbox: true,
    },
  });
  if (process.env.ELECTRON_RENDERER_URL) await window.loadURL(process.env.ELECTRON_RENDERER_URL);
  else await window.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  app.on('window-all-closed', () => {
    ctx.close();
    app.quit();
  });
}

void start();
