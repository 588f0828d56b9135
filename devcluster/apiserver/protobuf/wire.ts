// Protocol-buffers wire format, read side only: just what Kubernetes' gogo-generated messages use
// (varint, length-delimited, fixed32/fixed64 to skip). Malformed input throws ProtobufSyntaxError carrying the
// error text of gogo's generated Unmarshal code ("unexpected EOF", "proto: wrong wireType ..."); decode.ts turns
// it into the 400 BadRequest that kube-apiserver answers with.

export class ProtobufSyntaxError extends Error {}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

/** One field as it sits on the wire: a varint value or the bytes of a length-delimited field. */
export type WireField =
  | { no: number; wireType: typeof WIRE_VARINT; value: bigint }
  | { no: number; wireType: typeof WIRE_LEN; bytes: Uint8Array }
  | { no: number; wireType: typeof WIRE_FIXED32 | typeof WIRE_FIXED64 };

/** Reads the fields of one message in order. Fixed-width fields are skipped over (no Kubernetes field uses them). */
export function* readFields(buf: Uint8Array): Generator<WireField> {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= buf.length) throw new ProtobufSyntaxError('unexpected EOF');
      const byte = buf[pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asUintN(64, result);
    }
    throw new ProtobufSyntaxError('proto: integer overflow');
  };
  while (pos < buf.length) {
    const key = varint();
    const no = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (no <= 0 || no > 0x1fffffff) throw new ProtobufSyntaxError(`proto: illegal tag ${no} (wire type ${wireType})`);
    switch (wireType) {
      case WIRE_VARINT:
        yield { no, wireType, value: varint() };
        break;
      case WIRE_LEN: {
        const length = varint();
        if (length > BigInt(buf.length - pos)) throw new ProtobufSyntaxError('unexpected EOF');
        const start = pos;
        pos += Number(length);
        yield { no, wireType, bytes: buf.subarray(start, pos) };
        break;
      }
      case WIRE_FIXED32:
      case WIRE_FIXED64: {
        const width = wireType === WIRE_FIXED32 ? 4 : 8;
        if (pos + width > buf.length) throw new ProtobufSyntaxError('unexpected EOF');
        pos += width;
        yield { no, wireType };
        break;
      }
      default:
        // Groups (3, 4) are never used by Kubernetes messages; 6 and 7 do not exist.
        throw new ProtobufSyntaxError(`proto: illegal wireType ${wireType}`);
    }
  }
}
