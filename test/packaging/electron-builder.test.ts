/**
 * The macOS packaging, checked where it cannot be run (electron-builder --mac needs a Mac): the config
 * is loaded and schema-validated by electron-builder's own loader, the entitlements parsed, every
 * resource it names checked on disk, its file patterns run through electron-builder's own matcher, and
 * the Electron bundle built to confirm it holds exactly the files the shell and the config refer to.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_TYPE } from '../../src/main/farm/cluster/discovery.ts';
import { APP_NAME } from '../../src/main/paths.ts';
import { SCRIPT_EXTENSIONS } from '../../src/main/script/index.ts';
import { REPO } from '../support/vfo.ts';
import { parsePlist } from './plist.ts';
import { decodePng } from './png.ts';

const requireFromRepo = createRequire(join(REPO, 'package.json'));
const run = promisify(execFile);

interface FileSet {
  from?: string;
  to?: string;
  filter?: string[];
}

interface BuilderConfig {
  appId: string;
  productName: string;
  asar: boolean;
  npmRebuild: boolean;
  asarUnpack: string[];
  directories: { buildResources: string; output: string };
  files: FileSet[];
  extraResources: FileSet[];
  fileAssociations: { ext: string[]; rank: string; role: string }[];
  electronFuses: Record<string, boolean>;
  mac: {
    target: { target: string; arch: string[] }[];
    hardenedRuntime: boolean;
    entitlements: string;
    entitlementsInherit: string;
    icon: string;
    minimumSystemVersion: string;
    extendInfo: Record<string, unknown>;
  };
}

type Filter = (file: string, stat: { isDirectory(): boolean }) => boolean;

const builder = {
  config: requireFromRepo('app-builder-lib/out/util/config/config.js') as {
    getConfig(projectDir: string, configPath: string | null, fromOptions: null): Promise<BuilderConfig>;
    validateConfiguration(config: unknown, logger: unknown): Promise<void>;
  },
  FileMatcher: (
    requireFromRepo('app-builder-lib/out/fileMatcher.js') as {
      FileMatcher: new (
        from: string,
        to: string,
        expand: (p: string) => string,
        patterns: string[],
      ) => { createFilter(): Filter };
    }
  ).FileMatcher,
  DebugLogger: (requireFromRepo('builder-util') as { DebugLogger: new (enabled: boolean) => unknown })
    .DebugLogger,
};

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  productName: string;
  main: string;
  dependencies: Record<string, string>;
};

let config: BuilderConfig;

beforeAll(async () => {
  config = await builder.config.getConfig(REPO, null, null);
});

function fileFilter(patterns: string[]): (relative: string) => boolean {
  const filter = new builder.FileMatcher(REPO, '', (p) => p, patterns).createFilter();
  return (relative) => filter(join(REPO, relative), { isDirectory: () => false });
}

describe('electron-builder.yml', () => {
  it('is accepted by electron-builder’s own loader and schema', async () => {
    await expect(
      builder.config.validateConfiguration(config, new builder.DebugLogger(false)),
    ).resolves.toBeUndefined();
    // The validator really runs: a misspelt option is refused.
    await expect(
      builder.config.validateConfiguration(
        { ...config, mac: { ...config.mac, hardenedRuntim: true } },
        new builder.DebugLogger(false),
      ),
    ).rejects.toThrow(/configuration\.mac/);
  });

  it('builds signed-ready dmgs for Apple silicon and Intel under the app’s own name', () => {
    expect(config.productName).toBe(APP_NAME);
    expect(pkg.productName).toBe(APP_NAME);
    expect(config.appId).toMatch(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/);
    expect(config.mac.target).toEqual([{ target: 'dmg', arch: ['arm64', 'x64'] }]);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.asar).toBe(true);
    expect(config.npmRebuild).toBe(false);
    expect(config.directories.buildResources).toBe('resources/build');
  });

  it('declares local-network use and the farm’s Bonjour service in Info.plist', () => {
    const info = config.mac.extendInfo;
    expect(String(info.NSLocalNetworkUsageDescription).length).toBeGreaterThan(20);
    expect(info.NSBonjourServices).toEqual([`_${SERVICE_TYPE}._tcp`]);
  });

  it('has hardened-runtime entitlements for V8 and for the farm’s client and server sockets', () => {
    expect(config.mac.entitlementsInherit).toBe(config.mac.entitlements);
    const plist = parsePlist(readFileSync(join(REPO, config.mac.entitlements), 'utf8'));
    expect(plist).toEqual({
      'com.apple.security.cs.allow-jit': true,
      'com.apple.security.cs.allow-unsigned-executable-memory': true,
      'com.apple.security.network.client': true,
      'com.apple.security.network.server': true,
    });
  });

  it('opens scripts dropped on the Dock without claiming Markdown for itself', () => {
    expect(config.fileAssociations).toHaveLength(1);
    const [association] = config.fileAssociations;
    expect(association?.ext).toEqual(SCRIPT_EXTENSIONS.map((e) => e.slice(1)));
    expect(association?.rank).toBe('Alternate');
    expect(association?.role).toBe('Viewer');
  });

  it('keeps ELECTRON_RUN_AS_NODE and inspector switches off (encodes use utility processes)', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
    });
  });

  it('ships the engine’s resources under the names it reads them by, from folders that exist', () => {
    const byTarget = Object.fromEntries(config.extraResources.map((r) => [r.to, r]));
    expect(Object.keys(byTarget).sort()).toEqual(['bin', 'build', 'fonts', 'migrations', 'visuals']);
    for (const resource of config.extraResources) {
      // resources/bin is optional: drop a static ffmpeg in before packaging, or rely on Homebrew's.
      if (resource.from === 'resources/bin') continue;
      expect(existsSync(join(REPO, resource.from ?? '')), resource.from).toBe(true);
      expect(resource.to, resource.from).toBe(resource.from?.replace(/^resources\//, ''));
    }
    expect(readdirSync(join(REPO, 'resources/migrations')).some((f) => f.endsWith('.sql'))).toBe(true);
    expect(readdirSync(join(REPO, 'resources/fonts')).some((f) => f.endsWith('.ttf'))).toBe(true);
    expect(byTarget.build?.filter).toEqual(['trayTemplate.png', 'trayTemplate@2x.png']);
    for (const name of byTarget.build?.filter ?? [])
      expect(existsSync(join(REPO, 'resources/build', name))).toBe(true);
    expect(existsSync(join(REPO, config.mac.icon))).toBe(true);
  });

  it('packs the bundle and package.json, not sources, maps or the CLI', () => {
    const patterns = config.files.flatMap((set) => set.filter ?? []);
    const included = fileFilter(patterns);
    for (const file of [
      'package.json',
      'out/main/index.js',
      'out/main/encode-runner.js',
      'out/main/chunks/runner-service-abc.js',
      'out/preload/index.cjs',
      'out/renderer/index.html',
      'out/renderer/assets/index-abc.js',
    ]) {
      expect(included(file), file).toBe(true);
    }
    for (const file of [
      'src/main/electron/index.ts',
      'out/cli/main.mjs',
      'out/main/index.js.map',
      'test/cli.test.ts',
      'resources/build/icon.png',
    ]) {
      expect(included(file), file).toBe(false);
    }
  });

  it('trims better-sqlite3 to the macOS prebuilds and unpacks them from the asar', () => {
    // electron-builder adds production dependencies itself and applies only the exclusions to them.
    expect(pkg.dependencies['better-sqlite3']).toBeDefined();
    const exclusions = config.files.flatMap((set) => set.filter ?? []).filter((p) => p.startsWith('!'));
    const kept = fileFilter(['**/*', ...exclusions]);
    const prebuilds = 'node_modules/better-sqlite3/prebuilds';
    expect(kept(`${prebuilds}/darwin-arm64.node`)).toBe(true);
    expect(kept(`${prebuilds}/darwin-x64.node`)).toBe(true);
    expect(kept('node_modules/better-sqlite3/lib/index.js')).toBe(true);
    expect(kept(`${prebuilds}/linux-x64.node`)).toBe(false);
    expect(kept(`${prebuilds}/win32-x64.node`)).toBe(false);
    expect(kept('node_modules/better-sqlite3/deps/sqlite3/sqlite3.c')).toBe(false);
    for (const arch of ['arm64', 'x64'])
      expect(existsSync(join(REPO, `${prebuilds}/darwin-${arch}.node`))).toBe(true);

    const unpacked = fileFilter(config.asarUnpack);
    expect(unpacked(`${prebuilds}/darwin-arm64.node`)).toBe(true);
    expect(unpacked('node_modules/better-sqlite3/lib/index.js')).toBe(false);
  });
});

describe('icons', () => {
  it('has a menu-bar template image: black on transparent, 18 pt at 1x and 2x', () => {
    for (const [name, size] of [
      ['trayTemplate.png', 18],
      ['trayTemplate@2x.png', 36],
    ] as const) {
      const image = decodePng(readFileSync(join(REPO, 'resources/build', name)));
      expect([image.width, image.height], name).toEqual([size, size]);
      let opaque = 0;
      let clear = 0;
      for (let i = 0; i < image.pixels.length; i += 4) {
        expect(image.pixels[i] ?? 0).toBe(0);
        expect((image.pixels[i + 1] ?? 0) + (image.pixels[i + 2] ?? 0)).toBe(0);
        if ((image.pixels[i + 3] ?? 0) === 255) opaque++;
        if ((image.pixels[i + 3] ?? 0) === 0) clear++;
      }
      expect(opaque, name).toBeGreaterThan(size * 2);
      expect(clear, name).toBeGreaterThan(size * size * 0.3);
    }
  });

  it('has a 1024 px app icon', () => {
    const icon = decodePng(readFileSync(join(REPO, config.mac.icon)));
    expect([icon.width, icon.height]).toEqual([1024, 1024]);
  });
});

describe('the Electron bundle', () => {
  it('holds the entry, the encode runner, a CommonJS preload and the page, where the shell looks', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'vf-bundle-'));
    try {
      await run(
        join(REPO, 'node_modules/.bin/electron-vite'),
        ['build', '--outDir', outDir, '--logLevel', 'warn'],
        {
          cwd: REPO,
        },
      );
      expect(pkg.main).toBe('./out/main/index.js');
      for (const file of [
        'main/index.js',
        'main/encode-runner.js',
        'preload/index.cjs',
        'renderer/index.html',
      ]) {
        expect(existsSync(join(outDir, file)), file).toBe(true);
      }
      // A sandboxed preload is a classic script: no import statements, and no require but electron.
      const preload = await readFile(join(outDir, 'preload/index.cjs'), 'utf8');
      expect(preload).not.toMatch(/^\s*(import|export)\s/m);
      expect([...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual(['electron']);
      expect(preload).toContain('exposeInMainWorld("vfoBridge"');
      // The runner entry starts the runner loop and has nothing of Electron in it.
      const runner = await readFile(join(outDir, 'main/encode-runner.js'), 'utf8');
      expect(runner).toContain('serveEncodes');
      expect(runner).not.toContain('"electron"');
      // The shell's paths: the preload and runner beside the main entry.
      const main = await readFile(join(outDir, 'main/index.js'), 'utf8');
      expect(main).toContain('../preload/index.cjs');
      expect(main).toContain('"encode-runner.js"');
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
});
