// The HTTP requests a kubectl run made, read back from its `-v=7` log on stderr (client-go
// round_trippers.go prints the method and URL, the request headers, then the response status; up to kubectl 1.32
// as plain lines, from 1.33 on as structured `"Request" verb=… url=… headers=<…>` entries). Lets a test
// assert what went over the wire, e.g. that `kubectl apply` sent a merge patch, without a proxy.

export interface LoggedRequest {
  method: string;
  url: URL;
  /** Request headers, names in lower case. */
  headers: Record<string, string>;
  /** HTTP status of the response, when it was logged. */
  status?: number;
}

const LOG_PREFIX = /^[IWE]\d{4} [\d:.]+\s+\d+ [\w.-]+:\d+\] /;

export function requestsOf(stderr: string): LoggedRequest[] {
  const requests: LoggedRequest[] = [];
  let current: LoggedRequest | undefined;
  for (const line of stderr.split('\n')) {
    // 1.33's structured entries continue on unprefixed, tab-indented header lines.
    const structuredHeader = /^\t([A-Za-z-]+): (.*)$/.exec(line);
    if (structuredHeader && current && current.status === undefined) current.headers[structuredHeader[1].toLowerCase()] = structuredHeader[2];
    const prefix = LOG_PREFIX.exec(line);
    if (!prefix) continue;
    const text = line.slice(prefix[0].length);
    const start = /^(GET|POST|PUT|PATCH|DELETE) (\S+)$/.exec(text) ?? /^"Request" verb="(GET|POST|PUT|PATCH|DELETE)" url="([^"]+)"/.exec(text);
    if (start) {
      current = { method: start[1], url: new URL(start[2]), headers: {} };
      requests.push(current);
      continue;
    }
    const status = /^Response Status: (\d+)/.exec(text) ?? /^"Response" status="(\d+)/.exec(text);
    if (status && current) {
      current.status = Number(status[1]);
      continue;
    }
    const header = /^ {4}([A-Za-z-]+): (.*)$/.exec(text);
    if (header && current && current.status === undefined) current.headers[header[1].toLowerCase()] = header[2];
  }
  return requests;
}

/** The writes among them (discovery and OpenAPI GETs left out), as "METHOD path content-type" lines. */
export function writesOf(stderr: string): string[] {
  return requestsOf(stderr)
    .filter((r) => r.method !== 'GET')
    .map((r) => `${r.method} ${r.url.pathname} ${r.headers['content-type'] ?? '(none)'}`);
}
