/**
 * Logging in from a browser: fetch a one-time nonce, answer with HMAC(farm key, nonce), receive an
 * HttpOnly session cookie. The farm key itself is never sent and never stored.
 */
import { sessionProof } from '../lib/session-proof.ts';
import type { LoginOutcome } from './connection.ts';

const HEADERS = { 'content-type': 'application/json', 'x-vfo-ui': '1' };

async function readNonce(response: Response): Promise<string | null> {
  try {
    const body = (await response.json()) as { nonce?: unknown };
    return typeof body.nonce === 'string' && body.nonce.length > 0 ? body.nonce : null;
  } catch {
    return null;
  }
}

function refusal(status: number): string {
  if (status === 401 || status === 403) return 'That is not this farm’s key.';
  if (status === 429) return 'Too many attempts: wait a minute and try again.';
  return `The node refused the login (HTTP ${status}).`;
}

export async function loginWithFarmKey(
  base: string,
  farmKey: string,
  doFetch: typeof fetch,
): Promise<LoginOutcome> {
  if (farmKey.trim().length === 0) return { ok: false, message: 'Enter the farm key.' };
  try {
    const challenge = await doFetch(`${base}/api/v1/session/challenge`, {
      headers: { 'x-vfo-ui': '1' },
      credentials: 'include',
      cache: 'no-store',
    });
    if (!challenge.ok) return { ok: false, message: refusal(challenge.status) };
    const nonce = await readNonce(challenge);
    if (!nonce) return { ok: false, message: 'The node sent no login challenge.' };
    const proof = sessionProof(farmKey, nonce);
    const session = await doFetch(`${base}/api/v1/session`, {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify({ nonce, proof }),
      credentials: 'include',
      cache: 'no-store',
    });
    return session.ok ? { ok: true } : { ok: false, message: refusal(session.status) };
  } catch {
    return { ok: false, message: 'Cannot reach the node: is it running, and is this the right address?' };
  }
}

/** Ends this browser's session at the node; the node clears the cookie. */
export async function logOut(base: string, doFetch: typeof fetch): Promise<void> {
  try {
    await doFetch(`${base}/api/v1/session`, {
      method: 'DELETE',
      headers: { 'x-vfo-ui': '1' },
      credentials: 'include',
      cache: 'no-store',
    });
  } catch {
    // Unreachable: the cookie lapses on its own; the login screen is shown either way.
  }
}
