// The "simple signing" payload of containers/image (docs/containers-signature.5.md; signature/signature.go): the
// JSON document an OpenPGP signature over a release image wraps. OpenShift signs releases in this format
// (shared/reference/cluster-version.md §2.7). The critical section is parsed strictly, as upstream's paranoid
// decoder does: exactly the known fields, so a signer cannot smuggle in claims a verifier would skip.

export const SIGNATURE_TYPE = 'atomic container signature';

export interface SimpleSigning {
  readonly critical: {
    readonly type: typeof SIGNATURE_TYPE;
    readonly image: { readonly 'docker-manifest-digest': string };
    readonly identity: { readonly 'docker-reference': string };
  };
  readonly optional?: { readonly creator?: string; readonly timestamp?: number };
}

export function createSimpleSigning(digest: string, dockerReference: string, optional: { creator?: string; timestamp?: number } = {}): SimpleSigning {
  return {
    critical: { type: SIGNATURE_TYPE, image: { 'docker-manifest-digest': digest }, identity: { 'docker-reference': dockerReference } },
    optional,
  };
}

/** Parses and checks a simple-signing document; throws an Error saying which field is wrong. */
export function parseSimpleSigning(bytes: Uint8Array): SimpleSigning {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new Error('signed content is not JSON');
  }
  const top = exactObject(raw, 'signed content', ['critical'], ['optional']);
  const critical = exactObject(top.critical, 'critical', ['type', 'image', 'identity'], []);
  if (critical.type !== SIGNATURE_TYPE) throw new Error(`critical.type: ${JSON.stringify(critical.type)} is not ${JSON.stringify(SIGNATURE_TYPE)}`);
  const image = exactObject(critical.image, 'critical.image', ['docker-manifest-digest'], []);
  const identity = exactObject(critical.identity, 'critical.identity', ['docker-reference'], []);
  const digest = image['docker-manifest-digest'];
  const reference = identity['docker-reference'];
  if (typeof digest !== 'string') throw new Error('critical.image.docker-manifest-digest: must be a string');
  if (typeof reference !== 'string') throw new Error('critical.identity.docker-reference: must be a string');
  // Unknown optional fields are allowed (upstream ignores them); known ones must have their types.
  const optional = top.optional === undefined ? undefined : exactObject(top.optional, 'optional', [], null);
  if (optional?.creator !== undefined && typeof optional.creator !== 'string') throw new Error('optional.creator: must be a string');
  if (optional?.timestamp !== undefined && !Number.isInteger(optional.timestamp)) throw new Error('optional.timestamp: must be an integer');
  return {
    critical: { type: SIGNATURE_TYPE, image: { 'docker-manifest-digest': digest }, identity: { 'docker-reference': reference } },
    ...(optional && { optional: { creator: optional.creator as string | undefined, timestamp: optional.timestamp as number | undefined } }),
  };
}

/** An object with every `required` key, and no keys outside `required` + `optional` (any keys when `optional` is null). */
function exactObject(value: unknown, what: string, required: string[], optional: string[] | null): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what}: must be an object`);
  const obj = value as Record<string, unknown>;
  for (const key of required) if (!(key in obj)) throw new Error(`${what}: missing field ${JSON.stringify(key)}`);
  if (optional !== null) {
    const unknown = Object.keys(obj).find((k) => !required.includes(k) && !optional.includes(k));
    if (unknown !== undefined) throw new Error(`${what}: unknown field ${JSON.stringify(unknown)}`);
  }
  return obj;
}
