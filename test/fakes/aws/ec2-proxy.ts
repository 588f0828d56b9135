// A fault-injecting HTTP proxy in front of moto_server for the EC2 Query API (form-encoded POST bodies with
// Action=…). It fills moto's gaps (shared/reference/ts-ecosystem.md §2 "moto gaps"): ClientToken idempotency
// (the first RunInstances answer is replayed for a repeated token, as EC2 does), a pending phase, and faults
// EC2 produces at scale (throttling, 5xx, capacity), and it counts calls per Action for the calls-per-machine
// figures. Listens on 127.0.0.1 only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/** Errors the proxy can answer instead of moto, with the HTTP status EC2 uses for each. */
export const EC2_FAULTS = {
  RequestLimitExceeded: { status: 503, message: 'Request limit exceeded.' },
  InternalError: { status: 500, message: 'An internal error has occurred' },
  InsufficientInstanceCapacity: { status: 500, message: 'We currently do not have sufficient capacity in the Availability Zone you requested.' },
  Unavailable: { status: 503, message: 'The server is overloaded and can\'t handle the request.' },
} as const;
export type Ec2Fault = keyof typeof EC2_FAULTS;

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

interface PlannedFault {
  readonly action: string;
  readonly fault: Ec2Fault;
  remaining: number;
}

export class Ec2FaultProxy {
  readonly endpoint: string;
  /** Replay the first RunInstances answer for a repeated ClientToken (EC2's idempotency; moto has none). */
  clientTokenIdempotency = true;
  /** Added before every answer, in ms. */
  latencyMs = 0;
  readonly #server: Server;
  readonly #upstream: string;
  readonly #calls = new Map<string, number>();
  readonly #tokens = new Map<string, Promise<Answer>>();
  #faults: PlannedFault[] = [];
  #pendingDescribes = 0;

  private constructor(server: Server, endpoint: string, upstream: string) {
    this.#server = server;
    this.endpoint = endpoint;
    this.#upstream = upstream.replace(/\/+$/, '');
  }

  /** A proxy on a free loopback port forwarding to `upstream` (moto's endpoint). */
  static async start(upstream: string): Promise<Ec2FaultProxy> {
    let proxy: Ec2FaultProxy | undefined;
    const server = createServer((req, res) => void proxy!.#handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address !== 'object' || !address) throw new Error('proxy has no address');
    proxy = new Ec2FaultProxy(server, `http://127.0.0.1:${address.port}`, upstream);
    return proxy;
  }

  /** Calls received for `action` (faults included: EC2 would have counted them too). */
  count(action: string): number {
    return this.#calls.get(action) ?? 0;
  }

  /** Calls per Action since the last resetCounts. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.#calls);
  }

  total(): number {
    return [...this.#calls.values()].reduce((a, b) => a + b, 0);
  }

  resetCounts(): void {
    this.#calls.clear();
  }

  /** The next `times` calls of `action` ('*' for any) get `fault` instead of moto's answer. */
  failNext(action: string, fault: Ec2Fault, times = 1): void {
    this.#faults.push({ action, fault, remaining: times });
  }

  /** The next `count` DescribeInstances answers show running instances as pending (moto has no pending phase). */
  reportPending(count: number): void {
    this.#pendingDescribes = count;
  }

  /** Forgets faults, tokens and pending reports (between tests; moto is reset separately). */
  reset(): void {
    this.#faults = [];
    this.#tokens.clear();
    this.#pendingDescribes = 0;
    this.latencyMs = 0;
    this.clientTokenIdempotency = true;
    this.resetCounts();
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const params = new URLSearchParams(body.toString('utf8'));
      const action = params.get('Action') ?? new URL(req.url ?? '/', 'http://x').searchParams.get('Action') ?? '(none)';
      this.#calls.set(action, (this.#calls.get(action) ?? 0) + 1);
      if (this.latencyMs > 0) await sleep(this.latencyMs);
      const answer = await this.#answer(req, body, action, params);
      res.writeHead(answer.status, { 'Content-Type': answer.contentType });
      res.end(answer.body);
    } catch (err) {
      res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(`proxy error: ${(err as Error).message}`);
    }
  }

  async #answer(req: IncomingMessage, body: Buffer, action: string, params: URLSearchParams): Promise<Answer> {
    const fault = this.#faults.find((f) => f.remaining > 0 && (f.action === '*' || f.action === action));
    if (fault) {
      fault.remaining--;
      return errorAnswer(fault.fault);
    }
    const token = params.get('ClientToken');
    if (action === 'RunInstances' && token && this.clientTokenIdempotency) {
      const first = this.#tokens.get(token);
      if (first) return first;
      const answer = this.#forward(req, body);
      this.#tokens.set(token, answer);
      // Only an instance that was made is remembered: a failed call may be retried for real.
      answer.then((a) => a.status >= 300 && this.#tokens.delete(token), () => this.#tokens.delete(token));
      return answer;
    }
    const answer = await this.#forward(req, body);
    if (action === 'DescribeInstances' && this.#pendingDescribes > 0 && answer.status === 200) {
      this.#pendingDescribes--;
      return { ...answer, body: answer.body.replace(/<instanceState>\s*<code>16<\/code>\s*<name>running<\/name>\s*<\/instanceState>/g, '<instanceState><code>0</code><name>pending</name></instanceState>') };
    }
    return answer;
  }

  async #forward(req: IncomingMessage, body: Buffer): Promise<Answer> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || ['host', 'content-length', 'connection', 'transfer-encoding'].includes(name)) continue;
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await fetch(this.#upstream + (req.url ?? '/'), { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : new Uint8Array(body) });
    return { status: response.status, contentType: response.headers.get('content-type') ?? 'text/xml', body: await response.text() };
  }
}

/** EC2's XML error body (Query API). */
function errorAnswer(fault: Ec2Fault): Answer {
  const { status, message } = EC2_FAULTS[fault];
  return {
    status,
    contentType: 'text/xml;charset=UTF-8',
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${fault}</Code><Message>${message}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`,
  };
}
