// The emission cache's score sum as WebAssembly SIMD (four float32 lanes at a time, ~2.5× the JavaScript loop): a
// module of two functions, encoded here byte by byte (no toolchain, nothing downloaded or built), over a memory the
// caller owns. Offsets and results are in bytes and floats of that memory.

import { leb, moduleOf, sleb, vec } from './wasm-encode.js';
import { SUM_MODULE, TRAIN_MODULE } from './wasm-modules.js';

/** The sum kernels, bound to one memory. */
export interface SumKernels {
  /**
   * out[i] = A[a + i] + A[b + i] + A[c + i] + A[d + i] + A[e + i] for i < L (float32, left to right); returns the
   * largest out[i]. All arguments are byte offsets into the memory, each a multiple of 4; L ≥ 1.
   */
  sum5(out: number, a: number, b: number, c: number, d: number, e: number, L: number): number;
  /**
   * The same plus a running sum: acc[i] = acc[i] + A[enter + i] − A[leave + i] first, then out[i] = the five rows' sum +
   * acc[i]; returns the largest out[i].
   */
  sum5far(out: number, a: number, b: number, c: number, d: number, e: number, acc: number, enter: number, leave: number, L: number): number;
  /**
   * dst[t·L + i] = exp(x), x = src[t·L + i] − maxima[t], for t < n, i < L: float32 rows in, float64 rows out, within
   * 1.5e-6 + 6e-8·|x| of it, relative (float32 arithmetic, a degree-6 polynomial); 0 below e^−87. Rows are done four values at a time
   * and in order, so each row's last group runs up to 3 values into the next row (rewritten when its turn comes):
   * src and dst need 3 values of room after row n − 1. src, maxima (float32) and dst are byte offsets.
   */
  psi(src: number, maxima: number, n: number, L: number, dst: number): void;
}

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;


const localGet = (i: number) => [0x20, ...leb(i)];
const localSet = (i: number) => [0x21, ...leb(i)];
const localTee = (i: number) => [0x22, ...leb(i)];
const i32Const = (n: number) => [0x41, ...sleb(n)];
const I32_ADD = 0x6a;
const I32_MUL = 0x6c;
const I32_AND = 0x71;
const I32_SHL = 0x74;
const I32_GE_U = 0x4f;
const F32_ADD = 0x92;
const F32_SUB = 0x93;
const F32_MAX = 0x97;
const simd = (op: number, ...imm: number[]) => [0xfd, ...leb(op), ...imm];
/** v128.load / v128.store with alignment hint 2^4 and offset 0. */
const V128_LOAD = simd(0x00, 4, 0);
const V128_STORE = simd(0x0b, 4, 0);
const F32X4_ADD = simd(0xe4);
const F32X4_SUB = simd(0xe5);
const F32X4_MAX = simd(0xe9);
const F32X4_SPLAT = simd(0x13);
const f32x4ExtractLane = (lane: number) => simd(0x1f, lane);
const F32X4_MUL = simd(0xe6);
const F32X4_NEAREST = simd(0x6a);
const F32X4_LT = simd(0x43);
const I32X4_TRUNC_SAT_F32X4_S = simd(0xf8);
const I32X4_SPLAT = simd(0x11);
const I32X4_ADD = simd(0xae);
const I32X4_SHL = simd(0xab);
const V128_ANDNOT = simd(0x4f);
const F64X2_PROMOTE_LOW_F32X4 = simd(0x5f);
/** i8x16.shuffle moving lanes 2 and 3 (bytes 8–15) of the first operand to lanes 0 and 1. */
const HIGH_HALF = simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
const f32Const = (x: number) => [0x43, ...new Uint8Array(Float32Array.of(x).buffer)];
/** f32.load / f32.store with alignment hint 2^2 and offset 0. */
const F32_LOAD = [0x2a, 2, 0];
const F32_STORE = [0x38, 2, 0];
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const END = 0x0b;
const brIf = (depth: number) => [0x0d, depth];
const br = (depth: number) => [0x0c, depth];

/**
 * A function body: parameters out, a, b, c, d, e, [acc, enter, leave,] L. The first L & ~3 floats four at a time, the
 * rest one at a time; the lanes' maxima folded at the end (no NaN can occur: scores are finite).
 */
function body(far: boolean): number[] {
  const params = far ? 10 : 7;
  const L = params - 1;
  const i = params; // byte index
  const n4 = params + 1; // bytes of the four-at-a-time part
  const m = params + 2; // v128 lane maxima
  const x = params + 3; // v128 scratch
  const s = params + 4; // f32 maximum
  const y = params + 5; // f32 scratch
  const at = (p: number) => [...localGet(p), ...localGet(i), I32_ADD];
  const code: number[] = [];
  code.push(...localGet(L), ...i32Const(-4), I32_AND, ...i32Const(2), I32_SHL, ...localSet(n4));
  code.push(...i32Const(0), ...localSet(i));
  code.push(0x43, 0x00, 0x00, 0x80, 0xff, ...F32X4_SPLAT, ...localSet(m)); // f32.const −∞
  // four at a time
  code.push(...BLOCK, ...LOOP, ...localGet(i), ...localGet(n4), I32_GE_U, ...brIf(1));
  let lanes = [...at(1), ...V128_LOAD, ...at(2), ...V128_LOAD, ...F32X4_ADD, ...at(3), ...V128_LOAD, ...F32X4_ADD, ...at(4), ...V128_LOAD, ...F32X4_ADD, ...at(5), ...V128_LOAD, ...F32X4_ADD];
  if (far) {
    code.push(...at(6), ...at(6), ...V128_LOAD, ...at(7), ...V128_LOAD, ...F32X4_ADD, ...at(8), ...V128_LOAD, ...F32X4_SUB, ...localTee(x), ...V128_STORE);
    lanes = [...lanes, ...localGet(x), ...F32X4_ADD];
  }
  code.push(...at(0), ...lanes, ...localTee(x), ...V128_STORE);
  code.push(...localGet(m), ...localGet(x), ...F32X4_MAX, ...localSet(m));
  code.push(...localGet(i), ...i32Const(16), I32_ADD, ...localSet(i), ...br(0), END, END);
  code.push(...localGet(m), ...f32x4ExtractLane(0), ...localGet(m), ...f32x4ExtractLane(1), F32_MAX);
  code.push(...localGet(m), ...f32x4ExtractLane(2), F32_MAX, ...localGet(m), ...f32x4ExtractLane(3), F32_MAX, ...localSet(s));
  // the rest, one at a time
  code.push(...BLOCK, ...LOOP, ...localGet(i), ...localGet(L), ...i32Const(2), I32_SHL, I32_GE_U, ...brIf(1));
  let one = [...at(1), ...F32_LOAD, ...at(2), ...F32_LOAD, F32_ADD, ...at(3), ...F32_LOAD, F32_ADD, ...at(4), ...F32_LOAD, F32_ADD, ...at(5), ...F32_LOAD, F32_ADD];
  if (far) {
    code.push(...at(6), ...at(6), ...F32_LOAD, ...at(7), ...F32_LOAD, F32_ADD, ...at(8), ...F32_LOAD, F32_SUB, ...localTee(y), ...F32_STORE);
    one = [...one, ...localGet(y), F32_ADD];
  }
  code.push(...at(0), ...one, ...localTee(y), ...F32_STORE);
  code.push(...localGet(s), ...localGet(y), F32_MAX, ...localSet(s));
  code.push(...localGet(i), ...i32Const(4), I32_ADD, ...localSet(i), ...br(0), END, END);
  code.push(...localGet(s), END);
  const locals = vec([[...leb(2), I32], [...leb(2), V128], [...leb(2), F32]]);
  const all = [...locals, ...code];
  return [...leb(all.length), ...all];
}

/** The body of psi (see SumKernels.psi): exp by n = nearest(x·log2 e), r = x − n·ln 2 (in two parts), 2^n · p(r). */
function psiBody(): number[] {
  const SRC = 0, MAX = 1, N = 2, L = 3, DST = 4;
  const t = 5, i = 6, end = 7, o = 8; // o: the row's first float64 byte offset, less 2·(its first float32 offset)
  const m = 9, x = 10, k = 11, p = 12, under = 13;
  const splat = (v: number) => [...f32Const(v), ...F32X4_SPLAT];
  const code: number[] = [];
  code.push(...i32Const(0), ...localSet(t));
  code.push(...BLOCK, ...LOOP, ...localGet(t), ...localGet(N), I32_GE_U, ...brIf(1));
  // m = maxima[t] in every lane; i = the row's first byte in src, end = past its last
  code.push(...localGet(MAX), ...localGet(t), ...i32Const(2), I32_SHL, I32_ADD, ...F32_LOAD, ...F32X4_SPLAT, ...localSet(m));
  code.push(...localGet(t), ...localGet(L), I32_MUL, ...i32Const(2), I32_SHL, ...localTee(i), ...localGet(L), ...i32Const(2), I32_SHL, I32_ADD, ...localSet(end));
  // dst byte of src byte j: DST + 2·j
  code.push(...BLOCK, ...LOOP, ...localGet(i), ...localGet(end), I32_GE_U, ...brIf(1));
  code.push(...localGet(SRC), ...localGet(i), I32_ADD, ...V128_LOAD, ...localGet(m), ...F32X4_SUB, ...localSet(x));
  code.push(...localGet(x), ...splat(-87), ...F32X4_LT, ...localSet(under));
  code.push(...localGet(x), ...splat(Math.LOG2E), ...F32X4_MUL, ...F32X4_NEAREST, ...localSet(k));
  code.push(...localGet(x), ...localGet(k), ...splat(0.693359375), ...F32X4_MUL, ...F32X4_SUB, ...localGet(k), ...splat(-2.12194440e-4), ...F32X4_MUL, ...F32X4_SUB, ...localSet(x));
  const coefficients = [1 / 720, 1 / 120, 1 / 24, 1 / 6, 0.5, 1, 1];
  code.push(...splat(coefficients[0]), ...localSet(p));
  for (let j = 1; j < coefficients.length; j++) code.push(...localGet(p), ...localGet(x), ...F32X4_MUL, ...splat(coefficients[j]), ...F32X4_ADD, ...localSet(p));
  // p · 2^k, 0 where x < −87 (there 2^k's bits are not a float)
  code.push(...localGet(p), ...localGet(k), ...I32X4_TRUNC_SAT_F32X4_S, ...i32Const(127), ...I32X4_SPLAT, ...I32X4_ADD, ...i32Const(23), ...I32X4_SHL, ...F32X4_MUL, ...localGet(under), ...V128_ANDNOT, ...localSet(p));
  // two float64 pairs
  code.push(...localGet(DST), ...localGet(i), ...i32Const(1), I32_SHL, I32_ADD, ...localTee(o), ...localGet(p), ...F64X2_PROMOTE_LOW_F32X4, ...V128_STORE);
  code.push(...localGet(o), ...i32Const(16), I32_ADD, ...localGet(p), ...localGet(p), ...HIGH_HALF, ...F64X2_PROMOTE_LOW_F32X4, ...V128_STORE);
  code.push(...localGet(i), ...i32Const(16), I32_ADD, ...localSet(i), ...br(0), END, END);
  code.push(...localGet(t), ...i32Const(1), I32_ADD, ...localSet(t), ...br(0), END, END, END);
  const locals = vec([[...leb(4), I32], [...leb(5), V128]]);
  const all = [...locals, ...code];
  return [...leb(all.length), ...all];
}

/** The module's bytes: imports memory "m"."memory", exports sum5, sum5far and psi. */
export function sumModuleBytes(): Uint8Array<ArrayBuffer> {
  const type = (params: number, result: number[][]) => [0x60, ...vec(Array.from({ length: params }, () => [I32])), ...vec(result)];
  return moduleOf([
    { name: 'sum5', type: type(7, [[F32]]), body: body(false) },
    { name: 'sum5far', type: type(10, [[F32]]), body: body(true) },
    { name: 'psi', type: type(5, []), body: psiBody() },
  ]);
}

let compiled: WebAssembly.Module | undefined;

/** The kernels over `memory` (the module's stored bytes, wasm-modules.ts, are compiled once per process). */
export function sumKernels(memory: WebAssembly.Memory): SumKernels {
  compiled ??= new WebAssembly.Module(Buffer.from(SUM_MODULE, 'base64'));
  return new WebAssembly.Instance(compiled, { m: { memory } }).exports as unknown as SumKernels;
}

/** The trainer's emission kernels, bound to one memory (see trainKernels). */
export interface TrainKernels {
  /**
   * For each token t < n of a sequence: the float32 sum of the rows M[ids[k]] for k in offs[t]..offs[t + 1] (left to
   * right, starting from 0), its first L values written as float64 to E[t·L ..]. ids and offs are int32 (offs holds
   * n + 1 indexes into ids), M's rows are rowBytes apart (a multiple of 16), S is scratch for one row. All byte offsets.
   */
  rowSums(ids: number, offs: number, n: number, M: number, rowBytes: number, L: number, E: number, S: number): void;
  /** The same sums over a group's table M, spread to the labels: E[t·L + y] += the sum's value of[y] (int32). */
  groupAdd(ids: number, offs: number, n: number, M: number, rowBytes: number, of: number, L: number, E: number, S: number): void;
}

const I32_LOAD = [0x28, 2, 0];
const F64_LOAD = [0x2b, 3, 0];
const F64_STORE = [0x39, 3, 0];
const F64_PROMOTE_F32 = 0xbb;
const F64_ADD = 0xa0;
const V128_ZERO = simd(0x0c, ...new Array(16).fill(0));

/** The body of rowSums (group false) or groupAdd (group true). */
function trainBody(group: boolean): number[] {
  const IDS = 0, OFFS = 1, N = 2, M = 3, ROW = 4;
  const OF = group ? 5 : -1;
  const L = group ? 6 : 5, E = L + 1, S = L + 2;
  const t = S + 1, k0 = t + 1, k1 = t + 2, k = t + 3, i = t + 4, y = t + 5, eo = t + 6, acc = t + 7;
  const code: number[] = [];
  const loopWhileLess = (v: number, bound: number[], inner: number[], step: number) => [
    ...BLOCK, ...LOOP, ...localGet(v), ...bound, I32_GE_U, ...brIf(1), ...inner, ...localGet(v), ...i32Const(step), I32_ADD, ...localSet(v), ...br(0), END, END,
  ];
  const perToken: number[] = [];
  perToken.push(...localGet(OFFS), ...localGet(t), ...i32Const(2), I32_SHL, I32_ADD, ...localTee(k), ...I32_LOAD, ...localSet(k0));
  perToken.push(...localGet(k), ...i32Const(4), I32_ADD, ...I32_LOAD, ...localSet(k1));
  // one vector of the row at a time: its lanes summed over the token's features
  const perFeature = [...localGet(acc), ...localGet(M), ...localGet(IDS), ...localGet(k), ...i32Const(2), I32_SHL, I32_ADD, ...I32_LOAD, ...localGet(ROW), I32_MUL, I32_ADD, ...localGet(i), I32_ADD, ...V128_LOAD, ...F32X4_ADD, ...localSet(acc)];
  const perVector = [...V128_ZERO, ...localSet(acc), ...localGet(k0), ...localSet(k), ...loopWhileLess(k, localGet(k1), perFeature, 1), ...localGet(S), ...localGet(i), I32_ADD, ...localGet(acc), ...V128_STORE];
  perToken.push(...i32Const(0), ...localSet(i), ...loopWhileLess(i, localGet(ROW), perVector, 16));
  perToken.push(...localGet(E), ...localGet(t), ...localGet(L), I32_MUL, ...i32Const(3), I32_SHL, I32_ADD, ...localSet(eo));
  const value = group
    ? [...localGet(S), ...localGet(OF), ...localGet(y), ...i32Const(2), I32_SHL, I32_ADD, ...I32_LOAD, ...i32Const(2), I32_SHL, I32_ADD, ...F32_LOAD, F64_PROMOTE_F32]
    : [...localGet(S), ...localGet(y), ...i32Const(2), I32_SHL, I32_ADD, ...F32_LOAD, F64_PROMOTE_F32];
  const at = [...localGet(eo), ...localGet(y), ...i32Const(3), I32_SHL, I32_ADD];
  const perLabel = group ? [...at, ...at, ...F64_LOAD, ...value, F64_ADD, ...F64_STORE] : [...at, ...value, ...F64_STORE];
  perToken.push(...i32Const(0), ...localSet(y), ...loopWhileLess(y, localGet(L), perLabel, 1));
  code.push(...i32Const(0), ...localSet(t), ...loopWhileLess(t, localGet(N), perToken, 1), END);
  const locals = vec([[...leb(7), I32], [...leb(1), V128]]);
  const all = [...locals, ...code];
  return [...leb(all.length), ...all];
}

/** The trainer module's bytes: imports memory "m"."memory", exports rowSums and groupAdd. */
export function trainModuleBytes(): Uint8Array<ArrayBuffer> {
  const type = (params: number) => [0x60, ...vec(Array.from({ length: params }, () => [I32])), ...vec([])];
  return moduleOf([
    { name: 'rowSums', type: type(8), body: trainBody(false) },
    { name: 'groupAdd', type: type(9), body: trainBody(true) },
  ]);
}

let compiledTrain: WebAssembly.Module | undefined;

/** The trainer's kernels over `memory` (the module's stored bytes are compiled once per process). */
export function trainKernels(memory: WebAssembly.Memory): TrainKernels {
  compiledTrain ??= new WebAssembly.Module(Buffer.from(TRAIN_MODULE, 'base64'));
  return new WebAssembly.Instance(compiledTrain, { m: { memory } }).exports as unknown as TrainKernels;
}
