import { describe, expect, it } from 'vitest';
import { METHODS } from '../../shared/contract.ts';
import { fakeService } from './service.fixture.ts';
import { dispatchCall, isMethod } from './service.ts';

describe('dispatchCall', () => {
  const service = fakeService({
    'jobs.list': async ({ limit }) => ({
      ok: true,
      value: Array.from({ length: limit ?? 0 }, () => null as never),
    }),
    'jobs.get': async () => {
      throw new Error('database is locked');
    },
  });

  it('passes a known method and its arguments to the service', async () => {
    expect(await dispatchCall(service, 'jobs.list', { limit: 2 })).toEqual({ ok: true, value: [null, null] });
    expect(await dispatchCall(service, 'jobs.list', undefined)).toEqual({ ok: true, value: [] });
  });

  it('refuses unknown methods and non-object arguments as values', async () => {
    for (const method of ['jobs.delete', 'constructor', '__proto__', 42, null]) {
      const result = await dispatchCall(service, method, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid' } });
    }
    for (const args of [null, 'x', 3, [1]]) {
      expect(await dispatchCall(service, 'jobs.list', args)).toMatchObject({
        ok: false,
        error: { code: 'invalid' },
      });
    }
  });

  it('turns a thrown error into an internal error value', async () => {
    expect(await dispatchCall(service, 'jobs.get', { id: 'x' })).toEqual({
      ok: false,
      error: { code: 'internal', message: 'jobs.get failed: database is locked' },
    });
  });

  it('knows exactly the contract’s methods', () => {
    for (const method of METHODS) expect(isMethod(method)).toBe(true);
    expect(isMethod('toString')).toBe(false);
  });
});
