import { describe, expect, it } from 'vitest';
import { captureOutput } from './exec.ts';

describe('captureOutput', () => {
  it('ends a run past its time even when it ignores SIGTERM (ffmpeg inside a filter graph does)', async () => {
    const started = Date.now();
    const out = await captureOutput('sh', ['-c', 'trap "" TERM; sleep 30'], { timeoutMs: 300 });
    expect(out.code).toBeNull();
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
