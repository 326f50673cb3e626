// ONNX emission model: the file ORT runs gives the scores the weights define, and carries the CRF scores and metadata.

import { afterEach, describe, expect, it } from 'vitest';
import {
  buildEmissionModel,
  readOnnxMetadata,
  readOnnxModelInfo,
  type EmissionModelSpec,
} from '../../../lib/ner/onnx/export.js';
import { EmissionSession, matchingRows, referenceEmissions } from '../../../lib/ner/onnx/session.js';
import { fromFloat16Bits, toFloat16Bits } from '../../../lib/ner/onnx/float16.js';
import { ProtoDecodeError } from '../../../lib/ner/onnx/protobuf.js';
import { prng } from '../../../lib/ner/crf.js';


function randomSpec(seed: number, numBuckets: number, numLabels: number, extra: Partial<EmissionModelSpec> = {}): EmissionModelSpec {
  const rand = prng(seed);
  const weights = new Float32Array(numBuckets * numLabels);
  const fingerprints = new Int32Array(numBuckets);
  for (let b = 0; b < numBuckets; b++) {
    if (rand() < 0.2) continue; // empty bucket: fingerprint 0, zero row
    fingerprints[b] = (Math.floor(rand() * 2 ** 32) | 0) || 1;
    for (let l = 0; l < numLabels; l++) weights[b * numLabels + l] = (rand() - 0.5) * 4;
  }
  const scores = (k: number) => Float32Array.from({ length: k }, () => (rand() - 0.5) * 2);
  return {
    numBuckets,
    numLabels,
    weights,
    fingerprints,
    transitions: scores(numLabels * numLabels),
    start: scores(numLabels),
    end: scores(numLabels),
    metadata: { formatVersion: '1' },
    ...extra,
  };
}

interface Inputs {
  b1: Int32Array;
  b2: Int32Array;
  fp: Int32Array;
}

/** Slots mixing every case: hit in bucket1, hit in bucket2, fingerprint mismatch, bucket2 == bucket1, padding. */
function randomInputs(spec: EmissionModelSpec, n: number, f: number, seed: number): Inputs {
  const rand = prng(seed);
  const size = n * f;
  const b1 = new Int32Array(size);
  const b2 = new Int32Array(size);
  const fp = new Int32Array(size);
  const pick = () => Math.floor(rand() * spec.numBuckets);
  const stranger = () => (Math.floor(rand() * 2 ** 32) | 0) || 5;
  for (let i = 0; i < size; i++) {
    const kind = Math.floor(rand() * 5);
    if (kind === 4) continue; // padding: bucket 0, fingerprint 0
    b1[i] = pick();
    b2[i] = kind === 3 ? b1[i] : pick();
    if (kind === 0) fp[i] = spec.fingerprints[b1[i]] || stranger();
    else if (kind === 1) fp[i] = spec.fingerprints[b2[i]] || stranger();
    else if (kind === 2) fp[i] = stranger();
    else fp[i] = rand() < 0.5 ? spec.fingerprints[b1[i]] || stranger() : stranger();
  }
  return { b1, b2, fp };
}

function expectClose(actual: Float32Array, expected: Float32Array, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

const sessions: EmissionSession[] = [];
async function open(spec: EmissionModelSpec, lookup: 'graph' | 'host' = spec.lookup ?? 'graph'): Promise<EmissionSession> {
  const s = await EmissionSession.create(buildEmissionModel({ ...spec, lookup }));
  sessions.push(s);
  return s;
}
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.release();
});

describe.each(['graph', 'host'] as const)('emission model scores, %s lookup', (lookup) => {
  it('adds the rows whose stored fingerprint matches, once per bucket, in a hand-checked case', async () => {
    // 4 buckets, 2 labels. Bucket 3 is empty.
    const spec: EmissionModelSpec = {
      numBuckets: 4,
      numLabels: 2,
      weights: new Float32Array([1, 2, 10, 20, 100, 200, 0, 0]),
      fingerprints: new Int32Array([11, 22, 33, 0]),
      transitions: new Float32Array([0.1, 0.2, 0.3, 0.4]),
      start: new Float32Array([1, -1]),
      end: new Float32Array([-2, 2]),
      metadata: {},
    };
    const s = await open(spec, lookup);
    expect(s.lookup).toBe(lookup);
    // token 0: bucket1 hit (0) + bucket2 hit (2) → 101, 202
    // token 1: bucket2 == bucket1 == 1 and matches → counted once: 10, 20
    // token 2: fingerprint matches neither candidate (collision) → 0, 0; padding slot → 0
    // token 3: hit in bucket2 only (1); -22 mismatches bucket 0 → 10, 20
    const b1 = new Int32Array([0, 2, 1, 1, 0, 0, 0, 0]);
    const b2 = new Int32Array([2, 0, 1, 1, 1, 0, 1, 3]);
    const fp = new Int32Array([11, 33, 22, 0, 99, 0, 22, -22]);
    const out = await s.emissions(b1, b2, fp, 4, 2);
    expect(Array.from(out)).toEqual([101, 202, 10, 20, 0, 0, 10, 20]);
    expect(Array.from(referenceEmissions(spec, b1, b2, fp, 4, 2))).toEqual([101, 202, 10, 20, 0, 0, 10, 20]);
  });

  it('adds both rows when both candidates match, leaving tokens without a hit at zero', async () => {
    // Buckets 1 and 2 hold the same fingerprint (a collision); bucket 0 is full, so a stray 0 index would show.
    const spec: EmissionModelSpec = {
      numBuckets: 4,
      numLabels: 1,
      weights: new Float32Array([1000, 1, 10, 0]),
      fingerprints: new Int32Array([5, 7, 7, 0]),
      transitions: new Float32Array([0]),
      start: new Float32Array([0]),
      end: new Float32Array([0]),
      metadata: {},
    };
    const s = await open(spec, lookup);
    const b1 = new Int32Array([3, 1, 2, 1]);
    const b2 = new Int32Array([3, 2, 1, 1]);
    const fp = new Int32Array([9, 7, 7, 8]);
    expect(Array.from(await s.emissions(b1, b2, fp, 4, 1))).toEqual([0, 11, 11, 0]);
  });

  const variants: Array<Partial<EmissionModelSpec>> =
    lookup === 'graph'
      ? [
          { match: 'both', reduce: 'dense' },
          { match: 'both', reduce: 'sparse' },
          { match: 'first', reduce: 'dense' },
          { match: 'first', reduce: 'sparse' },
        ]
      : [{}];
  it.each(variants)('ORT equals the TypeScript reference within 1e-5 on random models (%o)', async (variant) => {
    for (const [seed, buckets, labels, n, f] of [
      [1, 256, 7, 50, 13],
      [2, 1024, 69, 20, 60],
      [3, 16, 1, 9, 4],
    ]) {
      const spec = randomSpec(seed, buckets, labels, variant);
      const s = await open(spec, lookup);
      const { b1, b2, fp } = randomInputs(spec, n, f, seed + 100);
      const out = await s.emissions(b1, b2, fp, n, f);
      const ref = referenceEmissions(spec, b1, b2, fp, n, f);
      expectClose(out, ref, 1e-5);
      // The inputs really exercise hits: most tokens get a non-zero score.
      expect(ref.filter((x) => x !== 0).length).toBeGreaterThan(ref.length / 2);
    }
  });

  it('gives all-zero scores when no fingerprint matches', async () => {
    const spec = randomSpec(4, 64, 3);
    const s = await open(spec, lookup);
    const { b1, b2 } = randomInputs(spec, 10, 5, 7);
    const fp = new Int32Array(50).fill(0x7ffffff3); // never stored by randomSpec's seed
    expect(spec.fingerprints.includes(0x7ffffff3)).toBe(false);
    expect(Array.from(await s.emissions(b1, b2, fp, 10, 5))).toEqual(new Array(30).fill(0));
  });

  it('handles N=0, N=1 and F=0, and reads only the first n*f slots of longer buffers', async () => {
    const spec = randomSpec(5, 128, 4, lookup === 'graph' ? { reduce: 'sparse' } : {});
    const s = await open(spec, lookup);
    expect(Array.from(await s.emissions(new Int32Array(0), new Int32Array(0), new Int32Array(0), 2, 0))).toEqual(
      new Array(8).fill(0),
    );
    const { b1, b2, fp } = randomInputs(spec, 3, 6, 9);
    expect((await s.emissions(b1, b2, fp, 0, 6)).length).toBe(0);
    const one = await s.emissions(b1, b2, fp, 1, 6);
    expectClose(one, referenceEmissions(spec, b1, b2, fp, 1, 6), 1e-5);
    await expect(s.emissions(b1, b2, fp, 4, 6)).rejects.toThrow(RangeError);
  });

  it('float16 weights: the file is about half the size and scores stay within float16 rounding', async () => {
    const spec32 = randomSpec(6, 4096, 9);
    const spec16 = { ...spec32, weightsDtype: 'float16' as const };
    const bytes32 = buildEmissionModel({ ...spec32, lookup });
    const bytes16 = buildEmissionModel({ ...spec16, lookup });
    expect(bytes16.length).toBeLessThan(bytes32.length * 0.6);
    const s = await EmissionSession.create(bytes16);
    sessions.push(s);
    const { b1, b2, fp } = randomInputs(spec32, 40, 20, 11);
    const out = await s.emissions(b1, b2, fp, 40, 20);
    expectClose(out, referenceEmissions(spec16, b1, b2, fp, 40, 20), 1e-5);
    // |w| ≤ 2, ≤ 40 rows per token: float16 rounding (2^-11 relative) stays below 0.05.
    expectClose(out, referenceEmissions(spec32, b1, b2, fp, 40, 20), 0.05);
    // CRF scores are kept in float32 exactly.
    expect(s.transitions).toEqual(spec32.transitions);
    // weights given as float16 bits make the same file as float32 weights rounded by the writer
    const bits = Uint16Array.from(spec32.weights, (w) => toFloat16Bits(w));
    expect(Buffer.from(buildEmissionModel({ ...spec16, weights: bits, lookup })).equals(Buffer.from(bytes16))).toBe(true);
    expect(() => buildEmissionModel({ ...spec32, weights: bits, lookup })).toThrow(/weightsDtype float16/);
  });
});

describe('host lookup building blocks', () => {
  it('packs each token’s matching rows left, pads with the miss row, and sums them via emissionsForRows', async () => {
    const spec = randomSpec(14, 256, 6, { lookup: 'host' });
    const s = await open(spec);
    const table = s.fingerprints!;
    expect(table.length).toBe(257);
    expect(Array.from(table.subarray(0, 256))).toEqual(Array.from(spec.fingerprints));
    const { b1, b2, fp } = randomInputs(spec, 30, 11, 15);
    const { rows, k } = matchingRows(table, b1, b2, fp, 30, 11);
    expect(rows.length).toBe(30 * k);
    for (let t = 0; t < 30; t++) {
      const token = Array.from(rows.subarray(t * k, (t + 1) * k));
      const real = token.filter((r) => r !== 256);
      // Real rows first, then only padding; every real row's fingerprint is one this token asked for.
      expect(token.slice(real.length).every((r) => r === 256)).toBe(true);
      const asked = new Set(Array.from(fp.subarray(t * 11, (t + 1) * 11)));
      for (const r of real) expect(asked.has(table[r])).toBe(true);
    }
    expectClose(await s.emissionsForRows(rows, 30, k), referenceEmissions(spec, b1, b2, fp, 30, 11), 1e-5);
  });

  it('is not offered by a graph-lookup file', async () => {
    const s = await open(randomSpec(16, 16, 2));
    expect(s.fingerprints).toBeUndefined();
    await expect(s.emissionsForRows(new Int32Array(1), 1, 1)).rejects.toThrow(/lookup: host/);
  });
});

describe('model file', () => {
  it('exposes the CRF scores and label count from the file alone', async () => {
    const spec = randomSpec(7, 32, 5);
    const s = await open(spec);
    expect(s.numLabels).toBe(5);
    expect(s.transitions).toEqual(spec.transitions);
    expect(s.start).toEqual(spec.start);
    expect(s.end).toEqual(spec.end);
  });

  it('round-trips unicode metadata, read with and without ORT', async () => {
    // Built from entries so "__proto__" is a real key, as it would be in metadata parsed from JSON.
    const meta: Record<string, string> = Object.fromEntries([
      ['labels', JSON.stringify(['Person', 'Größe', '組織', '🚀-launch'])],
      ['ключ 🔑', 'value with "quotes", \\ backslash,\nnewline and \u0000 NUL'],
      ['empty', ''],
      ['__proto__', 'a key, not a prototype'],
    ]);
    const spec = randomSpec(8, 16, 2, { metadata: meta });
    const bytes = buildEmissionModel(spec);
    expect(readOnnxMetadata(bytes)).toEqual(meta);
    expect(Object.keys(readOnnxMetadata(bytes))).toContain('__proto__');
    const s = await open(spec);
    expect(s.metadata).toEqual(meta);
  });

  it('declares IR 8, opset 17, producer custom-ner and the table shapes', () => {
    const info = readOnnxModelInfo(buildEmissionModel(randomSpec(9, 64, 3, { weightsDtype: 'float16' })));
    expect(info.irVersion).toBe(8);
    expect(info.opsetVersion).toBe(17);
    expect(info.producerName).toBe('custom-ner');
    const byName = Object.fromEntries(info.initializers.map((t) => [t.name, t]));
    // One extra all-zero row/fingerprint that misses point at.
    expect(byName.W).toMatchObject({ dataType: 10, dims: [65, 3], rawBytes: 65 * 3 * 2 });
    expect(byName.fp_table).toMatchObject({ dataType: 6, dims: [65] });
    expect(byName.crf_transitions).toMatchObject({ dataType: 1, dims: [3, 3] });
  });

  it('is byte-identical for the same spec, whatever the metadata key order', () => {
    const a = buildEmissionModel(randomSpec(10, 64, 3, { metadata: { a: '1', b: '2' } }));
    const b = buildEmissionModel(randomSpec(10, 64, 3, { metadata: { b: '2', a: '1' } }));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('rejects an inconsistent spec, naming the field', () => {
    expect(() => buildEmissionModel({ ...randomSpec(11, 48, 3), numBuckets: 0 })).toThrow(/numBuckets/);
    const spec = randomSpec(11, 64, 3);
    expect(() => buildEmissionModel({ ...spec, weights: spec.weights.subarray(1) })).toThrow(/weights/);
    expect(() => buildEmissionModel({ ...spec, start: new Float32Array(2) })).toThrow(/start/);
  });

  it('rejects a damaged file with a decode error, and ORT refuses it too', async () => {
    const bytes = buildEmissionModel(randomSpec(12, 64, 3, { metadata: { k: 'v' } }));
    const truncated = bytes.subarray(0, bytes.length - 3);
    expect(() => readOnnxMetadata(truncated)).toThrow(ProtoDecodeError);
    await expect(EmissionSession.create(truncated)).rejects.toThrow();
  });

  it('refuses use after release', async () => {
    const s = await EmissionSession.create(buildEmissionModel(randomSpec(13, 16, 2)));
    await s.release();
    await s.release();
    await expect(s.emissions(new Int32Array(1), new Int32Array(1), new Int32Array(1), 1, 1)).rejects.toThrow(/release/);
  });
});

describe('float16 conversion', () => {
  it('rounds to nearest, ties to even, with overflow, subnormals and specials', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(65520)).toBe(0x7c00); // halfway to the next binade rounds up to Infinity
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even mantissa
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even mantissa (up)
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toFloat16Bits(2 ** -25)).toBe(0x0000); // tie → even (zero)
    expect(toFloat16Bits(1.5 * 2 ** -24)).toBe(0x0002); // tie → even (two)
    expect(toFloat16Bits(2 ** -14)).toBe(0x0400); // smallest normal
    expect(toFloat16Bits(-0)).toBe(0x8000);
    expect(toFloat16Bits(Infinity)).toBe(0x7c00);
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN)))).toBe(true);
    expect(fromFloat16Bits(0x3555)).toBeCloseTo(0.333251953125, 12);
    // Every finite float16 value converts back to itself.
    const changed: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) !== 0x7c00 && toFloat16Bits(fromFloat16Bits(h)) !== h) changed.push(h);
    }
    expect(changed).toEqual([]);
  });
});
