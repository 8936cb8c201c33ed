/**
 * Every store calls the node through here: a failed call becomes one notification (or, when the
 * session ended, the login screen) and the caller simply gets `undefined`.
 */
import type { ArgsOf, FieldIssue, Method, ResultOf } from '../../../shared/contract.ts';
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

export type FormCallResult<M extends Method> =
  | { ok: true; value: ResultOf<M> }
  | { ok: false; issues: FieldIssue[] };

/**
 * For a form's save: a rejection with field issues comes back to the form (to show next to the
 * fields) instead of as a notification; every other failure is notified as with callApi.
 */
export async function callForForm<M extends Method>(
  method: M,
  args: ArgsOf<M>,
  failureContext: string,
): Promise<FormCallResult<M>> {
  const session = useSessionStore.getState();
  const client = session.connection?.client;
  if (!client) return { ok: false, issues: [] };
  const result = await client.call(method, args);
  if (result.ok) return { ok: true, value: result.value };
  const { error } = result;
  if (error.code === 'invalid' && error.issues && error.issues.length > 0)
    return { ok: false, issues: error.issues };
  if (error.code === UNAUTHORIZED && session.connection?.login) session.expire();
  else notify('error', `${failureContext}: ${error.message}`);
  return { ok: false, issues: [] };
}

export function videoUrlOf(jobId: string): string | null {
  return useSessionStore.getState().connection?.client.videoUrl(jobId) ?? null;
}

export function thumbnailUrlOf(jobId: string): string | null {
  return useSessionStore.getState().connection?.client.thumbnailUrl(jobId) ?? null;
}
