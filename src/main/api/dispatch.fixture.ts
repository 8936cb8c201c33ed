/** Test access to some handlers through the real dispatcher, one typed function per method. */
import type { ArgsOf, CallResult, Method } from '../../shared/contract.ts';
import { fakeService } from '../desktop/service.fixture.ts';
import type { Handlers } from './dispatch.ts';

export type Calls<Ms extends Method> = { [M in Ms]: (args: ArgsOf<M>) => Promise<CallResult<M>> };

export function callsOf<Ms extends Method>(handlers: Pick<Handlers, Ms>): Calls<Ms> {
  const service = fakeService(handlers as Partial<Handlers>);
  const calls = {} as Record<string, unknown>;
  for (const method of Object.keys(handlers))
    calls[method] = (args: unknown) => service.dispatch(method, args, 'ipc');
  return calls as Calls<Ms>;
}
