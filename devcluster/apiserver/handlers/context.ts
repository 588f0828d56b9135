// What every handler receives: the store, the registry, the clock and the request's own parameters.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestInfo } from '../http/request-info.ts';
import type { Warnings } from '../http/respond.ts';
import type { Registry, ServedResource } from '../registry/registry.ts';
import type { ObjectStore } from '../storage/object-store.ts';

export interface UserInfo {
  name: string;
  groups: string[];
}

export interface ServerState {
  readonly store: ObjectStore;
  readonly registry: Registry;
  readonly now: () => Date;
  /** Set while the server shuts down: open watches end. */
  readonly closing: AbortSignal;
}

export interface RequestContext {
  readonly server: ServerState;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly info: RequestInfo;
  readonly resource: ServedResource;
  readonly query: URLSearchParams;
  readonly user: UserInfo;
  readonly warnings: Warnings;
}
