// Protocol-buffers wire format: just what Kubernetes' messages use (varint, length-delimited, fixed32/fixed64).
// Read side: malformed input throws ProtobufSyntaxError carrying the error text of gogo's generated Unmarshal code
// ("unexpected EOF", "proto: wrong wireType ..."); decode.ts turns it into the 400 BadRequest that kube-apiserver
// answers with. Write side: ProtobufWriter, for the gnostic OpenAPI v2 document (openapi/gnostic.ts).

export class ProtobufSyntaxError extends Error {}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

/** One field as it sits on the wire: a varint value or the bytes of a length-delimited field. */
export type WireField =
  | { no: number; wireType: typeof WIRE_VARINT; value: bigint }
  | { no: number; wireType: typeof WIRE_LEN; bytes: Uint8Array }
  | { no: number; wireType: typeof WIRE_FIXED32 | typeof WIRE_FIXED64; bytes: Uint8Array };

/** Reads the fields of one message in order. Fixed-width fields (no Kubernetes field uses them) come as their raw bytes. */
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
        yield { no, wireType, bytes: buf.subarray(pos - width, pos) };
        break;
      }
      default:
        // Groups (3, 4) are never used by Kubernetes messages; 6 and 7 do not exist.
        throw new ProtobufSyntaxError(`proto: illegal wireType ${wireType}`);
    }
  }
}

/** The varint bytes of a value; a negative one is written as its 64-bit two's complement, as Go does for int64. */
export function encodeVarint(value: number | bigint): Uint8Array {
  return new ProtobufWriter().rawVarint(value).finish();
}

/**
 * Appends the fields of one message, in the order written (Go's generated Marshal writes them by field number: the
 * caller keeps that order). Writes every field it is given: dropping proto3 zero values is the caller's choice,
 * because a oneof member and a present sub-message are written even when empty. A nested message is built in a
 * writer of its own and embedded with `bytes`.
 */
export class ProtobufWriter {
  private buf = Buffer.allocUnsafe(64);
  private length = 0;

  varint(no: number, value: number | bigint | boolean): this {
    this.tag(no, WIRE_VARINT);
    return this.rawVarint(typeof value === 'boolean' ? Number(value) : value);
  }

  bytes(no: number, payload: Uint8Array): this {
    this.tag(no, WIRE_LEN);
    this.rawVarint(payload.length);
    this.reserve(payload.length);
    this.buf.set(payload, this.length);
    this.length += payload.length;
    return this;
  }

  string(no: number, text: string): this {
    const size = Buffer.byteLength(text, 'utf8');
    this.tag(no, WIRE_LEN);
    this.rawVarint(size);
    this.reserve(size);
    this.length += this.buf.write(text, this.length, 'utf8');
    return this;
  }

  /** A `double`: fixed64, IEEE 754 little-endian. */
  double(no: number, value: number): this {
    this.tag(no, WIRE_FIXED64);
    this.reserve(8);
    this.length = this.buf.writeDoubleLE(value, this.length);
    return this;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** A varint without a tag. Numbers up to 2^32 - 1 take the fast path; anything else goes through 64-bit BigInt. */
  rawVarint(value: number | bigint): this {
    this.reserve(10);
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) {
      let v = value;
      while (v > 0x7f) {
        this.buf[this.length++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.buf[this.length++] = v;
      return this;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 0x7fn) {
      this.buf[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.length++] = Number(v);
    return this;
  }

  private tag(no: number, wireType: number): void {
    this.rawVarint(no * 8 + wireType);
  }

  private reserve(size: number): void {
    if (this.length + size <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + size));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }
}
