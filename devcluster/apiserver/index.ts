// Public entry of the embedded API server.
export { startApiServer, KUBERNETES_VERSION } from './server.ts';
export type { ApiServerHandle, ApiServerOptions } from './server.ts';
