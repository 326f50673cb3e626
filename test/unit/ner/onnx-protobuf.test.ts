// Protobuf wire format used for ONNX files: what the writer emits is what the reader (and protobuf itself) expects.

import { describe, expect, it } from 'vitest';
import { ProtoDecodeError, ProtoWriter, WireType, decodeString, readFields, readPackedVarints } from '../../../lib/ner/onnx/protobuf.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('protobuf writer', () => {
  it('encodes the canonical examples from the protobuf encoding guide', () => {
    // field 1 varint 150 → 08 96 01; field 2 string "testing" → 12 07 74 65 73 74 69 6e 67
    expect(hex(new ProtoWriter().varint(1, 150).finish())).toBe('089601');
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('120774657374696e67');
    // field 4 packed [3, 270, 86942] → 22 06 03 8e 02 9e a7 05
    expect(hex(new ProtoWriter().packedVarints(4, [3, 270, 86942]).finish())).toBe('2206038e029ea705');
    // negative int64 is ten bytes of two's complement
    expect(hex(new ProtoWriter().varint(1, -1).finish())).toBe('08ffffffffffffffffff01');
    // float 1.5 little-endian fixed32
    expect(hex(new ProtoWriter().float(1, 1.5).finish())).toBe('0d0000c03f');
  });

  it('nests messages and keeps large payloads intact', () => {
    const payload = new Uint8Array(100_000).map((_, i) => i * 7);
    const inner = new ProtoWriter().string(1, 'név 🚀').bytes(2, payload);
    const outer = new ProtoWriter().varint(1, 2 ** 40).message(7, inner).varint(8, 3);
    const bytes = outer.finish();
    expect(bytes.length).toBe(outer.length);
    const fields = [...readFields(bytes)];
    expect(fields.map((f) => f.field)).toEqual([1, 7, 8]);
    expect(fields[0].value).toBe(2 ** 40);
    const innerFields = [...readFields(fields[1].bytes!)];
    expect(decodeString(innerFields[0].bytes!)).toBe('név 🚀');
    expect(Buffer.from(innerFields[1].bytes!).equals(Buffer.from(payload))).toBe(true);
  });
});

describe('protobuf reader', () => {
  it('reads back negative and large varints exactly', () => {
    const bytes = new ProtoWriter().varint(1, -1).varint(2, -123456789).varint(3, 2n ** 62n).finish();
    const [a, b, c] = [...readFields(bytes)];
    expect(a.value).toBe(-1);
    expect(b.value).toBe(-123456789);
    expect(c.value).toBe(2n ** 62n);
  });

  it('reads packed and unpacked repeated varints', () => {
    const packed = [...readFields(new ProtoWriter().packedVarints(1, [0, 1, 300, 2 ** 33]).finish())][0];
    expect(readPackedVarints(packed)).toEqual([0, 1, 300, 2 ** 33]);
    const single = [...readFields(new ProtoWriter().varint(1, 42).finish())][0];
    expect(single.wire).toBe(WireType.Varint);
    expect(readPackedVarints(single)).toEqual([42]);
  });

  it('rejects truncated input and invalid UTF-8', () => {
    const bytes = new ProtoWriter().string(1, 'hello').finish();
    expect(() => [...readFields(bytes.subarray(0, 4))]).toThrow(ProtoDecodeError);
    expect(() => [...readFields(new Uint8Array([0x08, 0x80]))]).toThrow(ProtoDecodeError);
    expect(() => decodeString(new Uint8Array([0xff, 0xfe]))).toThrow(ProtoDecodeError);
  });
});
