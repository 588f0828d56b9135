// Public entry of the local cloud: the model and its HTTP API, started together by the dev cluster.
import { join } from 'node:path';
import type { Logger } from '../../operators/runtime/log.ts';
import { LocalCloud, type LocalCloudOptions } from './cloud.ts';
import { serveLocalCloud } from './http-api.ts';

export { LocalCloud, DEFAULT_TERMINATE_DELAY_MS, DEFAULT_TERMINATED_RETENTION_MS } from './cloud.ts';
export type { InstanceEvent, InstanceFilter, InstanceListener, LocalCloudOptions } from './cloud.ts';
export { serveLocalCloud, OPERATIONS } from './http-api.ts';
export type { CloudStats, Faults, LocalCloudServer, Operation } from './http-api.ts';
export { CloudError, DEFAULT_OS_IMAGE, INSTANCE_TYPES } from './types.ts';
export type { CloudErrorBody, CreateInstanceRequest, Instance, InstanceState, LocalImage, LocalInstanceSpec } from './types.ts';

/** The file, in the dev cluster's data dir, that holds the instances. */
export const STATE_FILE_NAME = 'local-cloud.json';

export interface StartLocalCloudOptions {
  /** The dev cluster's data dir; the instances persist to STATE_FILE_NAME in it unless `ephemeral`. */
  readonly dataDir: string;
  readonly ephemeral?: boolean;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly terminateDelayMs?: number;
  readonly terminatedRetentionMs?: number;
  /** The image catalogue to start with. */
  readonly images?: LocalCloudOptions['images'];
  readonly logger?: Logger;
}

export interface LocalCloudHandle {
  readonly cloud: LocalCloud;
  /** E.g. "http://127.0.0.1:41234": what the local provider's LOCAL_CLOUD_ENDPOINT is set to. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export async function startLocalCloud(options: StartLocalCloudOptions): Promise<LocalCloudHandle> {
  const cloud = new LocalCloud({
    stateFile: options.ephemeral ? undefined : join(options.dataDir, STATE_FILE_NAME),
    terminateDelayMs: options.terminateDelayMs,
    terminatedRetentionMs: options.terminatedRetentionMs,
    images: options.images,
    logger: options.logger,
  });
  let server;
  try {
    server = await serveLocalCloud(cloud, { port: options.port, host: options.host });
  } catch (err) {
    await cloud.close();
    throw err;
  }
  const listening = server;
  return {
    cloud,
    url: listening.url,
    port: listening.port,
    async stop() {
      await listening.close();
      await cloud.close();
    },
  };
}
