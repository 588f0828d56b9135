// Validation of a create request's body. The cloud checks what any caller (curl included) sends, so a bad
// request is a 400 naming the field, in Kubernetes' field-error wording ("<path>: Invalid value: <v>: <why>"),
// which the provider passes on under spec.providerSpec.value.
import { CloudError, INSTANCE_TYPES, type CreateInstanceRequest, type LocalInstanceSpec } from './types.ts';

// A Node is named after the instance, so the name must be a DNS-1123 subdomain (Node name validation).
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_NAME_LENGTH = 253;
const MAX_CLIENT_TOKEN_LENGTH = 64;
const SPEC_FIELDS = new Set(['instanceType', 'region', 'zone', 'image', 'osImage', 'bootDelaySeconds', 'neverReady', 'notReadyAfterSeconds', 'failToJoin']);

function invalid(field: string, value: unknown, why: string): CloudError {
  return new CloudError(400, 'InvalidParameterValue', `${field}: Invalid value: ${JSON.stringify(value)}: ${why}`, field);
}

function required(field: string): CloudError {
  return new CloudError(400, 'MissingParameter', `${field}: Required value`, field);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(body: Record<string, unknown>, field: string, path: string): string {
  const value = body[field];
  if (value === undefined || value === '') throw required(path);
  if (typeof value !== 'string') throw invalid(path, value, 'must be a string');
  return value;
}

function optionalInteger(spec: Record<string, unknown>, field: string, min: number): number | undefined {
  const value = spec[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid(`spec.${field}`, value, 'must be an integer');
  if (value < min) throw invalid(`spec.${field}`, value, `must be greater than or equal to ${min}`);
  return value;
}

function optionalBoolean(spec: Record<string, unknown>, field: string): boolean | undefined {
  const value = spec[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalid(`spec.${field}`, value, 'must be a boolean');
  return value;
}

function parseSpec(value: unknown): LocalInstanceSpec {
  if (value === undefined) throw required('spec');
  if (!isRecord(value)) throw invalid('spec', value, 'must be an object');
  for (const field of Object.keys(value)) {
    if (!SPEC_FIELDS.has(field)) throw new CloudError(400, 'UnknownParameter', `unknown field "spec.${field}"`, `spec.${field}`);
  }
  const instanceType = nonEmptyString(value, 'instanceType', 'spec.instanceType');
  if (!(instanceType in INSTANCE_TYPES)) {
    const offered = Object.keys(INSTANCE_TYPES).map((t) => `"${t}"`).join(', ');
    throw new CloudError(400, 'InvalidParameterValue', `spec.instanceType: Unsupported value: "${instanceType}": supported values: ${offered}`, 'spec.instanceType');
  }
  const osImage = value.osImage;
  if (osImage !== undefined && typeof osImage !== 'string') throw invalid('spec.osImage', osImage, 'must be a string');
  const image = value.image === undefined ? undefined : nonEmptyString(value, 'image', 'spec.image');
  return dropUndefined({
    instanceType,
    region: nonEmptyString(value, 'region', 'spec.region'),
    zone: nonEmptyString(value, 'zone', 'spec.zone'),
    image,
    osImage,
    bootDelaySeconds: optionalInteger(value, 'bootDelaySeconds', 0),
    neverReady: optionalBoolean(value, 'neverReady'),
    notReadyAfterSeconds: optionalInteger(value, 'notReadyAfterSeconds', 1),
    failToJoin: optionalBoolean(value, 'failToJoin'),
  });
}

function parseTags(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw invalid('tags', value, 'must be an object of strings');
  for (const [key, tag] of Object.entries(value)) {
    if (typeof tag !== 'string') throw invalid(`tags.${key}`, tag, 'must be a string');
  }
  return value as Record<string, string>;
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The request, checked; throws a 400 CloudError naming the first field at fault. */
export function parseCreateInstanceRequest(body: unknown): CreateInstanceRequest {
  if (!isRecord(body)) throw invalid('body', body, 'must be a JSON object');
  const clientToken = nonEmptyString(body, 'clientToken', 'clientToken');
  if (clientToken.length > MAX_CLIENT_TOKEN_LENGTH) throw invalid('clientToken', clientToken, `must be no more than ${MAX_CLIENT_TOKEN_LENGTH} characters`);
  const name = nonEmptyString(body, 'name', 'name');
  if (name.length > MAX_NAME_LENGTH || !DNS1123_SUBDOMAIN.test(name)) {
    throw invalid('name', name, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
  }
  return { clientToken, name, tags: parseTags(body.tags), spec: parseSpec(body.spec) };
}
