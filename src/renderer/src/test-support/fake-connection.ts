/** A scripted VfoClient for store tests: answers by method, records every call, emits events on demand. */
import type { CallResult, Method, VfoClient, VfoEvent } from '../../../shared/contract.ts';
import type { Connection } from '../client/connection.ts';

type Answer = (args: unknown) => CallResult<Method>;

export interface FakeConnection extends Connection {
  calls: { method: Method; args: unknown }[];
  /** Media sent with uploadMedia, in order. */
  uploads: { name: string; sha256: string }[];
  answer(method: Method, answer: Answer): void;
  emit(event: VfoEvent): void;
}

export function fakeConnection(options: { withLogin?: boolean } = {}): FakeConnection {
  const answers = new Map<Method, Answer>();
  const listeners = new Set<(event: VfoEvent) => void>();
  const calls: { method: Method; args: unknown }[] = [];
  const uploads: { name: string; sha256: string }[] = [];
  const client: VfoClient = {
    async call(method, args) {
      calls.push({ method, args });
      const answer = answers.get(method);
      const result = answer
        ? answer(args)
        : { ok: false as const, error: { code: 'internal', message: `no answer for ${method}` } };
      return result as never;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    videoUrl: (jobId) => `/video/${jobId}`,
    thumbnailUrl: (jobId) => `/thumbnail/${jobId}`,
    async uploadMedia(file, sha256) {
      uploads.push({ name: file.name, sha256 });
      return { ok: true };
    },
  };
  return {
    kind: options.withLogin ? 'http' : 'ipc',
    client,
    login: options.withLogin ? async () => ({ ok: true }) : null,
    logout: options.withLogin ? async () => undefined : null,
    onStreamState: () => () => {},
    calls,
    uploads,
    answer: (method, answer) => answers.set(method, answer),
    emit: (event) => {
      for (const listener of listeners) listener(event);
    },
  };
}

export const ok = <T>(value: T): CallResult<Method> => ({ ok: true, value }) as CallResult<Method>;
export const fail = (code: string, message: string): CallResult<Method> => ({
  ok: false,
  error: { code, message },
});
