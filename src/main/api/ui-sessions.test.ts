import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { UiSessions } from './ui-sessions.ts';

const over = (encrypted: boolean) => ({ socket: { encrypted }, headers: {} }) as unknown as IncomingMessage;

// Found by attacking secrets: a node serving HTTPS gave a cookie the browser also sent to plain http.
describe('the UI session cookie', () => {
  const sessions = new UiSessions(() => Buffer.alloc(32));

  it('is Secure when given over HTTPS, when set and when cleared', () => {
    expect(sessions.cookieFor('abc', over(true))).toBe(
      'vfo_session=abc; HttpOnly; SameSite=Strict; Path=/; Secure; Max-Age=43200',
    );
    expect(sessions.logout(over(true))).toBe(
      'vfo_session=; HttpOnly; SameSite=Strict; Path=/; Secure; Max-Age=0',
    );
  });

  it('is not Secure over plain http, where the browser would drop it', () => {
    expect(sessions.cookieFor('abc', over(false))).toBe(
      'vfo_session=abc; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200',
    );
  });
});
