// A benchmark client as a real one behaves: HTTP/1.1 over TLS with a bearer token, one keep-alive connection,
// requests issued one after another. N concurrent clients are N instances, hence N connections in flight.
import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';

export interface Endpoint {
  readonly url: string;
  readonly token: string;
  readonly caPem: string;
}

export interface Response {
  readonly status: number;
  readonly body: string;
}

export class BenchClient {
  readonly #endpoint: Endpoint;
  readonly #agent: Agent;

  /** `connections` above 1 only for long-lived streams (watches), where each stream holds its own socket. */
  constructor(endpoint: Endpoint, connections = 1) {
    this.#endpoint = endpoint;
    this.#agent = new Agent({ keepAlive: true, maxSockets: connections, ca: endpoint.caPem });
  }

  /** Sends a request and resolves with the whole body, once the last byte has arrived. */
  async send(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await this.open(method, path, body, headers);
    res.setEncoding('utf8');
    let text = '';
    for await (const chunk of res) text += chunk as string;
    return { status: res.statusCode ?? 0, body: text };
  }

  /** Like send(), but throws unless the status is the expected one. */
  async expect(status: number, method: string, path: string, body?: string, headers?: Record<string, string>): Promise<string> {
    const res = await this.send(method, path, body, headers);
    if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status}: ${res.body.slice(0, 300)}`);
    return res.body;
  }

  /** Resolves with the response as soon as its headers are in, for streams (watch). */
  open(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request(`${this.#endpoint.url}${path}`, {
        method,
        agent: this.#agent,
        headers: {
          Authorization: `Bearer ${this.#endpoint.token}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }),
          ...headers,
        },
      }, resolve);
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
