// Asks for a bearer token (the same one a kubeconfig holds; `oc whoami -t` on OpenShift). The form never submits
// to a URL, so the token cannot end up in a query string or a server log; it is checked with one authenticated
// discovery request and then kept in sessionStorage only.
import { useState, type FormEvent } from 'react';
import { createApiClient } from '../api/client.ts';
import { ErrorBanner } from './error-banner.tsx';

export function Login({ onToken, reason }: { onToken: (token: string) => void; reason?: string }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent): Promise<void> {
    e.preventDefault();
    const candidate = token.trim();
    setBusy(true);
    try {
      await createApiClient({ baseUrl: '', token: () => candidate }).request('/api');
      onToken(candidate);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="login">
      <h1>Machine fleet console</h1>
      {reason && <p className="alert alert-warning" role="status">{reason}</p>}
      <form method="post" action="#" onSubmit={(e) => void submit(e)}>
        <label htmlFor="token">Bearer token</label>
        <input id="token" type="password" autoComplete="off" autoFocus required value={token} onChange={(e) => setToken(e.target.value)} />
        <button type="submit" className="primary" disabled={busy}>Log in</button>
      </form>
      <ErrorBanner error={error} title="Login failed" />
      <p className="hint">The dev cluster prints a console URL that logs you in (<code>npm start</code>); its token is also in <code>.devcluster/kubeconfig</code>.</p>
    </main>
  );
}
