/**
 * One EventSource shared by every subscriber, opened on the first and closed after the last. The
 * browser reconnects by itself after a dropped connection; after a refusal (e.g. 401 once the session
 * expired) it gives up, so the stream is re-created with a growing delay while anyone still listens.
 */
import type { VfoEvent } from '../../../shared/contract.ts';
import { parseVfoEvent } from '../lib/vfo-event.ts';
import type { StreamState } from './connection.ts';

/** The part of EventSource this module uses, so tests can supply their own. */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
  close(): void;
}

export type EventSourceFactory = (url: string) => EventSourceLike;

const CLOSED = 2;
const RETRY_DELAYS_MS = [1000, 2000, 5000, 10_000, 15_000];

export interface EventStream {
  subscribe(listener: (event: VfoEvent) => void): () => void;
  onState(listener: (state: StreamState) => void): () => void;
  /** Start over at once (after a login the old refusal no longer applies). */
  restart(): void;
}

export function createEventStream(url: string, open: EventSourceFactory): EventStream {
  const listeners = new Set<(event: VfoEvent) => void>();
  const stateListeners = new Set<(state: StreamState) => void>();
  let source: EventSourceLike | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;
  let state: StreamState = 'connecting';

  const setState = (next: StreamState): void => {
    if (next === state) return;
    state = next;
    for (const listener of stateListeners) listener(next);
  };

  const stop = (): void => {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    source?.close();
    source = null;
  };

  const connect = (): void => {
    stop();
    const current = open(url);
    source = current;
    current.addEventListener('open', () => {
      failures = 0;
      setState('live');
    });
    current.addEventListener('vfo', (message) => {
      const event = typeof message.data === 'string' ? parseVfoEvent(message.data) : null;
      if (!event) return;
      for (const listener of listeners) listener(event);
    });
    current.addEventListener('error', () => {
      if (source !== current) return;
      if (state === 'live') setState('reconnecting');
      if (current.readyState !== CLOSED) return; // the browser retries by itself
      const delay = RETRY_DELAYS_MS[Math.min(failures, RETRY_DELAYS_MS.length - 1)] as number;
      failures++;
      current.close();
      retryTimer = setTimeout(() => {
        if (listeners.size > 0) connect();
      }, delay);
    });
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (!source && !retryTimer) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          stop();
          state = 'connecting';
        }
      };
    },
    onState(listener) {
      stateListeners.add(listener);
      listener(state);
      return () => stateListeners.delete(listener);
    },
    restart() {
      failures = 0;
      if (listeners.size > 0) connect();
    },
  };
}
