/**
 * Who we talk to and whether we may: the connection (IPC or HTTP), the login state for a browser on
 * the LAN, and the health of the live event stream. Only the last node's name is remembered.
 */
import { create } from 'zustand';
import type { Connection, StreamState } from '../client/connection.ts';

export type SessionPhase = 'starting' | 'login' | 'ready';

const LAST_NODE_KEY = 'vfo.lastNodeName';

function readLastNodeName(): string | null {
  try {
    return globalThis.localStorage?.getItem(LAST_NODE_KEY) ?? null;
  } catch {
    return null; // storage disabled: nothing to remember
  }
}

interface SessionState {
  connection: Connection | null;
  phase: SessionPhase;
  stream: StreamState;
  nodeName: string | null;
  lastNodeName: string | null;
  /** Why the login screen is shown without the user asking (e.g. the node cannot be reached). */
  notice: string | null;
  connect(connection: Connection): void;
  /** A call came back 'unauthorized': the cookie expired or the node restarted. */
  expire(): void;
  needLogin(notice: string | null): void;
  loggedIn(): void;
  /** A browser's user ends the session (the desktop app has none). */
  logOut(): Promise<void>;
  setStream(state: StreamState): void;
  setNodeName(name: string): void;
}

export const useSessionStore = create<SessionState>()((set, get) => ({
  connection: null,
  phase: 'starting',
  stream: 'connecting',
  nodeName: null,
  lastNodeName: readLastNodeName(),
  notice: null,
  connect(connection) {
    set({ connection, phase: 'starting' });
  },
  expire() {
    if (get().connection?.login) set({ phase: 'login', notice: 'The session ended: log in again.' });
  },
  needLogin(notice) {
    set({ phase: 'login', notice });
  },
  loggedIn() {
    set({ phase: 'ready', notice: null });
  },
  async logOut() {
    const logout = get().connection?.logout;
    if (!logout) return;
    await logout();
    set({ phase: 'login', notice: 'Logged out.' });
  },
  setStream(stream) {
    set({ stream });
  },
  setNodeName(name) {
    if (get().nodeName === name) return;
    set({ nodeName: name, lastNodeName: name });
    try {
      globalThis.localStorage?.setItem(LAST_NODE_KEY, name);
    } catch {
      // storage disabled
    }
  },
}));
