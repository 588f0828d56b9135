// Request bodies: size limit, and decoding of JSON, YAML (apply-patch+yaml) and Kubernetes protobuf.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { decodeKubernetesProtobuf, isProtobufContentType } from '../protobuf/index.ts';
import { badRequest, requestEntityTooLarge, StatusError, unsupportedMediaType } from '../status-errors.ts';

/** kube-apiserver refuses request bodies above 3 MiB (MaxRequestBodyBytes). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * Deepest nesting of arrays and objects a body may have. Go's encoding/json scanner (which kube-apiserver's
 * decoders are built on) stops at 10000 with "exceeded max depth"; this server stops at 1000 because the
 * recursive walks every write goes through (prune, validate, managed fields, structuredClone) overflow the
 * stack somewhere between 1500 and 2000 levels. Real objects stay far below either limit.
 */
export const MAX_JSON_DEPTH = 1000;

/** Media types an object body (create, update, delete options, eviction, scale) may come in (negotiation). */
const OBJECT_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

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

/**
 * Decodes an object body: JSON, YAML or protobuf. Any other Content-Type is refused with 415, as
 * kube-apiserver's NegotiateInputSerializer does (endpoints/handlers/negotiation/negotiate.go).
 */
export function decodeObjectBody(body: Buffer, contentType: string | undefined): unknown {
  if (isProtobufContentType(contentType)) return decodeKubernetesProtobuf(body);
  const type = mediaType(contentType);
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') return decodeYaml(body);
  if (type !== 'application/json') throw unsupportedMediaType(OBJECT_MEDIA_TYPES);
  return decodeJson(body);
}

export function decodeJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('the body of the request was empty');
  const tooDeep = depthViolation(text);
  if (tooDeep) throw badRequest(`the body of the request could not be decoded as JSON: invalid character '${tooDeep}' exceeded max depth`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded as JSON: ${(err as Error).message}`);
  }
}

/** Whether a decoded value nests arrays and objects deeper than `max`; iterative, so any depth is safe to check. */
function nestingExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/** The bracket that first nests deeper than MAX_JSON_DEPTH, if any; a linear scan that skips string contents. */
function depthViolation(text: string): string | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) return text[i];
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return undefined;
}

export function decodeYaml(body: Buffer): unknown {
  try {
    const value: unknown = parseYaml(body.toString('utf8'), { maxAliasCount: 100, uniqueKeys: true });
    if (value === undefined || value === null) throw badRequest('the body of the request was empty');
    if (nestingExceeds(value, MAX_JSON_DEPTH)) throw badRequest('error decoding YAML: exceeded max depth');
    return value;
  } catch (err) {
    if (err instanceof StatusError) throw err;
    throw badRequest(`error decoding YAML: ${(err as Error).message}`);
  }
}
