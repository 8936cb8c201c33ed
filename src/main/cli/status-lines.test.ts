import { describe, expect, it } from 'vitest';
import { errorForStatus } from '../farm/net/http-transport.ts';
import { redisFarmStatus } from '../farm/redis/redis-status.ts';
import { activityLines, statusLines } from './farm-client.ts';

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

  // Found by attacking the CLI from a hostile node: the encodes, the alerts and a refusal's words were
  // printed as they came.
  it('shows encodes, alerts and a node’s refusal printable too', () => {
    const lines = activityLines({
      nodes: [{ id: 'w1', name: 'evil\u001b]0;PWNED\u0007' } as never],
      encodes: [{ jobId: 'abcdefgh-1', workerId: 'w1', progress: 0.5 } as never],
      alerts: [{ severity: 'warning', message: 'look \u001b[31mRED' } as never],
    }).join('\n');
    expect(lines).toContain('evil\\u{1b}]0;PWNED\\u{7}');
    expect(lines).toContain('look \\u{1b}[31mRED');
    const refusal = errorForStatus(
      503,
      Buffer.from(JSON.stringify({ error: { code: 'x', message: 'no \u001b[2J\u001b]0;T\u0007' } })),
      'GET /farm/v1/identity',
    );
    expect(refusal.message).toBe('GET /farm/v1/identity → 503 x: no \\u{1b}[2J\\u{1b}]0;T\\u{7}');
  });
});
