/**
 * How the app was started and what it was asked to open: command-line flags, script paths from a
 * second launch, file URLs from a drop the page did not handle. Pure functions of strings.
 */
import { extname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCRIPT_EXTENSIONS } from '../script/index.ts';

export interface LaunchOptions {
  /** `--worker`: encode for the farm only, no Dock icon and no window at start. */
  workerOnly: boolean;
  /** `--hidden`: start in the menu bar without opening the window. */
  hidden: boolean;
  /** Absolute paths of the scripts named on the command line. */
  scriptPaths: string[];
}

const SCRIPT_EXTENSION_SET: ReadonlySet<string> = new Set(SCRIPT_EXTENSIONS);

export function isScriptPath(path: string): boolean {
  return SCRIPT_EXTENSION_SET.has(extname(path).toLowerCase());
}

/**
 * Reads a command line (Electron's or a second instance's). Chromium and macOS add switches of their
 * own (`--allow-file-access-from-files`, `-psn_…`), and in development the app folder and main script
 * are arguments too, so only arguments that look like scripts are taken as files.
 */
export function parseLaunchArgs(argv: readonly string[], cwd: string): LaunchOptions {
  const options: LaunchOptions = { workerOnly: false, hidden: false, scriptPaths: [] };
  let afterDashes = false;
  for (const arg of argv.slice(1)) {
    if (!afterDashes && arg === '--') {
      afterDashes = true;
      continue;
    }
    if (!afterDashes && arg.startsWith('-')) {
      if (arg === '--worker' || arg === '--worker-only') options.workerOnly = true;
      else if (arg === '--hidden') options.hidden = true;
      continue;
    }
    if (!isScriptPath(arg)) continue;
    const path = isAbsolute(arg) ? arg : resolve(cwd, arg);
    if (!options.scriptPaths.includes(path)) options.scriptPaths.push(path);
  }
  return options;
}

/**
 * What a relaunch (switching to worker-only and back) is given: this launch's flags, and in
 * development the app's path, but not its scripts, imported already (they were imported again, and
 * resolved against another working folder); `dropWorker` leaves --worker out (the setting decides).
 */
export function relaunchArgs(argv: readonly string[], { dropWorker }: { dropWorker: boolean }): string[] {
  const args: string[] = [];
  let afterDashes = false;
  for (const arg of argv.slice(1)) {
    if (!afterDashes && arg === '--') {
      afterDashes = true;
      continue;
    }
    const flag = !afterDashes && arg.startsWith('-');
    if (flag && dropWorker && (arg === '--worker' || arg === '--worker-only')) continue;
    if (!flag && isScriptPath(arg)) continue;
    args.push(arg);
  }
  return args;
}

export type NavigationDecision =
  | { kind: 'allow' }
  | { kind: 'import'; path: string }
  | { kind: 'external'; url: string }
  | { kind: 'block' };

/**
 * The window only ever shows the renderer. A file dropped where the page does not catch it makes
 * Chromium navigate to its file:// URL: a script becomes an import, anything else is blocked; web
 * links open in the browser. `rendererUrl` is the dev server's URL or the built index.html's.
 * `byPage`: the page itself started the navigation (Electron names an initiating frame; a drop has
 * none). A page never imports a file by navigating to it: a page that had been made to run a script
 * would otherwise read any .md or .txt file of the user (`location.href = 'file:///…/notes.txt'`).
 */
export function navigationDecision(
  url: string,
  rendererUrl: string,
  options: { byPage?: boolean } = {},
): NavigationDecision {
  let target: URL;
  let home: URL;
  try {
    target = new URL(url);
    home = new URL(rendererUrl);
  } catch {
    return { kind: 'block' };
  }
  if (target.protocol === 'file:') {
    if (home.protocol === 'file:' && target.pathname === home.pathname) return { kind: 'allow' };
    let path: string;
    try {
      path = fileURLToPath(target);
    } catch {
      return { kind: 'block' };
    }
    return isScriptPath(path) && !options.byPage ? { kind: 'import', path } : { kind: 'block' };
  }
  if ((home.protocol === 'http:' || home.protocol === 'https:') && target.origin === home.origin) {
    return { kind: 'allow' };
  }
  if (target.protocol === 'https:' || target.protocol === 'http:' || target.protocol === 'mailto:') {
    return { kind: 'external', url: target.href };
  }
  return { kind: 'block' };
}

/** Only the renderer's own page may call the node: checked on every IPC call. */
export function isTrustedSender(senderUrl: string | undefined, rendererUrl: string): boolean {
  if (!senderUrl) return false;
  try {
    const sender = new URL(senderUrl);
    const home = new URL(rendererUrl);
    if (home.protocol === 'file:') return sender.protocol === 'file:' && sender.pathname === home.pathname;
    return sender.origin === home.origin;
  } catch {
    return false;
  }
}

/** Putting the <video> in full screen and copying text (a path, an error) — nothing else. */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['fullscreen', 'clipboard-sanitized-write']);

export function isAllowedPermission(permission: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission);
}
