/**
 * Wires the connection's event stream into the feature stores. After a gap in the stream (a
 * reconnect) events may have been missed, so the jobs and the farm are loaded again once.
 */
import type { Connection } from '../client/connection.ts';
import { useFarmStore } from './farm-store.ts';
import { useJobsStore } from './jobs-store.ts';
import { useSessionStore } from './session-store.ts';

export function startLiveUpdates(connection: Connection): () => void {
  const unsubscribe = connection.client.subscribe((event) => {
    if (event.type === 'farm') useFarmStore.getState().receive(event.status);
    else useJobsStore.getState().applyEvent(event);
  });
  let hadGap = false;
  const stopWatching = connection.onStreamState((state) => {
    useSessionStore.getState().setStream(state);
    if (state === 'reconnecting') hadGap = true;
    if (state === 'live' && hadGap) {
      hadGap = false;
      void useJobsStore.getState().load();
      void useFarmStore.getState().load();
      const open = useJobsStore.getState().detail;
      if (open) void useJobsStore.getState().reloadDetail(open.id);
    }
  });
  return () => {
    unsubscribe();
    stopWatching();
  };
}
