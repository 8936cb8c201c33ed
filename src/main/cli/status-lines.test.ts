import { describe, expect, it } from 'vitest';
import { redisFarmStatus } from '../farm/redis/redis-status.ts';
import { statusLines } from './farm-client.ts';

describe('vfo status for people', () => {
  // Found by a review of Redis mode: a record anyone can write to Redis put a terminal's escape
  // sequences (retitle, clear the screen) into `vfo status`.
  it('shows names and reasons from other machines printable', () => {
    const node = {
      id: 'node-1',
      name: 'studio\u001b]0;pwned\u0007',
      url: 'http://127.0.0.1:4870',
      role: 'auto' as const,
      encoders: ['libx264'],
      cores: 2,
      slots: 1,
      running: 0,
      status: 'yielding' as const,
      reason: 'busy\u001b[2J\u202eelif',
      version: '1',
      protocol: 1,
      time: 0,
    };
    const text = statusLines(
      redisFarmStatus({ self: node, nodes: [], queue: { queued: 0, running: 0, done: 0, failed: 0 } }),
    ).join('\n');
    expect(text).toContain('studio\\u{1b}]0;pwned\\u{7}');
    expect(text).toContain('busy\\u{1b}[2J\\u{202e}elif');
    expect([...text].some((char) => char === '\u001b' || char === '\u0007' || char === '\u202e')).toBe(false);
  });
});
