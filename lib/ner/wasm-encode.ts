// A few combinators for encoding WebAssembly function bodies by hand (no toolchain): expressions are byte arrays,
// locals are numbered by Fn in the order they are asked for, addresses are byte offsets into the module's memory.
// Also the module format's primitives (LEB128, vectors, sections), which simd.ts's hand-written bodies use too.

/** Unsigned LEB128. */
export function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

export const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
export const name = (s: string): number[] => vec([...Buffer.from(s, 'utf8')].map((b) => [b]));
export const section = (id: number, bytes: number[]): number[] => [id, ...leb(bytes.length), ...bytes];

export type Code = number[];
export const I32 = 0x7f;
export const F64 = 0x7c;

export const get = (i: number): Code => [0x20, ...leb(i)];
export const set = (i: number, v: Code): Code => [...v, 0x21, ...leb(i)];
export const i32 = (n: number): Code => [0x41, ...sleb(n)];
export const f64 = (x: number): Code => [0x44, ...new Uint8Array(Float64Array.of(x).buffer)];
export const op = (code: number) => (a: Code, b: Code): Code => [...a, ...b, code];
export const iadd = op(0x6a);
export const isub = op(0x6b);
export const imul = op(0x6c);
export const iand = op(0x71);
export const ishl = op(0x74);
export const ishrS = op(0x75);
export const iltS = op(0x48);
export const igeS = op(0x4e);
export const fadd = op(0xa0);
export const fsub = op(0xa1);
export const fmul = op(0xa2);
export const fdiv = op(0xa3);
export const flt = op(0x63);
export const fgt = op(0x64);
export const ior = op(0x72);
export const ffloor = (a: Code): Code => [...a, 0x9c];
/** i32.trunc_sat_f64_s: float64 to int32 toward zero; NaN gives 0 and out-of-range values saturate instead of trapping. */
export const truncSat = (a: Code): Code => [...a, 0xfc, 0x02];
export const ld = (addr: Code, off = 0): Code => [...addr, 0x2b, 3, ...leb(off)];
export const st = (addr: Code, v: Code, off = 0): Code => [...addr, ...v, 0x39, 3, ...leb(off)];
export const ldi = (addr: Code, off = 0): Code => [...addr, 0x28, 2, ...leb(off)];
/** Byte address of float64 element i (an i32 expression) of the array at byte `base`. */
export const at8 = (base: Code, i: Code): Code => iadd(base, ishl(i, i32(3)));
export const at4 = (base: Code, i: Code): Code => iadd(base, ishl(i, i32(2)));
/** a += v for the float64 at byte address `addr` (evaluated twice: keep it a plain expression). */
export const addTo = (addr: Code, v: Code, off = 0): Code => st(addr, fadd(ld(addr, off), v), off);
export const block = (body: Code): Code => [0x02, 0x40, ...body, 0x0b];
export const loop = (body: Code): Code => [0x03, 0x40, ...body, 0x0b];
export const brIf = (depth: number): Code => [0x0d, ...leb(depth)];
export const br = (depth: number): Code => [0x0c, ...leb(depth)];
export const ifThen = (cond: Code, body: Code): Code => [...cond, 0x04, 0x40, ...body, 0x0b];
/** cond ? a : b (both evaluated). */
export const select = (a: Code, b: Code, cond: Code): Code => [...a, ...b, ...cond, 0x1b];
/** for (i = from; i < to; i++) body (signed) */
export const forUp = (i: number, from: Code, to: Code, body: Code): Code => [
  ...set(i, from),
  ...block(loop([...igeS(get(i), to), ...brIf(1), ...body, ...set(i, iadd(get(i), i32(1))), ...br(0)])),
];
/** for (i = from; i >= to; i--) body (signed) */
export const forDown = (i: number, from: Code, to: Code, body: Code): Code => [
  ...set(i, from),
  ...block(loop([...iltS(get(i), to), ...brIf(1), ...body, ...set(i, isub(get(i), i32(1))), ...br(0)])),
];
/** JavaScript's `z || 1e-300` for a float64: 0 and NaN become 1e-300. */
export const orTiny = (z: number): Code => select(get(z), f64(1e-300), ior(fgt(get(z), f64(0)), flt(get(z), f64(0))));

/** A function under construction: its parameters, then locals as they are asked for. */
export class Fn {
  private readonly types: number[];
  constructor(private readonly params: number[], private readonly result?: number) {
    this.types = [...params];
  }
  i32(): number {
    return this.types.push(I32) - 1;
  }
  f64(): number {
    return this.types.push(F64) - 1;
  }
  type(): Code {
    return [0x60, ...vec(this.params.map((t) => [t])), ...vec(this.result === undefined ? [] : [[this.result]])];
  }
  body(code: Code): Code {
    const locals = vec(this.types.slice(this.params.length).map((t) => [1, t]));
    const all = [...locals, ...code, 0x0b];
    return [...leb(all.length), ...all];
  }
}


/** A module of `functions` (each exported under its name, in order) importing memory "m"."memory". */
export function moduleOf(functions: Array<{ name: string; type: Code; body: Code }>): Uint8Array<ArrayBuffer> {
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(functions.map((f) => f.type))),
    ...section(2, vec([[...name('m'), ...name('memory'), 0x02, 0x00, ...leb(0)]])),
    ...section(3, vec(functions.map((_, i) => [i]))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, i]))),
    ...section(10, vec(functions.map((f) => f.body))),
  ]);
}

/** moduleOf for functions built with Fn. */
export function moduleBytes(fns: Array<{ fn: Fn; code: Code }>, names: string[]): Uint8Array<ArrayBuffer> {
  return moduleOf(fns.map((f, i) => ({ name: names[i], type: f.fn.type(), body: f.fn.body(f.code) })));
}

export const ishrU = op(0x76);
export const ieq = op(0x46);
export const ine = op(0x47);
export const igtS = op(0x4a);
export const ileS = op(0x4c);
export const fabs = (a: Code): Code => [...a, 0x99];
export const fromI32 = (a: Code): Code => [...a, 0xb7];
/** The float32 nearest a float64 (round to nearest even), as its bits. */
export const f32BitsOf = (a: Code): Code => [...a, 0xb6, 0xbc];
/** The float64 of a float32 given by its bits. */
export const f64OfF32Bits = (a: Code): Code => [...a, 0xbe, 0xbb];
/** float32 at a byte address, as float64. */
export const ld32 = (addr: Code, off = 0): Code => [...addr, 0x2a, 2, ...leb(off), 0xbb];
export const st16 = (addr: Code, v: Code): Code => [...addr, ...v, 0x3b, 1, 0];
export const ifElse = (cond: Code, then: Code, otherwise: Code): Code => [...cond, 0x04, 0x40, ...then, 0x05, ...otherwise, 0x0b];
export const call = (index: number, ...args: Code[]): Code => [...args.flat(), 0x10, ...leb(index)];
export const fsqrt = (a: Code): Code => [...a, 0x9f];
export const f32Of = (a: Code): Code => [...a, 0xb6];
/** Stores a float64 as float32 (rounded to nearest even) at a byte address. */
export const st32 = (addr: Code, v: Code): Code => [...addr, ...v, 0xb6, 0x38, 2, 0];
export const fge = op(0x66);
export const fle = op(0x65);
export const fne = op(0x62);

/** Lays out regions of a WebAssembly memory at 16-byte boundaries, from byte `bytes` on. */
export class Regions {
  constructor(public bytes = 0) {}
  /** The byte offset of a new region of `size` bytes. */
  take(size: number): number {
    const at = (this.bytes = Math.ceil(this.bytes / 16) * 16);
    this.bytes += size;
    return at;
  }
}

/** Grows `memory` to hold at least `bytes` (views of it made before are detached when it grows). */
export function growTo(memory: WebAssembly.Memory, bytes: number): void {
  const pages = Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
}
