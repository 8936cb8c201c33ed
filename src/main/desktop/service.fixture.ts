/** A VfoService fake for the shell's tests: every method answers `unavailable` unless overridden. */
import type { CallResult, Method } from '../../shared/contract.ts';
import { isMethod, type VfoService } from './service.ts';

export function fakeService(overrides: Partial<VfoService> = {}): VfoService {
  const unavailable = async (): Promise<CallResult<Method>> => ({
    ok: false,
    error: { code: 'unavailable', message: 'fake' },
  });
  const service = {} as Record<Method, unknown>;
  for (const method of [
    'jobs.list',
    'jobs.get',
    'jobs.retry',
    'jobs.cancel',
    'scripts.check',
    'scripts.import',
    'farm.status',
    'farm.setPaused',
    'library.recipes',
    'library.presets',
    'library.prompts',
    'settings.providers',
  ] as const) {
    if (!isMethod(method)) throw new Error(`the fake is out of date: ${method}`);
    service[method] = overrides[method] ?? unavailable;
  }
  return service as VfoService;
}
