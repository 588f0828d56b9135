// A refused or failed request, in the API server's words (the Status message), never a stack trace.
import { ApiError } from '../api/client.ts';

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return `Cannot reach the API server: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

export function ErrorBanner({ error, title = 'Error' }: { error: unknown; title?: string }) {
  if (error === undefined || error === null) return null;
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div className="alert alert-danger" role="alert" data-testid="error-banner">
      <strong>{title}{code !== undefined ? ` (${code})` : ''}: </strong>
      <span className="alert-message">{errorText(error)}</span>
    </div>
  );
}
