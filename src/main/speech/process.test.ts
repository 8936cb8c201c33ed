import { describe, expect, it } from 'vitest';
import { runTool } from './process.ts';

const tool = { toolName: 'sh', installHint: 'Install a shell.' };

describe('runTool', () => {
  it('returns output, and reports a failing tool with what it printed', async () => {
    expect((await runTool('sh', ['-c', 'printf ok'], tool)).stdout).toBe('ok');
    await expect(runTool('sh', ['-c', 'echo broken voice >&2; exit 3'], tool)).rejects.toMatchObject({
      kind: 'engine-failed',
      message: 'sh exited with code 3: broken voice',
    });
  });

  // Found by attacking secrets: espeak-ng was handed every key the app held.
  it('gives the tool the environment without the keys', async () => {
    process.env.AZURE_SPEECH_KEY = 'az-canary';
    try {
      const { stdout } = await runTool('env', [], tool);
      expect(stdout).toContain('PATH=');
      expect(stdout).not.toContain('az-canary');
    } finally {
      delete process.env.AZURE_SPEECH_KEY;
    }
  });

  it('kills a tool that hangs, and one that is cancelled, before rejecting', async () => {
    const started = Date.now();
    await expect(runTool('sh', ['-c', 'exec sleep 20'], { ...tool, timeoutMs: 200 })).rejects.toMatchObject({
      kind: 'engine-failed',
      message: /did not finish within 0.2 s/,
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(
      runTool('sh', ['-c', 'sleep 20'], { ...tool, signal: controller.signal }),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
