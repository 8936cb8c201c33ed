import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureOutput } from './exec.ts';
import { isAlive, waitFor } from './test-fixtures.ts';

describe('captureOutput', () => {
  it('ends a run past its time even when it ignores SIGTERM (ffmpeg inside a filter graph does)', async () => {
    const started = Date.now();
    const out = await captureOutput('sh', ['-c', 'trap "" TERM; sleep 30'], { timeoutMs: 300 });
    expect(out.code).toBeNull();
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('kills a cancelled run that ignores SIGTERM, and answers with the reason once it has exited', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vfo-exec-'));
    try {
      const pidFile = join(dir, 'pid');
      const controller = new AbortController();
      // An ignored signal stays ignored across exec: the pid written is the process that ignores it.
      const run = captureOutput('sh', ['-c', `echo $$ > "${pidFile}"; trap "" TERM; exec sleep 30`], {
        timeoutMs: 60_000,
        signal: controller.signal,
      });
      const pidOf = () => Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : 0);
      await waitFor(() => pidOf() > 0);
      const pid = pidOf();
      const reason = new Error('job cancelled');
      controller.abort(reason);
      await expect(run).rejects.toBe(reason);
      expect(isAlive(pid)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does not start a run whose job is already cancelled', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already'));
    await expect(captureOutput('sh', ['-c', 'exit 0'], { signal: controller.signal })).rejects.toThrow(
      'already',
    );
  });
});
