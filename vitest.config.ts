import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Real ffmpeg encodes share 2 cores; more workers only make each slower.
    maxWorkers: 2,
    unstubEnvs: true,
    setupFiles: ['test/setup.ts'],
    // The probe cache of the fake ffmpegs tests make stays out of the user's own cache folder.
    env: { VFO_CACHE_DIR: join(tmpdir(), 'vfo-test-machine-cache') },
    // The JSON report lets CI print one plain "N passed, N failed" line at the end.
    reporters: ['default', 'json'],
    outputFile: { json: '.tmp/vitest-report.json' },
  },
});
