/**
 * The desktop app's life: one instance, the node runtime it embeds, the window, the menu-bar item,
 * scripts opened from the Dock or Finder, notifications, staying awake while encoding, and a quit that
 * lets encodes stop cleanly. Every decision with more than one branch lives in src/main/desktop.
 */
import { join } from 'node:path';
import { app, type BrowserWindow, dialog, Notification, powerMonitor, powerSaveBlocker } from 'electron';
import type { VfoEvent } from '../../shared/contract.ts';
import {
  desktopSettingsPath,
  loadDesktopSettings,
  saveDesktopSettings,
} from '../desktop/desktop-settings.ts';
import { EncryptedSecretStore, secretsFilePath } from '../desktop/encrypted-secrets.ts';
import { importScriptPaths } from '../desktop/import-scripts.ts';
import { parseLaunchArgs, relaunchArgs } from '../desktop/launch.ts';
import { openLogFile } from '../desktop/log-file.ts';
import {
  alertNotifications,
  importProblemsNotification,
  notificationFor,
  quitConfirmation,
} from '../desktop/notifications.ts';
import { createPathBatch } from '../desktop/path-batch.ts';
import type { CreateDesktopRuntime, DesktopRuntime } from '../desktop/service.ts';
import { throttle } from '../desktop/throttle.ts';
import type { TrayState } from '../desktop/tray-model.ts';
import { EncodeActivity } from '../desktop/utility-runner-channel.ts';
import { addLogSink, createLogger, type LogLevel, setLogLevel } from '../log/logger.ts';
import { resourcesDir } from '../paths.ts';
import { envSecretStore } from '../secrets/secret-store.ts';
import { sendEvent, serveCalls, serveMediaUploads } from './ipc.ts';
import { createMainWindow, focusWindow, lockDownSession, rendererLocation } from './main-window.ts';
import { registerMediaScheme, serveMedia } from './media.ts';
import { MenuBarItem } from './menu-bar.ts';
import { safeStorageCipher } from './safe-storage.ts';
import { utilityRunnerStarter } from './utility-runner.ts';

const log = createLogger('DesktopApp');

/** How long a quit waits for the runtime to stop encodes and close the database. */
const CLOSE_TIMEOUT_MS = 15_000;

export interface DesktopAppOptions {
  createRuntime: CreateDesktopRuntime;
}

/**
 * Call once, synchronously, from the main entry: some of this must happen before `ready` (the media
 * scheme, the single-instance lock, `open-file`, which macOS sends before `ready` when a file dropped
 * on the Dock icon launches the app).
 */
export function bootDesktopApp(options: DesktopAppOptions): void {
  if (app.isPackaged) process.env.VFO_RESOURCES_DIR = process.resourcesPath;
  const launch = parseLaunchArgs(process.argv, process.cwd());
  if (!app.requestSingleInstanceLock({ scriptPaths: launch.scriptPaths })) {
    // The running instance gets our scripts through 'second-instance'.
    app.quit();
    return;
  }
  registerMediaScheme();
  let shell: DesktopShell | null = null;
  const incoming = createPathBatch();
  incoming.add(launch.scriptPaths);
  app.on('open-file', (event, path) => {
    event.preventDefault();
    incoming.add([path]);
  });
  app.on('second-instance', (_event, argv, workingDirectory, additionalData) => {
    incoming.add(
      secondInstanceScripts(additionalData) ?? parseLaunchArgs(argv, workingDirectory).scriptPaths,
    );
    shell?.showWindow();
  });
  // A menu-bar app keeps running with no window open.
  app.on('window-all-closed', () => {});

  app
    .whenReady()
    .then(async () => {
      shell = await DesktopShell.start(options, launch);
      incoming.ready((paths) => void shell?.importPaths(paths));
    })
    .catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      log.error('the app could not start', { error: message });
      dialog.showErrorBox('Video Factory cannot start', message);
      app.exit(1);
    });
}

function secondInstanceScripts(data: unknown): string[] | null {
  const paths = (data as { scriptPaths?: unknown } | null)?.scriptPaths;
  return Array.isArray(paths) && paths.every((p) => typeof p === 'string') ? paths : null;
}

class DesktopShell {
  private readonly runtime: DesktopRuntime;
  private readonly workerOnly: boolean;
  /** The user already said yes to quitting with encodes running (the worker-only restart asks first). */
  private quitConfirmed = false;
  private readonly launchedWorkerOnly: boolean;
  private readonly settingsFile: string;
  private readonly activity: EncodeActivity;
  private readonly renderer = rendererLocation();
  private readonly menuBar: MenuBarItem;
  private readonly redrawMenu = throttle(() => this.drawMenu(), 500);
  /** Notifications are garbage-collected (and their clicks lost) unless someone holds them. */
  private readonly shownNotifications = new Set<Notification>();
  /** The farm's alerts already notified (each once while it lasts). */
  private announcedAlerts: ReadonlySet<string> = new Set();
  private window: BrowserWindow | null = null;
  /** Read once and after each change: asking macOS on every redraw is not free. */
  private launchAtLogin: boolean | undefined = app.isPackaged
    ? app.getLoginItemSettings().openAtLogin
    : undefined;
  private quitState: 'running' | 'asking' | 'closing' | 'closed' = 'running';
  private systemShuttingDown = false;

  private constructor(init: {
    runtime: DesktopRuntime;
    workerOnly: boolean;
    launchedWorkerOnly: boolean;
    settingsFile: string;
    activity: EncodeActivity;
    iconPath: string;
  }) {
    this.runtime = init.runtime;
    this.workerOnly = init.workerOnly;
    this.launchedWorkerOnly = init.launchedWorkerOnly;
    this.settingsFile = init.settingsFile;
    this.activity = init.activity;
    this.menuBar = new MenuBarItem(init.iconPath, {
      open: () => this.showWindow(),
      pause: () => void this.setPaused(true),
      resume: () => void this.setPaused(false),
      'toggle-login': () => this.toggleLaunchAtLogin(),
      'toggle-worker-only': () => void this.toggleWorkerOnly(),
      quit: () => app.quit(),
    });
  }

  static async start(
    options: DesktopAppOptions,
    launch: ReturnType<typeof parseLaunchArgs>,
  ): Promise<DesktopShell> {
    const dataDir = app.getPath('userData');
    const logFile = openLogFile(join(dataDir, 'logs', 'main.log'));
    addLogSink(logFile.sink);
    setLogLevel((process.env.VFO_LOG_LEVEL as LogLevel | undefined) ?? 'info');

    const settingsFile = desktopSettingsPath(dataDir);
    const settings = await loadDesktopSettings(settingsFile);
    const workerOnly = launch.workerOnly || settings.workerOnly;
    if (workerOnly) app.dock?.hide();

    let blocker: number | null = null;
    const activity = new EncodeActivity((busy) => {
      // The encode must not stall because the Mac idles into App Nap or sleep.
      if (busy && blocker === null) blocker = powerSaveBlocker.start('prevent-app-suspension');
      if (!busy && blocker !== null) {
        powerSaveBlocker.stop(blocker);
        blocker = null;
      }
      shell?.redrawMenu.request();
    });
    let shell: DesktopShell | null = null;

    const cipher = await safeStorageCipher();
    if (!cipher) log.warn('safeStorage is not available: provider keys come from the environment only');
    const env = envSecretStore();
    const secrets = cipher ? await EncryptedSecretStore.open(secretsFilePath(dataDir), cipher, env) : env;

    const resources = resourcesDir();
    const runtime = await options.createRuntime({
      dataDir,
      resourcesDir: resources,
      secrets,
      encodeRunnerPath: join(import.meta.dirname, 'encode-runner.js'),
      startEncodeRunner: utilityRunnerStarter({ activity, onStderr: (chunk) => logFile.write(chunk) }),
      workerOnly,
    });

    lockDownSession();
    serveMedia({
      video: (jobId) => runtime.videoPathOf(jobId),
      thumbnail: (jobId) => runtime.thumbnailPathOf(jobId),
    });
    shell = new DesktopShell({
      runtime,
      workerOnly,
      launchedWorkerOnly: launch.workerOnly,
      settingsFile,
      activity,
      iconPath: join(resources, 'build', 'trayTemplate.png'),
    });
    serveCalls(runtime.service, shell.renderer.url);
    serveMediaUploads((path, sha256) => runtime.storeMediaFile(path, sha256), shell.renderer.url);
    runtime.subscribe((event) => shell?.onEvent(event));
    shell.installLifecycle();
    shell.drawMenu();

    const openedAtLogin = process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin;
    if (!workerOnly && !launch.hidden && !openedAtLogin) shell.showWindow();
    log.info('started', { dataDir, workerOnly, packaged: app.isPackaged });
    return shell;
  }

  showWindow(): void {
    if (this.quitState !== 'running') return;
    if (!this.window || this.window.isDestroyed()) {
      this.window = createMainWindow({
        renderer: this.renderer,
        onDroppedScript: (path) => void this.importPaths([path]),
      });
      this.window.on('closed', () => {
        this.window = null;
      });
      // A new window is shown once its page is ready; bring it forward then.
      this.window.once('ready-to-show', () => this.window && focusWindow(this.window));
      return;
    }
    focusWindow(this.window);
  }

  /**
   * Scripts (and folders of them, with their media) from the Dock, Finder, a second launch or a drop:
   * queued, and problems never silent.
   */
  async importPaths(paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    if (!this.workerOnly) this.showWindow();
    try {
      const report = await importScriptPaths(
        {
          service: this.runtime.service,
          storeMedia: (path, sha256) => this.runtime.storeMediaFile(path, sha256),
        },
        paths,
      );
      if (!report.ok) {
        this.notify({ title: 'Scripts were not imported', body: report.message });
        return;
      }
      const problems = importProblemsNotification(report.outcomes, report.unreadable);
      if (problems) this.notify(problems);
      log.info('imported scripts', {
        queued: report.outcomes.filter((o) => o.queued).length,
        rejected: report.outcomes.filter((o) => !o.queued).length + report.unreadable.length,
      });
    } catch (error) {
      log.error('import failed', { error: String(error) });
      this.notify({ title: 'Scripts were not imported', body: String(error) });
    }
  }

  private onEvent(event: VfoEvent): void {
    sendEvent(this.window ? [this.window] : [], event);
    this.redrawMenu.request();
    if (event.type === 'job' && (event.status === 'done' || event.status === 'failed')) {
      void this.notifyJob(event);
    }
    if (event.type === 'farm') {
      const { notifications, announced } = alertNotifications(event.status.alerts, this.announcedAlerts);
      this.announcedAlerts = announced;
      for (const text of notifications) this.notify(text);
    }
  }

  private async notifyJob(event: VfoEvent & { type: 'job' }): Promise<void> {
    const job = await this.runtime.service.call('jobs.get', { id: event.jobId }).catch(() => null);
    const text = notificationFor(event, job?.ok ? job.value.title : undefined);
    if (text) this.notify(text);
  }

  private notify(text: { title: string; body: string }): void {
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title: text.title, body: text.body });
    const release = () => this.shownNotifications.delete(notification);
    notification.on('click', () => {
      release();
      this.showWindow();
    });
    notification.on('close', release);
    this.shownNotifications.add(notification);
    // Notification Centre keeps old ones; so must we not, forever.
    if (this.shownNotifications.size > 20) {
      const oldest = this.shownNotifications.values().next().value;
      if (oldest) this.shownNotifications.delete(oldest);
    }
    notification.show();
  }

  private trayState(): TrayState {
    const state = this.runtime.trayState();
    // In development the login item would be the bare Electron binary: the item is hidden there.
    return {
      ...state,
      ...(this.launchAtLogin === undefined ? {} : { launchAtLogin: this.launchAtLogin }),
      workerOnly: this.workerOnly,
    };
  }

  private drawMenu(): void {
    try {
      this.menuBar.update(this.trayState());
    } catch (error) {
      log.warn('could not redraw the menu-bar item', { error: String(error) });
    }
  }

  private async setPaused(paused: boolean): Promise<void> {
    const result = await this.runtime.service.call('farm.setPaused', { paused });
    if (!result.ok) this.notify({ title: 'Could not change pausing', body: result.error.message });
    this.drawMenu();
  }

  private toggleLaunchAtLogin(): void {
    const openAtLogin = !app.getLoginItemSettings().openAtLogin;
    app.setLoginItemSettings({ openAtLogin });
    this.launchAtLogin = app.getLoginItemSettings().openAtLogin;
    this.drawMenu();
  }

  /** Worker-only changes the node's role, which needs a fresh start: saved, then relaunched. */
  private async toggleWorkerOnly(): Promise<void> {
    const next = !this.workerOnly;
    const { response } = await dialog.showMessageBox({
      type: 'question',
      buttons: ['Restart', 'Cancel'],
      defaultId: 0,
      cancelId: 1,
      message: next
        ? 'Run Video Factory as a worker only?'
        : 'Run Video Factory with its window and Dock icon again?',
      detail: next
        ? 'This Mac will encode for the farm from the menu bar, with no Dock icon, and never coordinate. Video Factory restarts now.'
        : 'Video Factory restarts now.',
    });
    if (response !== 0) return;
    // Asked before anything is saved or armed: cancelled at the encodes question (asked on quit), the
    // relaunch stayed armed for the next Quit and the saved setting disagreed with this run's menu
    // (found by reviewing the shell).
    if (!(await this.confirmQuit())) return;
    await saveDesktopSettings(this.settingsFile, { workerOnly: next });
    this.quitConfirmed = true;
    // A --worker flag would override the setting just turned off: left out of the relaunch.
    app.relaunch({ args: relaunchArgs(process.argv, { dropWorker: this.launchedWorkerOnly }) });
    app.quit();
  }

  private installLifecycle(): void {
    app.on('activate', () => this.showWindow());
    powerMonitor.on('shutdown', () => {
      // macOS is logging out or shutting down: no question would be answered; stop cleanly.
      this.systemShuttingDown = true;
      app.quit();
    });
    app.on('before-quit', (event) => {
      if (this.quitState === 'closed') return;
      event.preventDefault();
      if (this.quitState !== 'running') return;
      void this.quitCleanly();
    });
  }

  /** Whether the user still wants to quit with encodes running (asked only then); true when none run. */
  private async confirmQuit(): Promise<boolean> {
    const question =
      this.systemShuttingDown || this.quitConfirmed ? null : quitConfirmation(this.activity.count);
    if (!question) return true;
    this.quitState = 'asking';
    const { response } = await dialog.showMessageBox({
      type: 'warning',
      buttons: ['Quit', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      message: question.message,
      detail: question.detail,
    });
    this.quitState = 'running';
    return response === 0;
  }

  private async quitCleanly(): Promise<void> {
    if (!(await this.confirmQuit())) return;
    this.quitState = 'closing';
    this.redrawMenu.cancel();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref());
    await Promise.race([
      this.runtime
        .close()
        .catch((error: unknown) => log.error('closing the node failed', { error: String(error) })),
      timeout,
    ]);
    this.menuBar.destroy();
    this.quitState = 'closed';
    app.quit();
  }
}
