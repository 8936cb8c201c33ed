import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { UI_HOST_NAME } from '../settings/index.ts';
import { uiHostRule } from './ui-hosts.ts';

describe('the names the UI answers to', () => {
  const allowed = uiHostRule(['Render-1.Studio.example.']);

  it('answers addresses, localhost, .local names, this computer and the names given', () => {
    for (const host of [
      '192.168.1.20:4870',
      '127.0.0.1',
      '[::1]:4870',
      '[fe80::1]',
      'localhost:4870',
      'studio-1:4870',
      'Studio-1.local:4870',
      'studio-1.local.',
      `${hostname()}:4870`,
      'render-1.studio.example:4870',
      'RENDER-1.studio.example',
    ])
      expect(allowed(host), host).toBe(true);
  });

  it('refuses any other name, a malformed header and none', () => {
    for (const host of [
      'attacker.example:4870',
      'studio.example',
      'render-1.studio.example.attacker.example',
      'localhost.attacker.example',
      '1.2.3.4.attacker.example',
      '[::1',
      'a:b:c',
      '',
      'render-1.studio.example:99999999',
    ])
      expect(allowed(host), host).toBe(false);
    expect(allowed(undefined)).toBe(false);
  });

  it('takes host names only for --ui-host', () => {
    expect(UI_HOST_NAME.test('render-1.studio.example')).toBe(true);
    for (const bad of ['http://x', 'x:4870', 'a b', '', '-x', 'x..y'])
      expect(UI_HOST_NAME.test(bad), bad).toBe(false);
  });
});
