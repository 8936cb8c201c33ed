/**
 * Every store calls the node through here: a failed call becomes one notification (or, when the
 * session ended, the login screen) and the caller simply gets `undefined`.
 */
import type { ArgsOf, Method, ResultOf } from '../../../shared/contract.ts';
import { UNAUTHORIZED } from '../client/connection.ts';
import { useSessionStore } from './session-store.ts';
import { notify } from './toast-store.ts';

export async function callApi<M extends Method>(
  method: M,
  args: ArgsOf<M>,
  failureContext?: string,
): Promise<ResultOf<M> | undefined> {
  const session = useSessionStore.getState();
  const client = session.connection?.client;
  if (!client) return undefined;
  const result = await client.call(method, args);
  if (result.ok) return result.value;
  if (result.error.code === UNAUTHORIZED && session.connection?.login) {
    session.expire();
    return undefined;
  }
  notify('error', `${failureContext ?? method}: ${result.error.message}`);
  return undefined;
}

export function videoUrlOf(jobId: string): string | null {
  return useSessionStore.getState().connection?.client.videoUrl(jobId) ?? null;
}
