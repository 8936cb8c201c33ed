/**
 * Browser tests of the UI against real headless nodes (`vfo node`), in the system's Chromium: the
 * Playwright browser download is never used (it cannot run on these machines). On a Mac, point
 * VFO_E2E_CHROMIUM at a Chrome/Chromium binary.
 */
import { defineConfig } from '@playwright/test';
import { E2E_LAN_HOST } from './test/e2e/support/lan-host.ts';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // A name for loopback that is NOT a secure context, like http://mac-mini.local on a real LAN: the UI
  // must log in without crypto.subtle and the session cookie must work over plain http.
  `--host-resolver-rules=MAP ${E2E_LAN_HOST} 127.0.0.1`,
];

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results',
  globalSetup: './test/e2e/global-setup.ts',
  // Real nodes render real videos on 2 cores: one test at a time.
  workers: 1,
  fullyParallel: false,
  timeout: 150_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.VFO_E2E_CHROMIUM ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
    screenshot: 'on',
    trace: 'retain-on-failure',
    viewport: { width: 1280, height: 900 },
  },
});
