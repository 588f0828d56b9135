// Response writing: every JSON answer carries Content-Type (client-node refuses bodies without one), errors
// are metav1.Status bodies, and warnings travel in `Warning: 299 - "…"` headers (apiserver.md §1).
import type { ServerResponse } from 'node:http';
import { StatusError } from '../status-errors.ts';

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  sendRawJson(res, code, typeof body === 'string' ? body : JSON.stringify(body), headers);
}

export function sendRawJson(res: ServerResponse, code: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', ...headers, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendStatusError(res: ServerResponse, err: StatusError): void {
  const headers: Record<string, string> = {};
  if (err.details?.retryAfterSeconds !== undefined) headers['Retry-After'] = String(err.details.retryAfterSeconds);
  const status = err.toStatus();
  // metav1.StatusDetails fields are omitempty: a core-group NotFound has no "group":"" (apiserver.md §4.3).
  if (status.details) status.details = Object.fromEntries(Object.entries(status.details).filter(([, v]) => v !== '' && v !== undefined));
  sendJson(res, err.code, status, headers);
}

export function sendText(res: ServerResponse, code: number, text: string): void {
  if (res.headersSent) return;
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Collects Warning headers for one request. */
export class Warnings {
  readonly list: string[] = [];
  add(text: string): void {
    if (!this.list.includes(text)) this.list.push(text);
  }
  apply(res: ServerResponse): void {
    if (this.list.length > 0 && !res.headersSent) {
      res.setHeader('Warning', this.list.map((w) => `299 - ${JSON.stringify(w)}`));
    }
  }
}
