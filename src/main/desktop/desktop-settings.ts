/**
 * The app's own few settings (not the engine's: those are rows in the database), kept in a small JSON
 * file in the app's data folder. A missing or damaged file means the defaults, never a crash.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../util/atomic-file.ts';

export interface DesktopSettings {
  /** Start as a farm worker only: no Dock icon, no window, the menu-bar item. */
  workerOnly: boolean;
}

export const DEFAULT_DESKTOP_SETTINGS: DesktopSettings = { workerOnly: false };

export function desktopSettingsPath(dataDir: string): string {
  return join(dataDir, 'desktop-settings.json');
}

export function parseDesktopSettings(raw: unknown): DesktopSettings {
  const value = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  return {
    workerOnly:
      typeof value.workerOnly === 'boolean' ? value.workerOnly : DEFAULT_DESKTOP_SETTINGS.workerOnly,
  };
}

export async function loadDesktopSettings(file: string): Promise<DesktopSettings> {
  try {
    return parseDesktopSettings(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    return { ...DEFAULT_DESKTOP_SETTINGS };
  }
}

export async function saveDesktopSettings(file: string, settings: DesktopSettings): Promise<void> {
  await writeFileAtomically(file, `${JSON.stringify(settings, null, 2)}\n`);
}
