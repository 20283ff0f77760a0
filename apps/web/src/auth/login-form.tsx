/** The login: the API token pasted once, checked against the server, kept for this tab only. */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { apiFailureOf } from '../api/api-failure';
import { createShipmateApi } from '../api/shipmate-api';

/** Props of {@link LoginForm}. */
export interface LoginFormProps {
  /** Called with a token the server accepted. */
  onLogin: (token: string) => void;
  /** Why the user is here again (e.g. the token stopped working). */
  notice?: string | undefined;
}

/** What a refused login says. */
function refusal(failure: unknown): string {
  const error = apiFailureOf(failure);
  switch (error.kind) {
    case 'unauthorized':
      return `The server refused this token (401: ${error.message}). Check that you pasted the whole token of this server.`;
    case 'refused':
      return error.status === 403
        ? `This token may not use the UI (403: ${error.message}). Log in with the admin API token.`
        : `The server refused the check (${error.status}: ${error.message}).`;
    case 'unavailable':
      return `The server cannot check the token now (${error.status}: ${error.message}).`;
    case 'unreachable':
      return `${error.message}. Is the server running?`;
  }
}

/** The login page. */
export function LoginForm({ onLogin, notice }: LoginFormProps) {
  const [token, setToken] = useState('');
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const pasted = token.trim();
    if (pasted === '') {
      setError('Paste the API token first.');
      return;
    }
    setChecking(true);
    setError(undefined);
    createShipmateApi(pasted)
      .checkToken()
      .then(
        () => onLogin(pasted),
        (failure: unknown) => {
          setError(refusal(failure));
          setChecking(false);
        },
      );
  };

  return (
    <main className="login" id="main">
      <h1>Shipmate</h1>
      <form className="card login-form" onSubmit={submit} aria-describedby="token-help">
        <h2>Log in</h2>
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        <label htmlFor="api-token">API token</label>
        <input
          id="api-token"
          name="api-token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-invalid={error !== undefined}
          aria-describedby={error ? 'login-error' : undefined}
        />
        {error ? (
          <p className="error" id="login-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={checking}>
          {checking ? 'Checking…' : 'Log in'}
        </button>
        <div id="token-help" className="help">
          <p>
            The token is the control plane&apos;s API token (the admin token, as in the <code>x-token</code> header):
          </p>
          <ul>
            <li>
              <code>npm start</code> (<code>shipmate up</code>) prints it as <q>API token: …</q> and keeps it in{' '}
              <code>.shipmate/local-api-token</code>;
            </li>
            <li>
              <code>shipmate server</code> prints a generated one once, at its first start, or uses <code>SHIPMATE_API_TOKEN</code>;
            </li>
            <li>
              on Kubernetes it is the Secret <code>&lt;release&gt;-api-token</code>, key <code>keptn-api-token</code>.
            </li>
          </ul>
          <p>It is kept in this browser tab only (session storage) until you log out or close the tab.</p>
        </div>
      </form>
    </main>
  );
}
