// Request bodies: size limit, and decoding of JSON, YAML (apply-patch+yaml) and Kubernetes protobuf.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { decodeKubernetesProtobuf, isProtobufContentType } from '../protobuf/index.ts';
import { badRequest, requestEntityTooLarge, StatusError } from '../status-errors.ts';

/** kube-apiserver refuses request bodies above 3 MiB (MaxRequestBodyBytes). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    throw requestEntityTooLarge(`limit is ${MAX_BODY_BYTES}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      throw requestEntityTooLarge(`limit is ${MAX_BODY_BYTES}`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The media type without parameters, lower-cased; a missing Content-Type means JSON (apiserver.md H4). */
export function mediaType(contentType: string | undefined): string {
  if (!contentType) return 'application/json';
  return contentType.split(';')[0].trim().toLowerCase();
}

/** Decodes an object body: JSON, YAML or protobuf. */
export function decodeObjectBody(body: Buffer, contentType: string | undefined): unknown {
  if (isProtobufContentType(contentType)) return decodeKubernetesProtobuf(body);
  const type = mediaType(contentType);
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') return decodeYaml(body);
  return decodeJson(body);
}

export function decodeJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('the body of the request was empty');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded as JSON: ${(err as Error).message}`);
  }
}

export function decodeYaml(body: Buffer): unknown {
  try {
    const value: unknown = parseYaml(body.toString('utf8'), { maxAliasCount: 100, uniqueKeys: true });
    if (value === undefined || value === null) throw badRequest('the body of the request was empty');
    return value;
  } catch (err) {
    if (err instanceof StatusError) throw err;
    throw badRequest(`error decoding YAML: ${(err as Error).message}`);
  }
}
