/** Starting the UI: pick up an existing session (cookie) if there is one, else ask for the farm key. */
import { type Connection, UNAUTHORIZED } from '../client/connection.ts';
import { useFarmStore } from './farm-store.ts';
import { useJobsStore } from './jobs-store.ts';
import { useLibraryStore } from './library-store.ts';
import { useSessionStore } from './session-store.ts';

/** What every screen needs right after login; later changes arrive as events. */
export function loadInitialData(): void {
  void useJobsStore.getState().load();
  void useFarmStore.getState().load();
  void useLibraryStore.getState().load();
}

export async function startSession(connection: Connection): Promise<void> {
  const session = useSessionStore.getState();
  session.connect(connection);
  if (!connection.login) {
    session.loggedIn();
    return;
  }
  // The HttpOnly cookie cannot be read by script: ask the node whether it is still good.
  const probe = await connection.client.call('farm.status', {});
  if (probe.ok) {
    useFarmStore.getState().receive(probe.value);
    session.loggedIn();
  } else {
    session.needLogin(probe.error.code === UNAUTHORIZED ? null : probe.error.message);
  }
}

/** Returns the reason when the login failed. */
export async function logIn(farmKey: string): Promise<string | null> {
  const login = useSessionStore.getState().connection?.login;
  if (!login) return null;
  const outcome = await login(farmKey);
  if (!outcome.ok) return outcome.message;
  useSessionStore.getState().loggedIn();
  return null;
}
