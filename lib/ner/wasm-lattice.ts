// Training's forward-backward over a factored BILOU chain as WebAssembly (float64): the exponentials of a sequence's
// scores, the scaled forward and backward passes and the expected transition counts, the same operations in the same
// order as Lattice (crf.ts), so the same bits. A training run is over before the engine would have compiled the
// JavaScript; this is compiled when the module is, and allocates nothing while it runs.
//
// Encoded byte by byte through a few combinators (no toolchain). Every address is a byte offset into the memory the
// caller owns; arrays are float64 unless said otherwise.
import { addTo, at4, at8, call, fle, fne, f32BitsOf, fsqrt, st32, f64OfF32Bits, fabs, fadd, fdiv, ffloor, fgt, flt, fmul, Fn, forDown, forUp, fromI32, fsub, f64, get, i32, iadd, iand, ieq, ifElse, ifThen, igeS, igtS, ileS, iltS, imul, ine, ior, ishl, ishrS, ishrU, isub, ld, ld32, ldi, moduleBytes, orTiny, select, set, st, st16, truncSat, F64, I32, type Code } from './wasm-encode.js';
import { LATTICE_MODULE } from './wasm-modules.js';

/**
 * Whether an optional table's byte offset says it is absent: −1 (offsets are 16-byte aligned, so no table is at
 * 0xFFFFFFFF; an offset past 2 GiB is an i32 below 0 and still a table).
 */
const absent = (offset: number): Code => ieq(get(offset), i32(-1));
const present = (offset: number): Code => ine(get(offset), i32(-1));

/** Slots of a category's factors in X (crf.ts's P), in float64 elements. */
const OB = 0, OU = 1, LO = 2, UO = 3, LB = 4, LU = 5, UB = 6, UU = 7, BI = 8, BL = 9, II = 10, IL = 11, UL = 12, UU_ = 13, VB = 14, VU = 15, CAT = 16;
const x8 = (xs: number, slot: number): Code => ld(get(xs), 8 * slot);

/**
 * psiRows(E, psi, rowMax, n, L, frac, pow2; invStep, hi, lo): for each row t < n, m = its largest score (the first
 * of equals), rowMax[t] = m and psi[t·L + y] = expNonPositive(E[t·L + y] − m), crf.ts's exp with its tables (frac:
 * 64 values, pow2: 1076) and constants.
 */
function psiRows(): { fn: Fn; code: Code } {
  const fn = new Fn([I32, I32, I32, I32, I32, I32, I32, F64, F64, F64]);
  const E = 0, PSI = 1, MAX = 2, N = 3, L = 4, FRAC = 5, POW2 = 6, INV = 7, HI = 8, LO_ = 9;
  const t = fn.i32(), y = fn.i32(), o = fn.i32(), ni = fn.i32();
  const m = fn.f64(), x = fn.f64(), nf = fn.f64(), r = fn.f64(), v = fn.f64();
  const e = (i: number) => at8(get(E), iadd(get(o), get(i)));
  // poly = 1 + r·(1 + r·(0.5 + r·(1/6 + r·(1/24 + r/120))))
  const poly = fadd(f64(1), fmul(get(r), fadd(f64(1), fmul(get(r), fadd(f64(0.5), fmul(get(r), fadd(f64(1 / 6), fmul(get(r), fadd(f64(1 / 24), fdiv(get(r), f64(120)))))))))));
  const row = [
    ...set(o, imul(get(t), get(L))),
    ...set(m, f64(-Infinity)),
    ...forUp(y, i32(0), get(L), set(m, select(ld(e(y)), get(m), fgt(ld(e(y)), get(m))))),
    ...st(at8(get(MAX), get(t)), get(m)),
    ...forUp(y, i32(0), get(L), [
      ...set(x, fsub(ld(e(y)), get(m))),
      ...set(nf, ffloor(fmul(get(x), get(INV)))),
      ...set(v, f64(0)),
      // n < −68 800: 0; otherwise 2^(n/64) from the tables times the series on the remainder
      ...ifThen([...flt(get(nf), f64(-68_800)), 0x45 /* i32.eqz */], [
        ...set(r, fsub(fsub(get(x), fmul(get(nf), get(HI))), fmul(get(nf), get(LO_)))),
        ...set(ni, truncSat(get(nf))),
        ...set(v, fmul(fmul(ld(at8(get(POW2), isub(i32(0), ishrS(get(ni), i32(6))))), ld(at8(get(FRAC), iand(get(ni), i32(63))))), poly)),
      ]),
      ...st(at8(get(PSI), iadd(get(o), get(y))), get(v)),
    ]),
  ];
  return { fn, code: forUp(t, i32(0), get(N), row) };
}

/**
 * forwardBackward(n, L, psi, alpha, beta, scale, expStart, expEnd, X, expOO, np, pFrom, pTo, pExtra, w, pre, own)
 * → K: Lattice.run with the caller's exponentials over a factored BILOU chain (BilouChain's exp as X, K·CAT values;
 * the corrected pairs' from/to (int32) and extra). alpha, beta: n·L; scale: n; w: L; pre, own: the category count.
 */
function forwardBackward(): { fn: Fn; code: Code } {
  const fn = new Fn([I32, I32, I32, I32, I32, I32, I32, I32, I32, F64, I32, I32, I32, I32, I32, I32, I32], F64);
  const N = 0, L = 1, PSI = 2, ALPHA = 3, BETA = 4, SCALE = 5, START = 6, END = 7, X = 8, OO = 9, NP = 10, PFROM = 11, PTO = 12, PEXTRA = 13, W = 14, PRE = 15, OWN = 16;
  const t = fn.i32(), y = fn.i32(), k = fn.i32(), j = fn.i32(), K = fn.i32(), rowBytes = fn.i32();
  const ap = fn.i32(), ar = fn.i32(), pr = fn.i32(), ab = fn.i32(), xs = fn.i32(), a = fn.i32();
  const z = fn.f64(), inv = fn.f64(), sO = fn.f64(), total = fn.f64(), aO = fn.f64(), aB = fn.f64(), aI = fn.f64(), aL = fn.f64(), aU = fn.f64();
  const x = fn.f64(), others = fn.f64(), suffix = fn.f64(), vB = fn.f64(), vI = fn.f64(), vL = fn.f64(), vU = fn.f64();
  const wO = fn.f64(), wB = fn.f64(), wI = fn.f64(), wL = fn.f64(), wU = fn.f64(), bO = fn.f64();
  const pre = (i: number) => at8(get(PRE), get(i));
  const own = (i: number) => at8(get(OWN), get(i));
  const code: Code = [];
  code.push(...set(K, ishrS(isub(get(L), i32(1)), i32(2))), ...set(rowBytes, ishl(get(L), i32(3))));
  // first row
  code.push(...set(z, f64(0)));
  code.push(...forUp(y, i32(0), get(L), [
    ...st(at8(get(ALPHA), get(y)), fmul(ld(at8(get(START), get(y))), ld(at8(get(PSI), get(y))))),
    ...set(z, fadd(get(z), ld(at8(get(ALPHA), get(y))))),
  ]));
  code.push(...st(get(SCALE), orTiny(z)));
  code.push(...forUp(y, i32(0), get(L), st(at8(get(ALPHA), get(y)), fdiv(ld(at8(get(ALPHA), get(y))), ld(get(SCALE))))));
  // forward: row t from row t − 1 (ap: its first byte in alpha; ar, pr: row t's in alpha and psi)
  const forward: Code = [
    ...set(ap, iadd(get(ALPHA), imul(isub(get(t), i32(1)), get(rowBytes)))),
    ...set(ar, iadd(get(ap), get(rowBytes))),
    ...set(pr, iadd(get(PSI), imul(get(t), get(rowBytes)))),
    ...set(aO, ld(get(ap))),
    ...set(sO, fmul(get(aO), get(OO))),
    ...set(total, f64(0)),
    ...forUp(k, i32(0), get(K), [
      ...set(xs, iadd(get(X), imul(get(k), i32(8 * CAT)))),
      ...set(ab, iadd(iadd(get(ap), i32(8)), ishl(get(k), i32(5)))),
      ...set(aL, ld(get(ab), 16)),
      ...set(aU, ld(get(ab), 24)),
      ...set(sO, fadd(get(sO), fadd(fmul(get(aL), x8(xs, LO)), fmul(get(aU), x8(xs, UO))))),
      ...set(x, fadd(fmul(get(aL), x8(xs, UL)), fmul(get(aU), x8(xs, UU_)))),
      ...st(pre(k), get(total)),
      ...st(own(k), get(x)),
      ...set(total, fadd(get(total), get(x))),
    ]),
    ...set(z, f64(0)),
    ...set(suffix, f64(0)),
    ...forDown(k, isub(get(K), i32(1)), i32(0), [
      ...set(others, fadd(ld(pre(k)), get(suffix))),
      ...set(suffix, fadd(get(suffix), ld(own(k)))),
      ...set(xs, iadd(get(X), imul(get(k), i32(8 * CAT)))),
      ...set(ab, iadd(iadd(get(ap), i32(8)), ishl(get(k), i32(5)))),
      ...set(aB, ld(get(ab), 0)),
      ...set(aI, ld(get(ab), 8)),
      ...set(aL, ld(get(ab), 16)),
      ...set(aU, ld(get(ab), 24)),
      // a: row t's byte of B-k in alpha (psi at the same offset from pr)
      ...set(a, iadd(i32(8), ishl(get(k), i32(5)))),
      ...set(vB, fmul(fadd(fadd(fadd(fmul(get(aO), x8(xs, OB)), fmul(get(aL), x8(xs, LB))), fmul(get(aU), x8(xs, UB))), fmul(x8(xs, VB), get(others))), ld(iadd(get(pr), get(a)), 0))),
      ...set(vI, fmul(fadd(fmul(get(aB), x8(xs, BI)), fmul(get(aI), x8(xs, II))), ld(iadd(get(pr), get(a)), 8))),
      ...set(vL, fmul(fadd(fmul(get(aB), x8(xs, BL)), fmul(get(aI), x8(xs, IL))), ld(iadd(get(pr), get(a)), 16))),
      ...set(vU, fmul(fadd(fadd(fadd(fmul(get(aO), x8(xs, OU)), fmul(get(aL), x8(xs, LU))), fmul(get(aU), x8(xs, UU))), fmul(x8(xs, VU), get(others))), ld(iadd(get(pr), get(a)), 24))),
      ...st(iadd(get(ar), get(a)), get(vB), 0),
      ...st(iadd(get(ar), get(a)), get(vI), 8),
      ...st(iadd(get(ar), get(a)), get(vL), 16),
      ...st(iadd(get(ar), get(a)), get(vU), 24),
      ...set(z, fadd(get(z), fadd(fadd(fadd(get(vB), get(vI)), get(vL)), get(vU)))),
    ]),
    ...set(x, fmul(get(sO), ld(get(pr)))),
    ...st(get(ar), get(x)),
    ...set(z, fadd(get(z), get(x))),
    // the corrected pairs: what their w adds to the factored sums
    ...forUp(j, i32(0), get(NP), [
      ...set(a, at8(get(ar), ldi(at4(get(PTO), get(j))))),
      ...set(x, fmul(fmul(ld(at8(get(ap), ldi(at4(get(PFROM), get(j))))), ld(at8(get(PEXTRA), get(j)))), ld(iadd(isub(get(a), get(ar)), get(pr))))),
      ...addTo(get(a), get(x)),
      ...set(z, fadd(get(z), get(x))),
    ]),
    ...set(x, orTiny(z)),
    ...st(at8(get(SCALE), get(t)), get(x)),
    ...set(inv, fdiv(f64(1), get(x))),
    ...forUp(y, i32(0), get(L), st(at8(get(ar), get(y)), fmul(ld(at8(get(ar), get(y))), get(inv)))),
  ];
  code.push(...forUp(t, i32(1), get(N), forward));
  // backward: the last row's beta is expEnd; row t from w = psi · beta / scale of row t + 1
  code.push(...set(ap, iadd(get(BETA), imul(isub(get(N), i32(1)), get(rowBytes)))));
  code.push(...forUp(y, i32(0), get(L), st(at8(get(ap), get(y)), ld(at8(get(END), get(y))))));
  const backward: Code = [
    // ap: row t + 1 in beta, ar: row t in beta, pr: row t + 1 in psi
    ...set(ar, iadd(get(BETA), imul(get(t), get(rowBytes)))),
    ...set(ap, iadd(get(ar), get(rowBytes))),
    ...set(pr, iadd(get(PSI), imul(iadd(get(t), i32(1)), get(rowBytes)))),
    ...set(inv, fdiv(f64(1), ld(at8(get(SCALE), iadd(get(t), i32(1)))))),
    ...forUp(y, i32(0), get(L), st(at8(get(W), get(y)), fmul(fmul(ld(at8(get(pr), get(y))), ld(at8(get(ap), get(y)))), get(inv)))),
    ...set(wO, ld(get(W))),
    ...set(bO, fmul(get(OO), get(wO))),
    ...set(total, f64(0)),
    ...forUp(k, i32(0), get(K), [
      ...set(xs, iadd(get(X), imul(get(k), i32(8 * CAT)))),
      ...set(ab, iadd(iadd(get(W), i32(8)), ishl(get(k), i32(5)))),
      ...set(wB, ld(get(ab), 0)),
      ...set(wU, ld(get(ab), 24)),
      ...set(bO, fadd(get(bO), fadd(fmul(x8(xs, OB), get(wB)), fmul(x8(xs, OU), get(wU))))),
      ...set(x, fadd(fmul(x8(xs, VB), get(wB)), fmul(x8(xs, VU), get(wU)))),
      ...st(pre(k), get(total)),
      ...st(own(k), get(x)),
      ...set(total, fadd(get(total), get(x))),
    ]),
    ...st(get(ar), get(bO)),
    ...set(suffix, f64(0)),
    ...forDown(k, isub(get(K), i32(1)), i32(0), [
      ...set(others, fadd(ld(pre(k)), get(suffix))),
      ...set(suffix, fadd(get(suffix), ld(own(k)))),
      ...set(xs, iadd(get(X), imul(get(k), i32(8 * CAT)))),
      ...set(a, iadd(i32(8), ishl(get(k), i32(5)))),
      ...set(wB, ld(iadd(get(W), get(a)), 0)),
      ...set(wI, ld(iadd(get(W), get(a)), 8)),
      ...set(wL, ld(iadd(get(W), get(a)), 16)),
      ...set(wU, ld(iadd(get(W), get(a)), 24)),
      ...st(iadd(get(ar), get(a)), fadd(fmul(x8(xs, BI), get(wI)), fmul(x8(xs, BL), get(wL))), 0),
      ...st(iadd(get(ar), get(a)), fadd(fmul(x8(xs, II), get(wI)), fmul(x8(xs, IL), get(wL))), 8),
      ...st(iadd(get(ar), get(a)), fadd(fadd(fadd(fmul(x8(xs, LO), get(wO)), fmul(x8(xs, LB), get(wB))), fmul(x8(xs, LU), get(wU))), fmul(x8(xs, UL), get(others))), 16),
      ...st(iadd(get(ar), get(a)), fadd(fadd(fadd(fmul(x8(xs, UO), get(wO)), fmul(x8(xs, UB), get(wB))), fmul(x8(xs, UU), get(wU))), fmul(x8(xs, UU_), get(others))), 24),
    ]),
    ...forUp(j, i32(0), get(NP), [
      ...set(a, at8(get(ar), ldi(at4(get(PFROM), get(j))))),
      ...addTo(get(a), fmul(ld(at8(get(PEXTRA), get(j))), ld(at8(get(W), ldi(at4(get(PTO), get(j))))))),
    ]),
  ];
  code.push(...forDown(t, isub(get(N), i32(2)), i32(0), backward));
  // K = Σ alpha · beta over the last row
  code.push(...set(ap, imul(isub(get(N), i32(1)), get(rowBytes))), ...set(z, f64(0)));
  code.push(...forUp(y, i32(0), get(L), set(z, fadd(get(z), fmul(ld(at8(iadd(get(ALPHA), get(ap)), get(y))), ld(at8(iadd(get(BETA), get(ap)), get(y))))))));
  code.push(...orTiny(z));
  return { fn, code };
}

/**
 * expectations(n, L, psi, alpha, beta, scale, Kz, X, expOO, np, pFrom, pTo, pExtra, pExpUV, w, pre, own, preY, gT,
 * gu, gv, gw): Lattice.transitionExpectations after forwardBackward, for the same factored BILOU chain: expected
 * counts added to gT (L·L), gu, gv (L) and gw (the pairs). preY: twice the category count.
 */
function expectations(): { fn: Fn; code: Code } {
  const fn = new Fn([I32, I32, I32, I32, I32, I32, F64, I32, F64, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const N = 0, L = 1, PSI = 2, ALPHA = 3, BETA = 4, SCALE = 5, KZ = 6, X = 7, OO = 8, NP = 9, PFROM = 10, PTO = 11, PEXTRA = 12, PEXPUV = 13, W = 14, PRE = 15, OWN = 16, PREY = 17, GT = 18, GU = 19, GV = 20, GW = 21;
  const t = fn.i32(), y = fn.i32(), k = fn.i32(), j = fn.i32(), K = fn.i32(), rowBytes = fn.i32(), ap = fn.i32(), o = fn.i32(), xs = fn.i32(), a = fn.i32();
  const B = fn.i32(), I = fn.i32(), Lk = fn.i32(), U = fn.i32(), pa = fn.i32(), pb = fn.i32();
  const inv = fn.f64(), aO = fn.f64(), wO = fn.f64(), totalX = fn.f64(), totalY = fn.f64(), x = fn.f64(), v = fn.f64(), sufX = fn.f64(), sufY = fn.f64();
  const othersX = fn.f64(), othersY = fn.f64(), aB = fn.f64(), aI = fn.f64(), aL = fn.f64(), aU = fn.f64(), wB = fn.f64(), wI = fn.f64(), wL = fn.f64(), wU = fn.f64(), extra = fn.f64();
  const g = (base: number, i: Code) => at8(get(base), i);
  const gT = (from: number, to: number | Code) => g(GT, iadd(imul(get(from), get(L)), typeof to === 'number' ? get(to) : to));
  const perRow: Code = [
    ...set(ap, iadd(get(ALPHA), imul(isub(get(t), i32(1)), get(rowBytes)))),
    ...set(o, imul(get(t), get(rowBytes))),
    ...set(inv, fdiv(f64(1), fmul(ld(at8(get(SCALE), get(t))), get(KZ)))),
    ...forUp(y, i32(0), get(L), st(at8(get(W), get(y)), fmul(fmul(ld(at8(iadd(get(PSI), get(o)), get(y))), ld(at8(iadd(get(BETA), get(o)), get(y)))), get(inv)))),
    // expectationsBilou
    ...set(aO, ld(get(ap))),
    ...set(wO, ld(get(W))),
    ...addTo(get(GT), fmul(fmul(get(aO), get(OO)), get(wO))),
    ...set(totalX, f64(0)),
    ...set(totalY, f64(0)),
    ...forUp(k, i32(0), get(K), [
      ...set(xs, iadd(get(X), imul(get(k), i32(8 * CAT)))),
      ...set(a, iadd(i32(8), ishl(get(k), i32(5)))),
      ...set(x, fadd(fmul(ld(iadd(get(ap), get(a)), 16), x8(xs, UL)), fmul(ld(iadd(get(ap), get(a)), 24), x8(xs, UU_)))),
      ...st(at8(get(PRE), get(k)), get(totalX)),
      ...st(at8(get(OWN), get(k)), get(x)),
      ...set(totalX, fadd(get(totalX), get(x))),
      ...set(v, fadd(fmul(x8(xs, VB), ld(iadd(get(W), get(a)), 0)), fmul(x8(xs, VU), ld(iadd(get(W), get(a)), 24)))),
      ...st(at8(get(PREY), ishl(get(k), i32(1))), get(totalY)),
      ...st(at8(get(PREY), ishl(get(k), i32(1))), get(v), 8),
      ...set(totalY, fadd(get(totalY), get(v))),
    ]),
    ...set(sufX, f64(0)),
    ...set(sufY, f64(0)),
    ...forDown(k, isub(get(K), i32(1)), i32(0), [
      ...set(othersX, fadd(ld(at8(get(PRE), get(k))), get(sufX))),
      ...set(sufX, fadd(get(sufX), ld(at8(get(OWN), get(k))))),
      ...set(othersY, fadd(ld(at8(get(PREY), ishl(get(k), i32(1)))), get(sufY))),
      ...set(sufY, fadd(get(sufY), ld(at8(get(PREY), ishl(get(k), i32(1))), 8))),
      ...set(xs, iadd(get(X), imul(get(k), i32(8 * CAT)))),
      ...set(B, iadd(i32(1), ishl(get(k), i32(2)))),
      ...set(I, iadd(get(B), i32(1))),
      ...set(Lk, iadd(get(B), i32(2))),
      ...set(U, iadd(get(B), i32(3))),
      ...set(aB, ld(at8(get(ap), get(B)))),
      ...set(aI, ld(at8(get(ap), get(I)))),
      ...set(aL, ld(at8(get(ap), get(Lk)))),
      ...set(aU, ld(at8(get(ap), get(U)))),
      ...set(wB, ld(at8(get(W), get(B)))),
      ...set(wI, ld(at8(get(W), get(I)))),
      ...set(wL, ld(at8(get(W), get(Lk)))),
      ...set(wU, ld(at8(get(W), get(U)))),
      ...addTo(g(GT, get(B)), fmul(fmul(get(aO), x8(xs, OB)), get(wB))),
      ...addTo(g(GT, get(U)), fmul(fmul(get(aO), x8(xs, OU)), get(wU))),
      ...addTo(g(GT, imul(get(Lk), get(L))), fmul(fmul(get(aL), x8(xs, LO)), get(wO))),
      ...addTo(g(GT, imul(get(U), get(L))), fmul(fmul(get(aU), x8(xs, UO)), get(wO))),
      ...addTo(gT(Lk, B), fmul(fmul(get(aL), x8(xs, LB)), get(wB))),
      ...addTo(gT(Lk, U), fmul(fmul(get(aL), x8(xs, LU)), get(wU))),
      ...addTo(gT(U, B), fmul(fmul(get(aU), x8(xs, UB)), get(wB))),
      ...addTo(gT(U, U), fmul(fmul(get(aU), x8(xs, UU)), get(wU))),
      ...addTo(gT(B, I), fmul(fmul(get(aB), x8(xs, BI)), get(wI))),
      ...addTo(gT(B, Lk), fmul(fmul(get(aB), x8(xs, BL)), get(wL))),
      ...addTo(gT(I, I), fmul(fmul(get(aI), x8(xs, II)), get(wI))),
      ...addTo(gT(I, Lk), fmul(fmul(get(aI), x8(xs, IL)), get(wL))),
      ...addTo(g(GU, get(Lk)), fmul(fmul(get(aL), x8(xs, UL)), get(othersY))),
      ...addTo(g(GU, get(U)), fmul(fmul(get(aU), x8(xs, UU_)), get(othersY))),
      ...addTo(g(GV, get(B)), fmul(fmul(x8(xs, VB), get(wB)), get(othersX))),
      ...addTo(g(GV, get(U)), fmul(fmul(x8(xs, VU), get(wU)), get(othersX))),
    ]),
    // expectationsPairs
    ...forUp(j, i32(0), get(NP), [
      ...set(pa, ldi(at4(get(PFROM), get(j)))),
      ...set(pb, ldi(at4(get(PTO), get(j)))),
      ...set(x, fmul(ld(at8(get(ap), get(pa))), ld(at8(get(W), get(pb))))),
      ...set(extra, fmul(get(x), ld(at8(get(PEXTRA), get(j))))),
      ...addTo(g(GU, get(pa)), get(extra)),
      ...addTo(g(GV, get(pb)), get(extra)),
      ...addTo(g(GW, get(j)), fadd(fmul(get(x), ld(at8(get(PEXPUV), get(j)))), get(extra))),
    ]),
  ];
  const code = [...set(K, ishrS(isub(get(L), i32(1)), i32(2))), ...set(rowBytes, ishl(get(L), i32(3))), ...forUp(t, i32(1), get(N), perRow)];
  return { fn, code };
}

/**
 * rowSums64(ids, offs, n, M, L, E): E[t·L + y] = 0 + M[ids[k0]·L + y] + M[ids[k0 + 1]·L + y] + … (float64, left to
 * right over k in offs[t]..offs[t + 1]) for t < n, y < L: addRows' sums (crf.ts) for a sequence, of float32 weights
 * M (rows of L). ids, offs: int32.
 */
function rowSums64(): { fn: Fn; code: Code } {
  const fn = new Fn([I32, I32, I32, I32, I32, I32]);
  const IDS = 0, OFFS = 1, N = 2, M = 3, L = 4, E = 5;
  const t = fn.i32(), y = fn.i32(), k = fn.i32(), k1 = fn.i32(), base = fn.i32();
  const acc = fn.f64();
  const perLabel = [
    ...set(acc, f64(0)),
    ...forUp(k, ldi(at4(get(OFFS), get(t))), get(k1), set(acc, fadd(get(acc), ld32(at4(get(M), iadd(imul(ldi(at4(get(IDS), get(k))), get(L)), get(y))))))),
    ...st(at8(get(E), iadd(get(base), get(y))), get(acc)),
  ];
  const perToken = [...set(k1, ldi(at4(get(OFFS), get(t)), 4)), ...set(base, imul(get(t), get(L))), ...forUp(y, i32(0), get(L), perLabel)];
  return { fn, code: forUp(t, i32(0), get(N), perToken) };
}

/**
 * finishBase(W, UW, stride, L, N, step, out): out[f·L + y] = W[f·stride + y] − UW[f·stride + y] / step (W alone when
 * UW is −1) for f < N, y < L; W, UW float32, stride in floats. The first part of crf.ts's finishRows.
 */
function finishBase(): { fn: Fn; code: Code } {
  const fn = new Fn([I32, I32, I32, I32, I32, F64, I32]);
  const W = 0, UW = 1, STRIDE = 2, L = 3, N = 4, STEP = 5, OUT = 6;
  const f = fn.i32(), y = fn.i32(), r = fn.i32(), o = fn.i32();
  const w = ld32(at4(get(W), iadd(get(r), get(y))));
  const perLabel = st(at8(get(OUT), iadd(get(o), get(y))), [
    ...absent(UW), 0x04, F64, ...w, 0x05, ...fsub(w, fdiv(ld32(at4(get(UW), iadd(get(r), get(y)))), get(STEP))), 0x0b,
  ]);
  return { fn, code: forUp(f, i32(0), get(N), [...set(r, imul(get(f), get(STRIDE))), ...set(o, imul(get(f), get(L))), ...forUp(y, i32(0), get(L), perLabel)]) };
}

/**
 * finishGroup(G, GU, stride, of, L, N, step, out): out[f·L + y] += G[f·stride + of[y]] − GU[…] / step (G alone when GU
 * is −1): a group's share folded in, as finishRows does it.
 */
function finishGroup(): { fn: Fn; code: Code } {
  const fn = new Fn([I32, I32, I32, I32, I32, I32, F64, I32]);
  const G = 0, GU = 1, STRIDE = 2, OF = 3, L = 4, N = 5, STEP = 6, OUT = 7;
  const f = fn.i32(), y = fn.i32(), c = fn.i32(), o = fn.i32();
  const g = ld32(at4(get(G), get(c)));
  const share = [...absent(GU), 0x04, F64, ...g, 0x05, ...fsub(g, fdiv(ld32(at4(get(GU), get(c))), get(STEP))), 0x0b];
  const perLabel = [...set(c, iadd(imul(get(f), get(STRIDE)), ldi(at4(get(OF), get(y))))), ...addTo(at8(get(OUT), iadd(get(o), get(y))), share)];
  return { fn, code: forUp(f, i32(0), get(N), [...set(o, imul(get(f), get(L))), ...forUp(y, i32(0), get(L), perLabel)]) };
}

/**
 * round16(values, N, L, bits, norms): float16.ts's roundRowsToFloat16 for N rows of L: each value replaced by the
 * float16 nearest it (through float32, ties to even), its bits stored (uint16), each row's L1 norm of the rounded values.
 */
function round16(): { fn: Fn; code: Code } {
  const fn = new Fn([I32, I32, I32, I32, I32]);
  const VALUES = 0, N = 1, L = 2, BITS = 3, NORMS = 4;
  const r = fn.i32(), i = fn.i32(), end = fn.i32(), x = fn.i32(), sign = fn.i32(), ex = fn.i32(), mant = fn.i32(), e = fn.i32(), shift = fn.i32(), half = fn.i32(), rem = fn.i32(), mid = fn.i32(), h = fn.i32();
  const s = fn.f64(), v = fn.f64();
  const roundUp = (tie: Code) => ifThen(ior(igtS(get(rem), tie), iand(ieq(get(rem), tie), iand(get(half), i32(1)))), set(half, iadd(get(half), i32(1))));
  const toHalf = [
    ...set(x, f32BitsOf(ld(at8(get(VALUES), get(i))))),
    ...set(sign, iand(ishrU(get(x), i32(16)), i32(0x8000))),
    ...set(ex, iand(ishrU(get(x), i32(23)), i32(0xff))),
    ...set(mant, iand(get(x), i32(0x7fffff))),
    ...ifElse(ieq(get(ex), i32(0xff)), set(h, ior(ior(get(sign), i32(0x7c00)), select(i32(0x200), i32(0), ine(get(mant), i32(0))))), [
      ...set(e, isub(get(ex), i32(112))),
      ...ifElse(igeS(get(e), i32(0x1f)), set(h, ior(get(sign), i32(0x7c00))), ifElse(ileS(get(e), i32(0)),
        ifElse(iltS(get(e), i32(-10)), set(h, get(sign)), [
          ...set(mant, ior(get(mant), i32(0x800000))),
          ...set(shift, isub(i32(14), get(e))),
          ...set(half, ishrU(get(mant), get(shift))),
          ...set(rem, iand(get(mant), isub(ishl(i32(1), get(shift)), i32(1)))),
          ...set(mid, ishl(i32(1), isub(get(shift), i32(1)))),
          ...roundUp(get(mid)),
          ...set(h, ior(get(sign), get(half))),
        ]), [
        ...set(half, ior(ishl(get(e), i32(10)), ishrU(get(mant), i32(13)))),
        ...set(rem, iand(get(mant), i32(0x1fff))),
        ...roundUp(i32(0x1000)),
        ...set(h, ior(get(sign), get(half))),
      ])),
    ]),
  ];
  // back to a number: normal values through their float32 bits; ±0; subnormals, ±Infinity and NaN as fromFloat16Bits
  const m = iand(get(h), i32(0x3ff));
  const signed = (a: Code) => select(fmul(f64(-1), a), fmul(f64(1), a), ine(iand(get(h), i32(0x8000)), i32(0)));
  const fromHalf = [
    ...set(e, iand(ishrU(get(h), i32(10)), i32(0x1f))),
    ...ifElse(iand(ine(get(e), i32(0)), ine(get(e), i32(0x1f))),
      set(v, f64OfF32Bits(ior(ior(ishl(iand(get(h), i32(0x8000)), i32(16)), ishl(iadd(get(e), i32(112)), i32(23))), ishl(m, i32(13))))),
      ifElse(ieq(iand(get(h), i32(0x7fff)), i32(0)), set(v, select(f64(-0), f64(0), ine(iand(get(h), i32(0x8000)), i32(0)))),
        ifElse(ieq(get(e), i32(0)), set(v, fmul(signed(fromI32(m)), f64(2 ** -24))),
          set(v, select(f64(NaN), signed(f64(Infinity)), ine(m, i32(0))))))),
  ];
  const perValue = [...toHalf, ...st16(iadd(get(BITS), ishl(get(i), i32(1))), get(h)), ...fromHalf, ...st(at8(get(VALUES), get(i)), get(v)), ...set(s, fadd(get(s), fabs(get(v))))];
  const perRow = [
    ...set(s, f64(0)),
    ...set(end, imul(iadd(get(r), i32(1)), get(L))),
    ...forUp(i, imul(get(r), get(L)), get(end), perValue),
    ...st(at8(get(NORMS), get(r)), get(s)),
  ];
  return { fn, code: forUp(r, i32(0), get(N), perRow) };
}

/**
 * adagrad(ids, k0, k1, rowBytes, cols, grads, count, W, G, U, rates; eta, l2, step): simd.ts's adagrad kernel (the
 * AdaGrad steps of rows ids[k0..k1) in the listed columns, float64 arithmetic on float32 tables), for the update
 * kernels below to call.
 */
function adagrad(): { fn: Fn; code: Code } {
  const fn = new Fn([I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, F64, F64, F64]);
  const IDS = 0, K0 = 1, K1 = 2, ROW = 3, COLS = 4, GRADS = 5, COUNT = 6, W = 7, G = 8, U = 9, RATES = 10, ETA = 11, L2 = 12, STEP = 13;
  const k = fn.i32(), id = fn.i32(), r = fn.i32(), j = fn.i32(), w = fn.i32();
  const rate = fn.f64(), gg = fn.f64(), g2 = fn.f64(), d = fn.f64();
  const at = (base: number) => iadd(get(base), get(w));
  const perWeight = [
    ...set(w, iadd(get(r), ishl(ldi(at4(get(COLS), get(j))), i32(2)))),
    ...set(gg, fadd(ld(at8(get(GRADS), get(j))), fmul(get(L2), ld32(at(W))))),
    ...set(g2, fadd(ld32(at(G)), fmul(get(gg), get(gg)))),
    ...st32(at(G), get(g2)),
    ...set(d, fdiv(fmul(get(rate), get(gg)), fadd(fsqrt(get(g2)), f64(1e-8)))),
    ...st32(at(W), fsub(ld32(at(W)), get(d))),
    ...ifThen(present(U), st32(at(U), fsub(ld32(at(U)), fmul(get(STEP), get(d))))),
  ];
  const perRow = [
    ...set(id, ldi(at4(get(IDS), get(k)))),
    ...set(r, imul(get(id), get(ROW))),
    ...set(rate, [...absent(RATES), 0x04, F64, ...get(ETA), 0x05, ...fmul(get(ETA), ld32(at4(get(RATES), get(id)))), 0x0b]),
    ...forUp(j, i32(0), get(COUNT), perWeight),
  ];
  return { fn, code: forUp(k, get(K0), get(K1), perRow) };
}

/**
 * gradients(n, L, alpha, beta, Kz, tags, gy): gy[t·L + y] = alpha·beta / Kz − (1 at the gold tag): the emission
 * gradient of each token (tags: int32).
 */
function gradients(): { fn: Fn; code: Code } {
  const fn = new Fn([I32, I32, I32, I32, F64, I32, I32]);
  const N = 0, L = 1, ALPHA = 2, BETA = 3, KZ = 4, TAGS = 5, GY = 6;
  const t = fn.i32(), y = fn.i32(), o = fn.i32(), g0 = fn.i32();
  const perLabel = st(at8(get(GY), iadd(get(o), get(y))), fsub(fdiv(fmul(ld(at8(get(ALPHA), iadd(get(o), get(y)))), ld(at8(get(BETA), iadd(get(o), get(y))))), get(KZ)), select(f64(1), f64(0), ieq(get(y), get(g0)))));
  return { fn, code: forUp(t, i32(0), get(N), [...set(o, imul(get(t), get(L))), ...set(g0, ldi(at4(get(TAGS), get(t)))), ...forUp(y, i32(0), get(L), perLabel)]) };
}

/** JavaScript's `g > −gmin && g < gmin`: a gradient too small to update with. */
const small = (g: number, gmin: number): Code => iand(fgt(get(g), fsub(f64(0), get(gmin))), flt(get(g), get(gmin)));

/**
 * labelUpdates(n, L, gy, gmin, ids, offs, rowBytes, W, G, U, rates, act, actG; eta, l2, step): for each token, its
 * labels whose gradient is not small listed (act: int32, actG) and adagrad on its feature rows for them.
 */
function labelUpdates(adagradIndex: number): { fn: Fn; code: Code } {
  const fn = new Fn([I32, I32, I32, F64, I32, I32, I32, I32, I32, I32, I32, I32, I32, F64, F64, F64]);
  const N = 0, L = 1, GY = 2, GMIN = 3, IDS = 4, OFFS = 5, ROW = 6, W = 7, G = 8, U = 9, RATES = 10, ACT = 11, ACTG = 12, ETA = 13, L2 = 14, STEP = 15;
  const t = fn.i32(), y = fn.i32(), na = fn.i32(), o = fn.i32();
  const g = fn.f64();
  const perLabel = [
    ...set(g, ld(at8(get(GY), iadd(get(o), get(y))))),
    ...ifThen([...small(g, GMIN), 0x45], [
      ...[...at4(get(ACT), get(na)), ...get(y), 0x36, 2, 0],
      ...st(at8(get(ACTG), get(na)), get(g)),
      ...set(na, iadd(get(na), i32(1))),
    ]),
  ];
  const perToken = [
    ...set(o, imul(get(t), get(L))),
    ...set(na, i32(0)),
    ...forUp(y, i32(0), get(L), perLabel),
    ...ifThen(igtS(get(na), i32(0)), call(adagradIndex, get(IDS), ldi(at4(get(OFFS), get(t))), ldi(at4(get(OFFS), get(t)), 4), get(ROW), get(ACT), get(ACTG), get(na), get(W), get(G), get(U), get(RATES), get(ETA), get(L2), get(STEP))),
  ];
  return { fn, code: forUp(t, i32(0), get(N), perToken) };
}

/**
 * groupUpdates(n, L, gy, gmin, of, size, grad, ids, offs, rowBytes, W, G, U, rates, act, actG; eta, l2, step): for each
 * token, a group's column gradients (grad[of[y]] += gy[y], in label order), its columns whose gradient is not small,
 * and adagrad on its feature rows of the group's table for them.
 */
function groupUpdates(adagradIndex: number): { fn: Fn; code: Code } {
  const fn = new Fn([I32, I32, I32, F64, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, F64, F64, F64]);
  const N = 0, L = 1, GY = 2, GMIN = 3, OF = 4, SIZE = 5, GRAD = 6, IDS = 7, OFFS = 8, ROW = 9, W = 10, G = 11, U = 12, RATES = 13, ACT = 14, ACTG = 15, ETA = 16, L2 = 17, STEP = 18;
  const t = fn.i32(), y = fn.i32(), c = fn.i32(), nc = fn.i32(), o = fn.i32();
  const g = fn.f64();
  const perColumn = [
    ...set(g, ld(at8(get(GRAD), get(c)))),
    ...ifThen([...small(g, GMIN), 0x45], [
      ...[...at4(get(ACT), get(nc)), ...get(c), 0x36, 2, 0],
      ...st(at8(get(ACTG), get(nc)), get(g)),
      ...set(nc, iadd(get(nc), i32(1))),
    ]),
  ];
  const perToken = [
    ...set(o, imul(get(t), get(L))),
    ...forUp(c, i32(0), get(SIZE), st(at8(get(GRAD), get(c)), f64(0))),
    ...forUp(y, i32(0), get(L), addTo(at8(get(GRAD), ldi(at4(get(OF), get(y)))), ld(at8(get(GY), iadd(get(o), get(y)))))),
    ...set(nc, i32(0)),
    ...forUp(c, i32(0), get(SIZE), perColumn),
    ...ifThen(igtS(get(nc), i32(0)), call(adagradIndex, get(IDS), ldi(at4(get(OFFS), get(t))), ldi(at4(get(OFFS), get(t)), 4), get(ROW), get(ACT), get(ACTG), get(nc), get(W), get(G), get(U), get(RATES), get(ETA), get(L2), get(STEP))),
  ];
  return { fn, code: forUp(t, i32(0), get(N), perToken) };
}

/** scalar(x, G, U, i; g, eta, step): crf.ts's adagradScalar on float64 arrays: G[i] += g², x[i] −= d, U[i] −= step·d. */
function scalar(): { fn: Fn; code: Code } {
  const fn = new Fn([I32, I32, I32, I32, F64, F64, F64]);
  const X = 0, G = 1, U = 2, I = 3, GRAD = 4, ETA = 5, STEP = 6;
  const d = fn.f64();
  const at = (base: number) => at8(get(base), get(I));
  return {
    fn,
    code: [
      ...addTo(at(G), fmul(get(GRAD), get(GRAD))),
      ...set(d, fdiv(fmul(get(ETA), get(GRAD)), fadd(fsqrt(ld(at(G))), f64(1e-8)))),
      ...st(at(X), fsub(ld(at(X)), get(d))),
      ...st(at(U), fsub(ld(at(U)), fmul(get(STEP), get(d)))),
    ],
  };
}

/**
 * transitionUpdates(L, nAllowed, allowed, trans, GT, UT, gT, start, GS, US, gS, end, GE, UE, gE, nCross, crossList, u,
 * Gu, Uu, gu, v, Gv, Uv, gv, np, pFrom, pTo, w, Gw, Uw, gw; eta, step): the trainer's updateTransitions, updateCross
 * (u < 0: no cross factors) with materializeCross over the listed cross pairs (a, b flat, int32), and updateStartEnd,
 * in that order: AdaGrad (scalar) on every score whose gradient is not 0, the corrected pairs kept ≥ 0.
 */
function transitionUpdates(scalarIndex: number): { fn: Fn; code: Code } {
  const fn = new Fn([...new Array<number>(32).fill(I32), F64, F64]);
  const L = 0, NALLOWED = 1, ALLOWED = 2, TRANS = 3, GT = 4, UT = 5, GTRAD = 6, START = 7, GS = 8, US = 9, GSTART = 10, END = 11, GE = 12, UE = 13, GEND = 14;
  const NCROSS = 15, LIST = 16, U = 17, GU = 18, UU = 19, GUGRAD = 20, V = 21, GV = 22, UV = 23, GVGRAD = 24, NP = 25, PFROM = 26, PTO = 27, W = 28, GW = 29, UW = 30, GWGRAD = 31;
  const ETA = 32, STEP = 33;
  const j = fn.i32(), i = fn.i32(), a = fn.i32(), b = fn.i32();
  const g = fn.f64(), x = fn.f64();
  const update = (x_: number, G: number, U_: number, idx: number) => call(scalarIndex, get(x_), get(G), get(U_), get(idx), get(g), get(ETA), get(STEP));
  const nonZero = (grad: number, idx: number): Code => [...set(g, ld(at8(get(grad), get(idx)))), ...fne(get(g), f64(0))];
  const code: Code = [
    ...forUp(j, i32(0), get(NALLOWED), [
      ...set(i, ldi(at4(get(ALLOWED), get(j)))),
      ...ifThen([...fle(ld(at8(get(TRANS), get(i))), f64(DISALLOWED_SCORE)), 0x45], ifThen(nonZero(GTRAD, i), update(TRANS, GT, UT, i))),
    ]),
    ...ifThen(present(U), [
      ...forUp(i, i32(0), get(L), [...ifThen(nonZero(GUGRAD, i), update(U, GU, UU, i)), ...ifThen(nonZero(GVGRAD, i), update(V, GV, UV, i))]),
      ...forUp(j, i32(0), get(NP), ifThen(nonZero(GWGRAD, j), [
        ...update(W, GW, UW, j),
        ...set(x, ld(at8(get(W), get(j)))),
        ...ifThen(flt(get(x), f64(0)), [...st(at8(get(UW), get(j)), fsub(ld(at8(get(UW), get(j))), fmul(get(STEP), get(x)))), ...st(at8(get(W), get(j)), f64(0))]),
      ])),
      ...forUp(j, i32(0), get(NCROSS), [
        ...set(a, ldi(at4(get(LIST), ishl(get(j), i32(1))))),
        ...set(b, ldi(at4(get(LIST), ishl(get(j), i32(1))), 4)),
        ...st(at8(get(TRANS), iadd(imul(get(a), get(L)), get(b))), fadd(ld(at8(get(U), get(a))), ld(at8(get(V), get(b))))),
      ]),
      ...forUp(j, i32(0), get(NP), addTo(at8(get(TRANS), iadd(imul(ldi(at4(get(PFROM), get(j))), get(L)), ldi(at4(get(PTO), get(j))))), ld(at8(get(W), get(j))))),
    ]),
    ...forUp(i, i32(0), get(L), [
      ...ifThen(fgt(ld(at8(get(START), get(i))), f64(DISALLOWED_SCORE)), ifThen(nonZero(GSTART, i), update(START, GS, US, i))),
      ...ifThen(fgt(ld(at8(get(END), get(i))), f64(DISALLOWED_SCORE)), ifThen(nonZero(GEND, i), update(END, GE, UE, i))),
    ]),
  ];
  return { fn, code };
}

/** crf.ts's DISALLOWED (a transition the tag scheme does not allow). */
const DISALLOWED_SCORE = -1e4;

/** The module's bytes: imports memory "m"."memory", exports psiRows, forwardBackward, expectations and rowSums64. */
export function latticeModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes(
    [psiRows(), forwardBackward(), expectations(), rowSums64(), finishBase(), finishGroup(), round16(), adagrad(), gradients(), labelUpdates(7), groupUpdates(7), scalar(), transitionUpdates(11)],
    ['psiRows', 'forwardBackward', 'expectations', 'rowSums64', 'finishBase', 'finishGroup', 'round16', 'adagrad', 'gradients', 'labelUpdates', 'groupUpdates', 'scalar', 'transitionUpdates'],
  );
}

/** The lattice kernels (see the functions above for their arguments). */
export interface LatticeKernels {
  psiRows(E: number, psi: number, rowMax: number, n: number, L: number, frac: number, pow2: number, invStep: number, hi: number, lo: number): void;
  forwardBackward(
    n: number, L: number, psi: number, alpha: number, beta: number, scale: number, expStart: number, expEnd: number, X: number, expOO: number,
    np: number, pFrom: number, pTo: number, pExtra: number, w: number, pre: number, own: number,
  ): number;
  expectations(
    n: number, L: number, psi: number, alpha: number, beta: number, scale: number, Kz: number, X: number, expOO: number, np: number,
    pFrom: number, pTo: number, pExtra: number, pExpUV: number, w: number, pre: number, own: number, preY: number, gT: number, gu: number, gv: number, gw: number,
  ): void;
  /** M: float32. */
  rowSums64(ids: number, offs: number, n: number, M: number, L: number, E: number): void;
  finishBase(W: number, UW: number, stride: number, L: number, N: number, step: number, out: number): void;
  finishGroup(G: number, GU: number, stride: number, of: number, L: number, N: number, step: number, out: number): void;
  round16(values: number, N: number, L: number, bits: number, norms: number): void;
  adagrad(ids: number, k0: number, k1: number, rowBytes: number, cols: number, grads: number, count: number, W: number, G: number, U: number, rates: number, eta: number, l2: number, step: number): void;
  gradients(n: number, L: number, alpha: number, beta: number, Kz: number, tags: number, gy: number): void;
  labelUpdates(
    n: number, L: number, gy: number, gmin: number, ids: number, offs: number, rowBytes: number, W: number, G: number, U: number, rates: number, act: number, actG: number,
    eta: number, l2: number, step: number,
  ): void;
  groupUpdates(
    n: number, L: number, gy: number, gmin: number, of: number, size: number, grad: number, ids: number, offs: number, rowBytes: number, W: number, G: number, U: number,
    rates: number, act: number, actG: number, eta: number, l2: number, step: number,
  ): void;
  scalar(x: number, G: number, U: number, i: number, g: number, eta: number, step: number): void;
  transitionUpdates(
    L: number, nAllowed: number, allowed: number, trans: number, GT: number, UT: number, gT: number, start: number, GS: number, US: number, gS: number,
    end: number, GE: number, UE: number, gE: number, nCross: number, crossList: number, u: number, Gu: number, Uu: number, gu: number, v: number,
    Gv: number, Uv: number, gv: number, np: number, pFrom: number, pTo: number, w: number, Gw: number, Uw: number, gw: number, eta: number, step: number,
  ): void;
}

let compiled: WebAssembly.Module | undefined;

/** The lattice kernels over `memory` (the module's stored bytes, wasm-modules.ts, are compiled once per process). */
export function latticeKernels(memory: WebAssembly.Memory): LatticeKernels {
  compiled ??= new WebAssembly.Module(Buffer.from(LATTICE_MODULE, 'base64'));
  return new WebAssembly.Instance(compiled, { m: { memory } }).exports as unknown as LatticeKernels;
}
