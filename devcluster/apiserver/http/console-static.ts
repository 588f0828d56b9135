// The web console's built files (console/ → console/dist by `npm run build:console`), served under /console/ on the
// API server's own origin, so the page calls the API without CORS. Like /healthz these paths need no token: they
// hold no cluster data, and every API request the page makes carries the user's own bearer token, so RBAC applies
// as for kubectl. Not part of kube-apiserver; served only when ApiServerOptions.consoleDir is set.
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

export const CONSOLE_PATH_PREFIX = '/console';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * The page may talk only to this origin and run only its own scripts. CodeMirror injects its theme as <style>
 * elements, hence 'unsafe-inline' for styles (not scripts).
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

export function isConsolePath(pathname: string): boolean {
  return pathname === CONSOLE_PATH_PREFIX || pathname.startsWith(`${CONSOLE_PATH_PREFIX}/`);
}

function send(res: ServerResponse, code: number, headers: Record<string, string>, body: Buffer | string, head: boolean): void {
  res.writeHead(code, { ...SECURITY_HEADERS, ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(head ? undefined : body);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * A file of the bundle; any extension-less path (a client-side route such as /console/machinesets/ns/name) gets
 * index.html so that deep links and reloads work. Hashed files under assets/ are cached for good, index.html never.
 */
export async function serveConsole(req: IncomingMessage, res: ServerResponse, rootDir: string, pathname: string): Promise<void> {
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) return send(res, 405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }, 'Method Not Allowed\n', head);
  if (pathname === CONSOLE_PATH_PREFIX) {
    res.writeHead(301, { Location: `${CONSOLE_PATH_PREFIX}/` });
    res.end();
    return;
  }
  const root = resolve(rootDir);
  let relative: string;
  try {
    relative = decodeURIComponent(pathname.slice(CONSOLE_PATH_PREFIX.length + 1));
  } catch {
    return send(res, 400, { 'Content-Type': 'text/plain' }, 'Bad Request\n', head);
  }
  const file = resolve(root, relative);
  // resolve() has already collapsed any "..": whatever lands outside the bundle is not served.
  if (relative.includes('\0') || (file !== root && !file.startsWith(root + sep))) return send(res, 404, { 'Content-Type': 'text/plain' }, '404 page not found\n', head);
  const target = relative !== '' && (await isFile(file)) ? file : extname(relative) === '' ? resolve(root, 'index.html') : undefined;
  if (target === undefined || !(await isFile(target))) {
    const hint = relative === '' ? 'The console is not built: run `npm run build:console`.\n' : '404 page not found\n';
    return send(res, 404, { 'Content-Type': 'text/plain' }, hint, head);
  }
  const immutable = relative.startsWith('assets/') && target === file;
  send(res, 200, {
    'Content-Type': CONTENT_TYPES[extname(target)] ?? 'application/octet-stream',
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  }, await readFile(target), head);
}
