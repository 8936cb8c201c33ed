/** A VfoService fake for the shell's tests: the real dispatcher over handlers that answer `unavailable`. */
import { METHODS } from '../../shared/contract.ts';
import { CallFailure } from '../api/call-failure.ts';
import { createDispatch, type Handlers, serviceOf } from '../api/dispatch.ts';
import { createLogger } from '../log/logger.ts';
import type { VfoService } from './service.ts';

export function fakeService(overrides: Partial<Handlers> = {}): VfoService {
  const handlers: Record<string, unknown> = {};
  // Every method of the contract, so the fake can never fall behind it.
  for (const method of METHODS) {
    handlers[method] =
      overrides[method] ??
      (() => {
        throw new CallFailure('unavailable', 'fake');
      });
  }
  return serviceOf(createDispatch(handlers as Handlers, createLogger('FakeService')));
}
