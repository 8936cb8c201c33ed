import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_NAME = 'Video Factory';

/**
 * Where bundled resources (migrations, default visuals, font) live. The desktop app passes
 * process.resourcesPath through VFO_RESOURCES_DIR; from a source checkout it is ./resources.
 */
export function resourcesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VFO_RESOURCES_DIR) return resolve(env.VFO_RESOURCES_DIR);
  // Walk up from this file: works from src/main (checkout) and from out/main (bundled).
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'resources');
    if (existsSync(join(candidate, 'migrations'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('cannot find the resources folder (set VFO_RESOURCES_DIR)');
}

/** The OS's app-data folder for Video Factory, the same place Electron's userData points to. */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_NAME);
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), APP_NAME);
}

/**
 * The OS's cache folder for Video Factory: what describes this machine rather than a studio's data and
 * can be rebuilt at any time (what its ffmpeg can do), shared by every data folder on it. VFO_CACHE_DIR
 * beats the OS default.
 */
export function machineCacheDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (env.VFO_CACHE_DIR) return resolve(env.VFO_CACHE_DIR);
  if (platform === 'darwin') return join(home, 'Library', 'Caches', APP_NAME);
  if (platform === 'win32')
    return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), APP_NAME, 'Cache');
  return join(env.XDG_CACHE_HOME ?? join(home, '.cache'), APP_NAME);
}

/** --data beats VFO_DATA_DIR beats the OS default. */
export function chooseDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.VFO_DATA_DIR) return resolve(env.VFO_DATA_DIR);
  return defaultDataDir(process.platform, env);
}

/**
 * The bundled encode runner beside the bundled CLI (out/cli/encode-runner.mjs), when this code runs
 * from the bundle; undefined from the sources, where the ffmpeg module forks its own .ts runner.
 */
export function bundledEncodeRunner(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  if (here.split(/[\\/]/).includes('src')) return undefined;
  for (const candidate of [join(here, 'encode-runner.mjs'), join(here, '..', 'encode-runner.mjs')]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The built UI (electron-vite's out/renderer) that a node serves to browsers: beside the bundle this
 * code runs from (out/main or out/cli, or a chunk folder in them), else the checkout's. In the packaged
 * app the bundle is in app.asar and the resources folder beside it: out/renderer is not next to the
 * resources (the page was a 404 to every browser on the LAN).
 */
export function rendererDir(
  env: NodeJS.ProcessEnv = process.env,
  moduleDir = dirname(fileURLToPath(import.meta.url)),
): string {
  if (env.VFO_RENDERER_DIR) return resolve(env.VFO_RENDERER_DIR);
  // From the sources (this file is in src/main): the checkout's build. Only its own parent says so: an
  // app installed under a folder named src is still the bundle.
  if (basename(dirname(moduleDir)) !== 'src') {
    for (const dir of [dirname(moduleDir), dirname(dirname(moduleDir))]) {
      const candidate = join(dir, 'renderer');
      if (existsSync(join(candidate, 'index.html'))) return candidate;
    }
  }
  return join(resourcesDir(env), '..', 'out', 'renderer');
}

/**
 * Where, in a data folder, uploaded scripts (one folder each, with their media), media still arriving,
 * and the speech every job may reuse (Azure's audio per request, named by what was asked) live. The
 * garbage collector sweeps them (what no job names, what an upload left behind, speech unused a week).
 */
export const DATA_FOLDERS = { imports: 'imports', uploads: 'uploads', speech: 'speech-cache' } as const;
