// Minimal protobuf wire-format writer and reader, enough to write and inspect ONNX ModelProto files.

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Protobuf wire types. */
export const enum WireType {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
  Fixed32 = 5,
}

/**
 * Builds one protobuf message as a list of chunks. Large payloads (tensor bytes) are kept by reference and copied
 * once, in `finish()`, so a 50 MB model is not copied once per nesting level.
 */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private scratch = new Uint8Array(256);
  private used = 0;
  /** Total encoded length in bytes. */
  length = 0;

  private ensure(extra: number): void {
    if (this.used + extra <= this.scratch.length) return;
    this.flushScratch();
    if (extra > this.scratch.length) this.scratch = new Uint8Array(Math.max(extra, 256));
  }

  private flushScratch(): void {
    if (this.used === 0) return;
    this.chunks.push(this.scratch.subarray(0, this.used));
    this.scratch = new Uint8Array(this.scratch.length);
    this.used = 0;
  }

  private rawVarint(value: number | bigint): void {
    this.ensure(10);
    const start = this.used;
    if (typeof value === 'bigint' || value < 0 || value > Number.MAX_SAFE_INTEGER) {
      // Negative int64 values are written as their 64-bit two's complement: always ten bytes.
      let v = BigInt.asUintN(64, BigInt(value));
      while (v >= 0x80n) {
        this.scratch[this.used++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      this.scratch[this.used++] = Number(v);
    } else {
      let v = value;
      while (v >= 0x80) {
        this.scratch[this.used++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      this.scratch[this.used++] = v;
    }
    this.length += this.used - start;
  }

  private tag(field: number, wire: WireType): void {
    this.rawVarint(field * 8 + wire);
  }

  /** int32/int64/uint64/enum/bool field. */
  varint(field: number, value: number | bigint): this {
    this.tag(field, WireType.Varint);
    this.rawVarint(value);
    return this;
  }

  /** 32-bit float field. */
  float(field: number, value: number): this {
    this.tag(field, WireType.Fixed32);
    this.ensure(4);
    new DataView(this.scratch.buffer, this.scratch.byteOffset).setFloat32(this.used, value, true);
    this.used += 4;
    this.length += 4;
    return this;
  }

  /** bytes field; the buffer is kept by reference until `finish()`. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WireType.LengthDelimited);
    this.rawVarint(value.length);
    if (value.length <= 64) {
      this.ensure(value.length);
      this.scratch.set(value, this.used);
      this.used += value.length;
    } else {
      this.flushScratch();
      this.chunks.push(value);
    }
    this.length += value.length;
    return this;
  }

  /**
   * bytes field made of `parts` in order, each kept by reference (never copied before `finish()`, whatever its
   * size), so `offsetOf` can find it.
   */
  bytesParts(field: number, parts: readonly Uint8Array[]): this {
    let length = 0;
    for (const p of parts) length += p.length;
    this.tag(field, WireType.LengthDelimited);
    this.rawVarint(length);
    this.flushScratch();
    for (const p of parts) this.chunks.push(p);
    this.length += length;
    return this;
  }

  /**
   * Where `chunk` (a part given to `bytesParts`, by identity) starts in the message `finish()` would return, or −1:
   * a layout can be checked without building the whole message.
   */
  offsetOf(chunk: Uint8Array): number {
    this.flushScratch();
    let offset = 0;
    for (const c of this.chunks) {
      if (c === chunk) return offset;
      offset += c.length;
    }
    return -1;
  }

  /** string field, UTF-8. */
  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** Packed repeated int64 field. */
  packedVarints(field: number, values: ArrayLike<number>): this {
    const inner = new ProtoWriter();
    for (let i = 0; i < values.length; i++) inner.rawVarint(values[i]);
    return this.message(field, inner);
  }

  /** Embedded message field. */
  message(field: number, inner: ProtoWriter): this {
    this.tag(field, WireType.LengthDelimited);
    this.rawVarint(inner.length);
    inner.flushScratch();
    this.flushScratch();
    for (const chunk of inner.chunks) this.chunks.push(chunk);
    this.length += inner.length;
    return this;
  }

  /** The encoded message, in one buffer. */
  finish(): Uint8Array {
    this.flushScratch();
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

/** One decoded field: varints as numbers (bigint beyond 2^53), length-delimited fields as views into the input. */
export interface ProtoField {
  field: number;
  wire: WireType;
  /** For Varint, Fixed32 and Fixed64 fields. */
  value?: number | bigint;
  /** For LengthDelimited fields: a view into the input, not a copy. */
  bytes?: Uint8Array;
}

/** Malformed protobuf input. */
export class ProtoDecodeError extends Error {
  override readonly name = 'ProtoDecodeError';
}

/** Reads the fields of one protobuf message, in order. */
export function* readFields(buf: Uint8Array): Generator<ProtoField> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  const varint = (): number | bigint => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new ProtoDecodeError('truncated varint');
      const byte = buf[pos++];
      if (i >= 7) {
        // Past 49 bits: fall back to bigint so large/negative int64 values stay exact.
        let big = BigInt(result) + BigInt(byte & 0x7f) * BigInt(scale);
        let bigScale = BigInt(scale) * 128n;
        let b = byte;
        while (b & 0x80) {
          if (pos >= buf.length) throw new ProtoDecodeError('truncated varint');
          b = buf[pos++];
          big += BigInt(b & 0x7f) * bigScale;
          bigScale *= 128n;
        }
        big = BigInt.asIntN(64, big);
        return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
      }
      result += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) return result;
    }
    throw new ProtoDecodeError('varint too long');
  };
  while (pos < buf.length) {
    const key = varint();
    if (typeof key !== 'number') throw new ProtoDecodeError('bad field key');
    const field = Math.floor(key / 8);
    const wire = (key & 7) as WireType;
    if (field === 0) throw new ProtoDecodeError('field number 0');
    switch (wire) {
      case WireType.Varint:
        yield { field, wire, value: varint() };
        break;
      case WireType.Fixed64:
        if (pos + 8 > buf.length) throw new ProtoDecodeError('truncated fixed64');
        yield { field, wire, value: view.getBigUint64(pos, true) };
        pos += 8;
        break;
      case WireType.Fixed32:
        if (pos + 4 > buf.length) throw new ProtoDecodeError('truncated fixed32');
        yield { field, wire, value: view.getUint32(pos, true) };
        pos += 4;
        break;
      case WireType.LengthDelimited: {
        const len = varint();
        if (typeof len !== 'number' || len < 0 || pos + len > buf.length) {
          throw new ProtoDecodeError('truncated length-delimited field');
        }
        yield { field, wire, bytes: buf.subarray(pos, pos + len) };
        pos += len;
        break;
      }
      default:
        throw new ProtoDecodeError(`unsupported wire type ${wire}`);
    }
  }
}

/** Reads a packed (or single unpacked) repeated varint field's values. */
export function readPackedVarints(f: ProtoField): number[] {
  if (f.wire === WireType.Varint) return [Number(f.value)];
  const out: number[] = [];
  // Non-negative values below 2^49 only (tensor dims); larger ones are not needed here.
  let pos = 0;
  const buf = f.bytes!;
  while (pos < buf.length) {
    let result = 0;
    let scale = 1;
    let i = 0;
    for (;;) {
      if (pos >= buf.length) throw new ProtoDecodeError('truncated packed varint');
      const byte = buf[pos++];
      if (i < 7) result += (byte & 0x7f) * scale;
      scale *= 128;
      i++;
      if ((byte & 0x80) === 0) break;
    }
    out.push(result);
  }
  return out;
}

/** Decodes a UTF-8 string field; throws ProtoDecodeError if it is not valid UTF-8. */
export function decodeString(bytes: Uint8Array): string {
  try {
    return textDecoder.decode(bytes);
  } catch {
    throw new ProtoDecodeError('string field is not valid UTF-8');
  }
}
