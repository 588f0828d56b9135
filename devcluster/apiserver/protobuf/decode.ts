// Schema-driven protobuf → JSON for the messages in schema.ts. The result is what Go's encoding/json prints for
// the struct that gogo's generated Unmarshal fills from the same bytes, so a protobuf body and the equivalent JSON
// body reach the handlers as the same value (checked against kubectl's own `-o json` in index.test.ts).
import type { Json, JsonObject } from '../types.ts';
import { messages } from './schema.ts';
import type { FieldSpec, MessageSpec } from './schema.ts';
import { ProtobufSyntaxError, readFields, WIRE_LEN, WIRE_VARINT } from './wire.ts';

/** What the wire held for one field: varint values or length-delimited payloads, in order of appearance. */
type Occurrences = { varints: bigint[]; payloads: Uint8Array[] };

const utf8 = new TextDecoder(); // replaces invalid UTF-8 with U+FFFD, as Go's JSON encoder does

export function decodeMessage(buf: Uint8Array, typeName: string): JsonObject {
  const spec = messageSpec(typeName);
  const byNo = new Map(spec.map((f) => [f.no, f]));
  const seen = new Map<number, Occurrences>();
  for (const wire of readFields(buf)) {
    const field = byNo.get(wire.no);
    if (!field) continue; // unknown field: skipped, like gogo's skipGenerated
    const expected = isVarintType(field) ? WIRE_VARINT : WIRE_LEN;
    if (wire.wireType !== expected) throw new ProtobufSyntaxError(`proto: wrong wireType = ${wire.wireType} for field ${goName(field.json)}`);
    let occurrences = seen.get(wire.no);
    if (!occurrences) seen.set(wire.no, (occurrences = { varints: [], payloads: [] }));
    if (wire.wireType === WIRE_VARINT) occurrences.varints.push(wire.value);
    else if (wire.wireType === WIRE_LEN) occurrences.payloads.push(wire.bytes);
  }
  const out: JsonObject = {};
  for (const field of spec) {
    const occurrences = seen.get(field.no);
    if (field.inline) {
      Object.assign(out, decodeMessage(concat(occurrences?.payloads ?? []), field.type));
      continue;
    }
    if (field.omitempty && (occurrences === undefined ? isEmptyWhenAbsent(field) : isEmptyWhenPresent(field, occurrences))) continue;
    out[field.json] = occurrences === undefined ? absentValue(field) : presentValue(field, occurrences);
  }
  return out;
}

function messageSpec(typeName: string): MessageSpec {
  const spec = messages[typeName];
  if (!spec) throw new Error(`protobuf schema: no message ${typeName}`); // a bug in schema.ts, caught by its test
  return spec;
}

function isVarintType(field: FieldSpec): boolean {
  return !field.map && (field.type === 'int32' || field.type === 'int64' || field.type === 'bool');
}

/** Go's isEmptyValue for a field that was not on the wire: everything but a non-pointer struct is empty. */
function isEmptyWhenAbsent(field: FieldSpec): boolean {
  return field.pointer || field.repeated || field.map || isScalar(field.type) || field.type === 'StringList';
}

/** Go's isEmptyValue for a field that was on the wire (gogo writes non-pointer zero values too). */
function isEmptyWhenPresent(field: FieldSpec, occurrences: Occurrences): boolean {
  if (field.pointer || field.repeated || field.map) return false;
  if (!isScalar(field.type) && field.type !== 'StringList') return false; // a struct is never empty
  const value = presentValue(field, occurrences);
  return value === '' || value === 0 || value === false || (Array.isArray(value) && value.length === 0);
}

function isScalar(type: string): boolean {
  return type === 'string' || type === 'bytes' || type === 'int32' || type === 'int64' || type === 'bool';
}

/** The Go zero value of the field, as JSON: nil slices, maps and pointers print null. */
function absentValue(field: FieldSpec): Json {
  if (field.pointer || field.repeated || field.map) return null;
  return zeroValue(field.type);
}

function zeroValue(type: string): Json {
  switch (type) {
    case 'string': return '';
    case 'int32': case 'int64': return 0;
    case 'bool': return false;
    case 'bytes': case 'Time': case 'StringList': return null;
    case 'IntOrString': return 0;
    case 'Quantity': return '0';
    default: return decodeMessage(new Uint8Array(0), type);
  }
}

function presentValue(field: FieldSpec, { varints, payloads }: Occurrences): Json {
  if (isVarintType(field)) return varintValue(field.type, varints[varints.length - 1]);
  if (field.map) {
    const entries = new Map(payloads.map((entry) => decodeMapEntry(entry, field.type))); // a repeated key: last wins
    // Go's encoding/json prints map keys sorted.
    return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  if (field.repeated) return payloads.map((payload) => lengthDelimitedValue(field.type, payload));
  // A message field seen more than once is merged, which for protobuf is decoding the concatenation; for a
  // string or bytes field the last one wins.
  const isMessage = !isScalar(field.type);
  return lengthDelimitedValue(field.type, isMessage ? concat(payloads) : payloads[payloads.length - 1]);
}

function varintValue(type: string, value: bigint): Json {
  if (type === 'bool') return value !== 0n;
  // int32 values are sign-extended to 64 bits on the wire; both fit a JSON number for every real-world value.
  return Number(BigInt.asIntN(type === 'int32' ? 32 : 64, value));
}

function lengthDelimitedValue(type: string, payload: Uint8Array): Json {
  switch (type) {
    case 'string': return utf8.decode(payload);
    case 'bytes': return Buffer.from(payload).toString('base64');
    case 'Time': return timeValue(payload);
    case 'IntOrString': return intOrStringValue(payload);
    case 'Quantity': return quantityValue(payload);
    case 'StringList': return stringListValue(payload);
    default: return decodeMessage(payload, type);
  }
}

/** A map entry {1: key, 2: value}; a missing value is the zero value (Go's map decoding does the same). */
function decodeMapEntry(entry: Uint8Array, valueType: string): [string, Json] {
  let key = '';
  let value: Json | undefined;
  for (const wire of readFields(entry)) {
    if (wire.no === 1 && wire.wireType === WIRE_LEN) key = utf8.decode(wire.bytes);
    else if (wire.no === 2 && wire.wireType === WIRE_LEN) value = lengthDelimitedValue(valueType, wire.bytes);
    else if (wire.no === 1 || wire.no === 2) throw new ProtobufSyntaxError(`proto: wrong wireType = ${wire.wireType} for field ${wire.no === 1 ? 'key' : 'value'}`);
  }
  // Go decodes a missing bytes value as []byte{}, which prints "".
  return [key, value ?? (valueType === 'bytes' ? '' : zeroValue(valueType))];
}

/**
 * metav1.Time: an empty message is the zero time (JSON null); otherwise Timestamp {1: seconds, 2: nanos}, of which
 * only the seconds are kept (apimachinery meta/v1/time_proto.go), printed as RFC 3339 in UTC.
 */
function timeValue(payload: Uint8Array): Json {
  if (payload.length === 0) return null;
  let seconds = 0n;
  for (const wire of readFields(payload)) if (wire.no === 1 && wire.wireType === WIRE_VARINT) seconds = BigInt.asIntN(64, wire.value);
  const date = new Date(Number(seconds) * 1000);
  const year = date.getUTCFullYear();
  // Go's Time.MarshalJSON refuses years outside [0,9999]; kube-apiserver could not use such an object either.
  if (Number.isNaN(year) || year < 0 || year > 9999) throw new ProtobufSyntaxError('Time.MarshalJSON: year outside of range [0,9999]');
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** intstr.IntOrString {1: type (0 int, 1 string), 2: intVal, 3: strVal}: a JSON number or string. */
function intOrStringValue(payload: Uint8Array): Json {
  let type = 0n;
  let intVal = 0n;
  let strVal = '';
  for (const wire of readFields(payload)) {
    if (wire.no === 1 && wire.wireType === WIRE_VARINT) type = wire.value;
    else if (wire.no === 2 && wire.wireType === WIRE_VARINT) intVal = wire.value;
    else if (wire.no === 3 && wire.wireType === WIRE_LEN) strVal = utf8.decode(wire.bytes);
  }
  if (type === 0n) return Number(BigInt.asIntN(32, intVal));
  if (type === 1n) return strVal;
  throw new ProtobufSyntaxError('impossible IntOrString.Type');
}

/** resource.Quantity {1: string}. Passed through as sent: Go would also canonicalise it ("1000m" → "1"). */
function quantityValue(payload: Uint8Array): Json {
  let value = '0';
  for (const wire of readFields(payload)) if (wire.no === 1 && wire.wireType === WIRE_LEN) value = utf8.decode(wire.bytes);
  return value;
}

/** authentication/v1 ExtraValue {1: repeated items}: a []string in Go, so a JSON array (null when empty). */
function stringListValue(payload: Uint8Array): Json {
  const items: string[] = [];
  for (const wire of readFields(payload)) if (wire.no === 1 && wire.wireType === WIRE_LEN) items.push(utf8.decode(wire.bytes));
  return items.length === 0 ? null : items;
}

function concat(parts: Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

function goName(json: string): string {
  return json.charAt(0).toUpperCase() + json.slice(1);
}
