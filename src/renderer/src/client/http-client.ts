/**
 * The client for a browser on the LAN: the node's HTTP API. Calls are POSTs with the `x-vfo-ui`
 * header (a cross-site form cannot set it) and the HttpOnly session cookie; events are server-sent.
 * Every failure comes back as a CallResult value, never as an exception.
 */
import type { CallError, CallResult, Method, VfoClient } from '../../../shared/contract.ts';
import { type Connection, UNAUTHORIZED } from './connection.ts';
import { createEventStream, type EventSourceFactory } from './event-stream.ts';
import { loginWithFarmKey, logOut } from './login.ts';

export const UI_HEADER = { 'x-vfo-ui': '1' } as const;

export interface HttpClientOptions {
  fetch?: typeof fetch;
  eventSource?: EventSourceFactory;
}

function failure(code: string, message: string): { ok: false; error: CallError } {
  return { ok: false, error: { code, message } };
}

function isCallResult(value: unknown): value is CallResult<Method> {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as { ok?: unknown; error?: unknown };
  if (record.ok === true) return 'value' in record;
  return record.ok === false && typeof record.error === 'object' && record.error !== null;
}

async function readCallResult(response: Response): Promise<CallResult<Method>> {
  if (response.status === 401)
    return failure(UNAUTHORIZED, 'The session ended: log in again with the farm key.');
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return failure('internal', `The node answered HTTP ${response.status} without a result.`);
  }
  if (isCallResult(body)) return body;
  return failure('internal', `The node answered HTTP ${response.status} with an unexpected body.`);
}

function browserEventSource(url: string): EventSource {
  return new EventSource(url, { withCredentials: true });
}

export function httpClient(
  baseUrl = '',
  options: HttpClientOptions = {},
): VfoClient & Pick<Connection, 'login' | 'logout' | 'onStreamState'> {
  const base = baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const events = createEventStream(`${base}/api/v1/events`, options.eventSource ?? browserEventSource);

  return {
    async call<M extends Method>(method: M, args: unknown): Promise<CallResult<M>> {
      let response: Response;
      try {
        response = await doFetch(`${base}/api/v1/call/${encodeURIComponent(method)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...UI_HEADER },
          body: JSON.stringify(args ?? {}),
          credentials: 'include',
          cache: 'no-store',
        });
      } catch {
        return failure('unreachable', 'Cannot reach the node: is it running, and is this the right address?');
      }
      return (await readCallResult(response)) as CallResult<M>;
    },
    subscribe: (listener) => events.subscribe(listener),
    videoUrl: (jobId) => `${base}/api/v1/jobs/${encodeURIComponent(jobId)}/video`,
    thumbnailUrl: (jobId) => `${base}/api/v1/jobs/${encodeURIComponent(jobId)}/thumbnail`,
    async uploadMedia(file, sha256) {
      let response: Response;
      try {
        response = await doFetch(`${base}/api/v1/media/${encodeURIComponent(sha256)}`, {
          method: 'PUT',
          // The node checks the bytes against this checksum as they land.
          headers: { 'content-type': 'application/octet-stream', 'x-vfo-body-sha256': sha256, ...UI_HEADER },
          body: file,
          credentials: 'include',
          cache: 'no-store',
        });
      } catch {
        return failure('unreachable', `Cannot reach the node to send ${file.name}.`);
      }
      if (response.ok) return { ok: true };
      if (response.status === 401)
        return failure(UNAUTHORIZED, 'The session ended: log in again with the farm key.');
      const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      return failure(
        'upload-failed',
        `${file.name} was not stored: ${body?.error?.message ?? `HTTP ${response.status}`}`,
      );
    },
    async login(farmKey) {
      const outcome = await loginWithFarmKey(base, farmKey, doFetch);
      // A stream refused before the login is retried at once with the new cookie.
      if (outcome.ok) events.restart();
      return outcome;
    },
    logout: () => logOut(base, doFetch),
    onStreamState: (listener) => events.onState(listener),
  };
}

export function httpConnection(baseUrl = ''): Connection {
  const { login, logout, onStreamState, ...client } = httpClient(baseUrl);
  return { kind: 'http', client, login, logout, onStreamState };
}
