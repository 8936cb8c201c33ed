/** What the app holds besides the typed client: how to log in (LAN browsers only) and stream health. */
import type { VfoClient } from '../../../shared/contract.ts';

/** 'live' after 'reconnecting' means events may have been missed: the stores reload then. */
export type StreamState = 'connecting' | 'live' | 'reconnecting';

/** The code of a failed call that means "log in again" (HTTP 401). */
export const UNAUTHORIZED = 'unauthorized';

export type LoginOutcome = { ok: true } | { ok: false; message: string };

export interface Connection {
  kind: 'ipc' | 'http';
  client: VfoClient;
  /** null in the desktop app, which needs no login. */
  login: ((farmKey: string) => Promise<LoginOutcome>) | null;
  /** null in the desktop app, which has no session. */
  logout: (() => Promise<void>) | null;
  onStreamState(listener: (state: StreamState) => void): () => void;
}
