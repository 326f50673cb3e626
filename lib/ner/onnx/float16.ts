// IEEE 754 half-precision conversion (round to nearest, ties to even) for float16 weight tables.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float16 bit pattern nearest to `value` (ties to even; overflow → ±Infinity; NaN stays NaN). */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1) !== 0)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to Infinity).
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) !== 0)) half++;
  return sign | half;
}

/** The number a float16 bit pattern stands for. */
export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m !== 0 ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** Converts a float32 array to float16 bit patterns. */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toFloat16Bits(values[i]);
  return out;
}

/** Converts float16 bit patterns back to float32 (exactly: every float16 value is a float32). */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const word = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const e = (h >>> 10) & 0x1f;
    // normal numbers by rebiasing the exponent (15 → 127) in place; subnormals, Infinity and NaN the long way
    if (e !== 0 && e !== 0x1f) word[i] = ((h & 0x8000) << 16) | ((e + 112) << 23) | ((h & 0x3ff) << 13);
    else if ((h & 0x7fff) === 0) word[i] = (h & 0x8000) << 16; // ±0: a third or more of a weight table
    else out[i] = fromFloat16Bits(h);
  }
  return out;
}

/**
 * Rounds `values` (rows of `width`) in place to the nearest float16 values (through float32, as `float32ToFloat16`
 * of a Float32Array of them would) and returns their bit patterns, with each row's L1 norm of the rounded values
 * (summed in order): one pass, no float32 copy.
 */
export function roundRowsToFloat16(values: Float64Array, width: number): { bits: Uint16Array; norms: Float64Array } {
  const bits = new Uint16Array(values.length);
  const rows = width > 0 ? Math.ceil(values.length / width) : 0;
  const norms = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = r * width, end = Math.min(i + width, values.length); i < end; i++) {
      const h = toFloat16Bits(values[i]);
      bits[i] = h;
      const e = (h >>> 10) & 0x1f;
      let v: number;
      if (e !== 0 && e !== 0x1f) {
        u32[0] = ((h & 0x8000) << 16) | ((e + 112) << 23) | ((h & 0x3ff) << 13);
        v = f32[0];
      } else v = (h & 0x7fff) === 0 ? ((h & 0x8000) !== 0 ? -0 : 0) : fromFloat16Bits(h);
      values[i] = v;
      s += Math.abs(v);
    }
    norms[r] = s;
  }
  return { bits, norms };
}
