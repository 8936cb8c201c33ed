import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureOutput } from './exec.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

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
      let pid = 0;
      for (let i = 0; i < 500 && !pid; i++) {
        pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
        if (!pid) await new Promise((r) => setTimeout(r, 10));
      }
      expect(pid).toBeGreaterThan(0);
      const reason = new Error('job cancelled');
      controller.abort(reason);
      await expect(run).rejects.toBe(reason);
      expect(alive(pid)).toBe(false);
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
