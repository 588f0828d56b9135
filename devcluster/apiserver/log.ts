// The API server's structured log: one JSON line per entry on stderr, as the dev cluster's other parts write theirs.
export function logApiServer(fields: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), logger: 'apiserver', ...fields })}\n`);
}
