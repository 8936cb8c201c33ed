import { describe, expect, it } from 'vitest';
import { MAX_FIELD_ISSUES, MAX_ISSUE_CHARS, METHODS } from '../../shared/contract.ts';
import { fakeService } from '../desktop/service.fixture.ts';
import { captureLogs } from '../farm/net/net.fixture.ts';
import { CallFailure } from './call-failure.ts';
import { httpStatusOf } from './dispatch.ts';

describe('the contract’s dispatcher', () => {
  const calls: unknown[] = [];
  const { dispatch } = fakeService({
    'jobs.list': ({ limit }) => Array.from({ length: limit ?? 0 }, () => null as never),
    'jobs.get': () => {
      throw new Error('SQLITE_ERROR: no such column: {} near "SELECT * FROM jobs WHERE id ="');
    },
    'jobs.cancel': ({ id }) => {
      throw new CallFailure('not-found', `no job ${id}`);
    },
    'farm.setPaused': (args) => {
      calls.push(args);
      return { paused: args.paused };
    },
    'settings.setFfmpegPath': () => {
      throw new Error('never reached over http');
    },
  });

  it('passes a known method and its parsed arguments to the handler', async () => {
    expect(await dispatch('jobs.list', { limit: 2 }, 'http')).toEqual({ ok: true, value: [null, null] });
    expect(await dispatch('jobs.list', undefined, 'ipc')).toEqual({ ok: true, value: [] });
  });

  it('refuses unknown methods, prototype names included, as values', async () => {
    for (const method of ['jobs.delete', 'constructor', '__proto__', 'toString', 42, null]) {
      expect(await dispatch(method, {}, 'ipc')).toMatchObject({
        ok: false,
        error: { code: 'unknown-method' },
      });
    }
  });

  it('refuses arguments that break the method’s schema, naming every field, before the handler runs', async () => {
    const paused = await dispatch('farm.setPaused', { paused: 'no' }, 'http');
    expect(paused).toMatchObject({ ok: false, error: { code: 'invalid', issues: [{ field: 'paused' }] } });
    expect(calls).toEqual([]);
    const get = await dispatch('jobs.get', { id: {} }, 'http');
    expect(get).toMatchObject({ ok: false, error: { code: 'invalid', issues: [{ field: 'id' }] } });
    for (const args of [null, 'x', 3, [1]]) {
      expect(await dispatch('jobs.list', args, 'ipc')).toMatchObject({
        ok: false,
        error: { code: 'invalid' },
      });
    }
    expect(await dispatch('jobs.list', { limit: 2, extra: true }, 'http')).toMatchObject({
      ok: false,
      error: { code: 'invalid' },
    });
    expect(httpStatusOf(paused)).toBe(400);
  });

  // Found by attacking the UI API: 94,000 bad media keys in a 900 KB request came back as a 6 MB reply.
  it('names at most MAX_FIELD_ISSUES issues, however many the arguments have', async () => {
    const media = Object.fromEntries(
      Array.from({ length: 500 }, (_, i) => [`../bad-${i}`, { sha256: 'x', size: -1 }]),
    );
    const result = await dispatch('scripts.check', { script: { name: 'a.md', text: '# A', media } }, 'http');
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const issues = (result as { error: { issues: unknown[] } }).error.issues;
    expect(issues).toHaveLength(MAX_FIELD_ISSUES);
  });

  // Found by attacking the UI API: an unknown key of a megabyte was quoted whole, twice (a 2 MB reply).
  it('quotes a field name or a message at most MAX_ISSUE_CHARS long', async () => {
    const key = '"'.repeat(1024 * 1024);
    const keys = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`${key}${i}`, 0]));
    const result = await dispatch('jobs.list', keys, 'http');
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(JSON.stringify(result).length).toBeLessThan(2 * (MAX_FIELD_ISSUES + 1) * (MAX_ISSUE_CHARS + 100));
  });

  it('never sends internal error text: an unexpected failure is "internal error", logged at the node', async () => {
    const logs = captureLogs();
    try {
      const result = await dispatch('jobs.get', { id: 'a' }, 'http');
      expect(result).toEqual({ ok: false, error: { code: 'internal', message: 'internal error' } });
      expect(JSON.stringify(result)).not.toMatch(/SQLITE|SELECT/);
      expect(httpStatusOf(result)).toBe(500);
      expect(logs.text()).toContain('SQLITE_ERROR');
    } finally {
      logs.stop();
    }
  });

  it('passes expected failures through as values', async () => {
    expect(await dispatch('jobs.cancel', { id: 'nope' }, 'http')).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'no job nope' },
    });
  });

  it('keeps local-only methods off HTTP', async () => {
    const result = await dispatch('settings.setFfmpegPath', { path: '/tmp/evil' }, 'http');
    expect(result).toMatchObject({ ok: false, error: { code: 'local-only' } });
    expect(httpStatusOf(result)).toBe(403);
  });

  it('has a schema for every method of the contract', () => {
    expect(METHODS.length).toBeGreaterThan(20);
  });
});
