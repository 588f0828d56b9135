import assert from 'node:assert/strict';
import { encodeVarint, ProtobufWriter, readFields, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './wire.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('protobuf wire writer', () => {
  it('writes varints as Go does, 64-bit two\'s complement for negative values', () => {
    const cases: Array<[number | bigint, string]> = [
      [0, '00'], [1, '01'], [127, '7f'], [128, '8001'], [300, 'ac02'], [0xffffffff, 'ffffffff0f'], [2 ** 32, '8080808010'],
      [2n ** 63n, '80808080808080808001'], [-1, 'ffffffffffffffffff01'],
    ];
    for (const [value, expected] of cases) assert.equal(hex(encodeVarint(value)), expected, String(value));
  });

  it('writes tagged fields that the reader reads back, growing past its first buffer', () => {
    const long = 'é'.repeat(100);
    const bytes = new ProtobufWriter()
      .varint(1, 150).varint(2, true).string(3, long).bytes(4, Uint8Array.from([1, 2])).double(5, -1.5).varint(300, 7)
      .finish();
    assert.equal(hex(bytes.subarray(0, 3)), '089601', 'field 1, varint 150');
    const fields = [...readFields(bytes)];
    assert.deepEqual(fields.map((f) => [f.no, f.wireType]), [[1, WIRE_VARINT], [2, WIRE_VARINT], [3, WIRE_LEN], [4, WIRE_LEN], [5, WIRE_FIXED64], [300, WIRE_VARINT]]);
    assert.deepEqual(fields.filter((f) => f.wireType === WIRE_VARINT).map((f) => f.value), [150n, 1n, 7n]);
    assert.equal(Buffer.from((fields[2] as { bytes: Uint8Array }).bytes).toString('utf8'), long);
    assert.deepEqual([...(fields[3] as { bytes: Uint8Array }).bytes], [1, 2]);
    assert.equal(Buffer.from((fields[4] as { bytes: Uint8Array }).bytes).readDoubleLE(0), -1.5);
  });
});
