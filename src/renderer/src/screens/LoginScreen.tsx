import { type FormEvent, useId, useState } from 'react';
import { logIn } from '../stores/session-actions.ts';
import { useSessionStore } from '../stores/session-store.ts';

/**
 * A browser on the LAN proves it knows the farm key (an HMAC of a one-time nonce); the key is kept
 * only in this form's state and dropped as soon as the login succeeds.
 */
export function LoginScreen() {
  const lastNodeName = useSessionStore((state) => state.lastNodeName);
  const notice = useSessionStore((state) => state.notice);
  const [farmKey, setFarmKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const keyId = useId();
  const hintId = useId();

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const problem = await logIn(farmKey);
    setBusy(false);
    if (problem) setError(problem);
    else setFarmKey('');
  };

  return (
    <main className="login">
      <div className="panel">
        <h1>Video Factory</h1>
        <p className="muted">
          {lastNodeName ? `Log in to ${lastNodeName} with the farm key.` : 'Log in with the farm key.'}
        </p>
        {notice ? <p role="status">{notice}</p> : null}
        <form onSubmit={(event) => void submit(event)} aria-label="Log in">
          <label htmlFor={keyId}>Farm key</label>
          <input
            id={keyId}
            type="password"
            value={farmKey}
            onChange={(event) => setFarmKey(event.target.value)}
            autoComplete="current-password"
            aria-describedby={hintId}
            required
          />
          <small id={hintId} className="muted">
            The text of the farm key file on any Mac of the farm. It is not stored in this browser.
          </small>
          {error ? (
            <p role="alert" className="error-text" data-testid="login-error">
              {error}
            </p>
          ) : null}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Logging in…' : 'Log in'}
          </button>
        </form>
      </div>
    </main>
  );
}
