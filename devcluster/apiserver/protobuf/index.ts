// Kubernetes protobuf request bodies (Content-Type application/vnd.kubernetes.protobuf), which kubectl 1.32's
// typed clients send for `create <kind>`, `auth can-i`, `auth whoami` and drain's DELETE (apiserver.md §0
// finding 3, §1 H7, §12). Decoded to the JSON the same object has, so handlers see one representation.
//
// Envelope (apimachinery runtime/serializer/protobuf/protobuf.go): the magic "k8s\0", then a runtime.Unknown
// {1: TypeMeta {1: apiVersion, 2: kind}, 2: raw (the object's own message), 3: contentEncoding, 4: contentType}.
import { badRequest, StatusError, unsupportedMediaType } from '../status-errors.ts';
import type { JsonObject, KubeObject } from '../types.ts';
import { decodeMessage } from './decode.ts';
import { kinds } from './schema.ts';
import { ProtobufSyntaxError, readFields, WIRE_LEN } from './wire.ts';

const MAGIC = Buffer.from('k8s\0', 'latin1');
const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** metav1.DeleteOptions as JSON: the one decodable kind without metadata. */
export interface DeleteOptionsObject {
  apiVersion: string;
  kind: 'DeleteOptions';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  orphanDependents?: boolean;
  propagationPolicy?: string;
  dryRun?: string[];
  ignoreStoreReadErrorWithClusterBreakingPotential?: boolean;
}

/** True for application/vnd.kubernetes.protobuf, with or without parameters, in any letter case. */
export function isProtobufContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.split(';')[0].trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}

/**
 * Decodes a protobuf request body to the object's JSON form, with apiVersion and kind from its TypeMeta.
 * Throws StatusError only: 400 BadRequest for a malformed body, 415 UnsupportedMediaType for a kind this
 * server cannot decode from protobuf (the client must send JSON for it).
 */
export function decodeKubernetesProtobuf(body: Buffer): KubeObject | DeleteOptionsObject {
  const { apiVersion, kind, raw } = readEnvelope(body);
  const messageName = kind === 'DeleteOptions' ? 'DeleteOptions' : kinds[`${apiVersion}/${kind}`];
  if (!messageName) throw unsupportedKind(apiVersion, kind);
  let decoded: JsonObject;
  try {
    decoded = decodeMessage(raw, messageName);
  } catch (err) {
    // The wording of kube-apiserver's transformDecodeError (endpoints/handlers/create.go) once the kind is known.
    if (err instanceof ProtobufSyntaxError) throw badRequest(`${kind} in version "${versionOf(apiVersion)}" cannot be handled as a ${kind}: ${err.message}`);
    throw err;
  }
  // Go prints the inlined TypeMeta first: kind, then apiVersion.
  return { kind, apiVersion, ...decoded } as KubeObject | DeleteOptionsObject;
}

function readEnvelope(body: Buffer): { apiVersion: string; kind: string; raw: Uint8Array } {
  if (body.length === 0) throw unrecognized(body, 'empty data');
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw unrecognized(body, 'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  }
  if (body.length === MAGIC.length) throw unrecognized(body, 'empty body');
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array = new Uint8Array(0);
  try {
    for (const field of readFields(body.subarray(MAGIC.length))) {
      if (field.wireType !== WIRE_LEN) continue;
      if (field.no === 1) {
        for (const typeMeta of readFields(field.bytes)) {
          if (typeMeta.wireType !== WIRE_LEN) continue;
          if (typeMeta.no === 1) apiVersion = Buffer.from(typeMeta.bytes).toString('utf8');
          if (typeMeta.no === 2) kind = Buffer.from(typeMeta.bytes).toString('utf8');
        }
      } else if (field.no === 2) {
        raw = field.bytes;
      }
      // 3 contentEncoding and 4 contentType are ignored, as by the Go serializer.
    }
  } catch (err) {
    if (err instanceof ProtobufSyntaxError) throw unrecognized(body, err.message);
    throw err;
  }
  const typeMeta = `runtime.TypeMeta{APIVersion:${JSON.stringify(apiVersion)}, Kind:${JSON.stringify(kind)}}`;
  if (!kind) throw badRequest(`Object 'Kind' is missing in '${typeMeta}'`);
  if (!apiVersion) throw badRequest(`Object 'apiVersion' is missing in '${typeMeta}'`);
  return { apiVersion, kind, raw };
}

/** transformDecodeError's wording before the kind is known, with its 30-byte hex summary of the body. */
function unrecognized(body: Buffer, detail: string): StatusError {
  const summary = body.length === 0 ? '<empty>' : body.length > 30 ? `${body.subarray(0, 30).toString('hex')} ...` : body.toString('hex');
  return badRequest(`the object provided is unrecognized: ${detail} (${summary})`);
}

function unsupportedKind(apiVersion: string, kind: string): StatusError {
  const base = unsupportedMediaType(['application/json', 'application/yaml']);
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return new StatusError(415, base.reason, `${base.message}; protobuf is not supported for ${kind} in version "${apiVersion}", send it as JSON`, { group, kind });
}

function versionOf(apiVersion: string): string {
  return apiVersion.slice(apiVersion.indexOf('/') + 1);
}
