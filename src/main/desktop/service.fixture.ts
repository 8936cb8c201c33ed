/** A VfoService fake for the shell's tests: every method answers `unavailable` unless overridden. */
import { type CallResult, METHODS, type Method } from '../../shared/contract.ts';
import type { VfoService } from './service.ts';

export function fakeService(overrides: Partial<VfoService> = {}): VfoService {
  const unavailable = async (): Promise<CallResult<Method>> => ({
    ok: false,
    error: { code: 'unavailable', message: 'fake' },
  });
  const service = {} as Record<Method, unknown>;
  // Every method of the contract, so the fake can never fall behind it.
  for (const method of METHODS) {
    service[method] = overrides[method] ?? unavailable;
  }
  return service as VfoService;
}
