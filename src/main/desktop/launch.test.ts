import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  isAllowedPermission,
  isTrustedSender,
  navigationDecision,
  parseLaunchArgs,
  relaunchArgs,
} from './launch.ts';

describe('parseLaunchArgs', () => {
  it('takes flags and script paths, resolving relative ones against the working directory', () => {
    const argv = [
      '/Applications/Video Factory.app/Contents/MacOS/Video Factory',
      '--worker',
      'intro.md',
      '/abs/b.markdown',
    ];
    expect(parseLaunchArgs(argv, '/home/me')).toEqual({
      workerOnly: true,
      hidden: false,
      scriptPaths: ['/home/me/intro.md', '/abs/b.markdown'],
    });
  });

  it('ignores Chromium switches, the dev app folder and main script, and duplicates', () => {
    const argv = [
      '/usr/lib/electron',
      '--allow-file-access-from-files',
      '-psn_0_12345',
      '.',
      'out/main/index.js',
      'notes.TXT',
      './notes.TXT',
      '--hidden',
    ];
    expect(parseLaunchArgs(argv, '/w')).toEqual({
      workerOnly: false,
      hidden: true,
      scriptPaths: ['/w/notes.TXT'],
    });
  });

  it('treats everything after -- as a file', () => {
    expect(parseLaunchArgs(['app', '--', '--weird.md'], '/w').scriptPaths).toEqual(['/w/--weird.md']);
  });
});

// Found by reviewing the shell: switching to worker-only relaunched with the first launch's scripts,
// which were imported again (and resolved against another working folder).
describe('relaunchArgs', () => {
  it('keeps the flags and the app path, never the scripts; leaves --worker out when asked', () => {
    const argv = ['/Applications/VF.app/MacOS/VF', '.', '--hidden', '--worker', 'notes.md', '--', 'b.txt'];
    expect(relaunchArgs(argv, { dropWorker: false })).toEqual(['.', '--hidden', '--worker']);
    expect(relaunchArgs(argv, { dropWorker: true })).toEqual(['.', '--hidden']);
    // What the relaunch parses: no script.
    expect(parseLaunchArgs(['VF', ...relaunchArgs(argv, { dropWorker: true })], '/').scriptPaths).toEqual([]);
  });
});

describe('navigationDecision', () => {
  const built = pathToFileURL(
    '/Applications/Video Factory.app/Contents/Resources/app.asar/out/renderer/index.html',
  ).href;

  it('lets the built page reload itself and the dev server navigate within its origin', () => {
    expect(navigationDecision(`${built}#/jobs`, built)).toEqual({ kind: 'allow' });
    expect(navigationDecision('http://localhost:5173/jobs', 'http://localhost:5173/')).toEqual({
      kind: 'allow',
    });
  });

  it('turns a dropped script into an import and refuses other files', () => {
    expect(navigationDecision('file:///Users/me/My%20Scripts/intro.md', built)).toEqual({
      kind: 'import',
      path: '/Users/me/My Scripts/intro.md',
    });
    expect(navigationDecision('file:///Users/me/photo.png', built)).toEqual({ kind: 'block' });
    // Found by attacking the desktop glue: the page itself navigating to a script imported it.
    expect(navigationDecision('file:///Users/me/private/journal.md', built, { byPage: true })).toEqual({
      kind: 'block',
    });
    expect(navigationDecision('file://server/share/intro.md', built)).toEqual({ kind: 'block' });
  });

  it('sends web links to the browser and refuses other schemes', () => {
    expect(navigationDecision('https://example.com/docs', built)).toEqual({
      kind: 'external',
      url: 'https://example.com/docs',
    });
    expect(navigationDecision('http://localhost:9999/', 'http://localhost:5173/')).toEqual({
      kind: 'external',
      url: 'http://localhost:9999/',
    });
    expect(navigationDecision('javascript:alert(1)', built)).toEqual({ kind: 'block' });
    expect(navigationDecision('vfo-media://job/abc', built)).toEqual({ kind: 'block' });
    expect(navigationDecision('::', built)).toEqual({ kind: 'block' });
  });
});

describe('isTrustedSender', () => {
  it('trusts only the renderer page', () => {
    const built = 'file:///app/out/renderer/index.html';
    expect(isTrustedSender('file:///app/out/renderer/index.html#/x', built)).toBe(true);
    expect(isTrustedSender('file:///tmp/evil.html', built)).toBe(false);
    expect(isTrustedSender(undefined, built)).toBe(false);
    expect(isTrustedSender('http://localhost:5173/x', 'http://localhost:5173/')).toBe(true);
    expect(isTrustedSender('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isTrustedSender('garbage', built)).toBe(false);
  });
});

describe('isAllowedPermission', () => {
  it('allows full screen for the video and copying text, nothing else', () => {
    expect(isAllowedPermission('fullscreen')).toBe(true);
    expect(isAllowedPermission('clipboard-sanitized-write')).toBe(true);
    for (const p of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'hid']) {
      expect(isAllowedPermission(p)).toBe(false);
    }
  });
});
