// ONNX emission model: the file ORT runs gives the scores the weights define, and carries the CRF scores and metadata.

import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildEmissionModel,
  DataType,
  RAW_DATA_ALIGNMENT,
  readEmissionModel,
  readOnnxMetadata,
  readOnnxModelInfo,
  tensorValues,
  type EmissionModelSpec,
} from '../../../lib/ner/onnx/export.js';
import { EMISSION_SESSION_OPTIONS, EmissionSession, matchingRows, referenceEmissions } from '../../../lib/ner/onnx/session.js';
import { float16ToFloat32, fromFloat16Bits, toFloat16Bits } from '../../../lib/ner/onnx/float16.js';
import { ProtoDecodeError, readFields } from '../../../lib/ner/onnx/protobuf.js';
import { prng } from '../../../lib/ner/crf.js';

/** A random table: ~80% of the buckets hold a feature, whose weight rows are stored in a shuffled order. */
function randomSpec(seed: number, numBuckets: number, numLabels: number, extra: Partial<EmissionModelSpec> = {}): EmissionModelSpec {
  const rand = prng(seed);
  const fingerprints = new Int32Array(numBuckets);
  const occupied: number[] = [];
  for (let b = 0; b < numBuckets; b++) {
    if (rand() < 0.2) continue; // empty bucket: fingerprint 0
    fingerprints[b] = (Math.floor(rand() * 2 ** 32) | 0) || 1;
    occupied.push(b);
  }
  for (let i = occupied.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [occupied[i], occupied[j]] = [occupied[j], occupied[i]];
  }
  const rows = new Int32Array(numBuckets).fill(-1);
  occupied.forEach((b, r) => (rows[b] = r));
  const weights = Float32Array.from({ length: occupied.length * numLabels }, () => (rand() - 0.5) * 4);
  const scores = (k: number) => Float32Array.from({ length: k }, () => (rand() - 0.5) * 2);
  return {
    numBuckets,
    numLabels,
    weights,
    fingerprints,
    rows,
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
async function open(spec: EmissionModelSpec | Uint8Array): Promise<EmissionSession> {
  const s = await EmissionSession.create(spec instanceof Uint8Array ? spec : buildEmissionModel(spec));
  sessions.push(s);
  return s;
}
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.release();
});

/** Offsets of a file's raw_data fields, by initializer name (the file's own ModelProto → GraphProto → TensorProto). */
function rawDataOffsets(bytes: Uint8Array): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of readFields(bytes)) {
    if (f.field !== 7) continue;
    for (const g of readFields(f.bytes!)) {
      if (g.field !== 5) continue;
      let name = '';
      let offset = -1;
      for (const t of readFields(g.bytes!)) {
        if (t.field === 8) name = Buffer.from(t.bytes!).toString('utf8');
        if (t.field === 9) offset = t.bytes!.byteOffset - bytes.byteOffset;
      }
      out.set(name, offset);
    }
  }
  return out;
}

describe('emission model scores', () => {
  it('adds the rows whose stored fingerprint matches, once per bucket, in a hand-checked case', async () => {
    // 4 buckets, 2 labels. Bucket 3 is empty; buckets 0, 1, 2 hold rows 2, 0, 1.
    const spec: EmissionModelSpec = {
      numBuckets: 4,
      numLabels: 2,
      weights: new Float32Array([10, 20, 100, 200, 1, 2]),
      fingerprints: new Int32Array([11, 22, 33, 0]),
      rows: new Int32Array([2, 0, 1, -1]),
      transitions: new Float32Array([0.1, 0.2, 0.3, 0.4]),
      start: new Float32Array([1, -1]),
      end: new Float32Array([-2, 2]),
      metadata: {},
    };
    const s = await open(spec);
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
      weights: new Float32Array([1000, 1, 10]),
      fingerprints: new Int32Array([5, 7, 7, 0]),
      rows: new Int32Array([0, 1, 2, 0]),
      transitions: new Float32Array([0]),
      start: new Float32Array([0]),
      end: new Float32Array([0]),
      metadata: {},
    };
    const s = await open(spec);
    const b1 = new Int32Array([3, 1, 2, 1]);
    const b2 = new Int32Array([3, 2, 1, 1]);
    const fp = new Int32Array([9, 7, 7, 8]);
    expect(Array.from(await s.emissions(b1, b2, fp, 4, 1))).toEqual([0, 11, 11, 0]);
  });

  it('ORT equals the TypeScript reference within 1e-5 on random models', async () => {
    for (const [seed, buckets, labels, n, f] of [
      [1, 256, 7, 50, 13],
      [2, 1024, 69, 20, 60],
      [3, 16, 1, 9, 4],
    ]) {
      const spec = randomSpec(seed, buckets, labels);
      const s = await open(spec);
      const { b1, b2, fp } = randomInputs(spec, n, f, seed + 100);
      const out = await s.emissions(b1, b2, fp, n, f);
      const ref = referenceEmissions(spec, b1, b2, fp, n, f);
      expectClose(out, ref, 1e-5);
      // The inputs really exercise hits: most tokens get a non-zero score.
      expect(ref.filter((x) => x !== 0).length).toBeGreaterThan(ref.length / 2);
    }
  });

  it('gives all-zero scores when no fingerprint matches, and counts out-of-range buckets as misses', async () => {
    const spec = randomSpec(4, 64, 3);
    const s = await open(spec);
    const { b1, b2 } = randomInputs(spec, 10, 5, 7);
    const fp = new Int32Array(50).fill(0x7ffffff3); // never stored by randomSpec's seed
    expect(spec.fingerprints.includes(0x7ffffff3)).toBe(false);
    expect(Array.from(await s.emissions(b1, b2, fp, 10, 5))).toEqual(new Array(30).fill(0));
    const live = spec.fingerprints.findIndex((x) => x !== 0);
    const out = await s.emissions(new Int32Array([64, -1]), new Int32Array([1e6, 64]), new Int32Array([spec.fingerprints[live], 7]), 2, 1);
    expect(Array.from(out)).toEqual(new Array(6).fill(0));
  });

  it('handles N=0, N=1 and F=0, and reads only the first n*f slots of longer buffers', async () => {
    const spec = randomSpec(5, 128, 4);
    const s = await open(spec);
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
    const bytes32 = buildEmissionModel(spec32);
    const bytes16 = buildEmissionModel(spec16);
    const weightBytes = (b: Uint8Array) => readOnnxModelInfo(b).initializers.find((t) => t.name === 'W')!.rawBytes;
    expect(weightBytes(bytes16) * 2).toBe(weightBytes(bytes32));
    expect(bytes16.length).toBeLessThan(bytes32.length * 0.7);
    const s = await open(bytes16);
    const { b1, b2, fp } = randomInputs(spec32, 40, 20, 11);
    const out = await s.emissions(b1, b2, fp, 40, 20);
    expectClose(out, referenceEmissions(spec16, b1, b2, fp, 40, 20), 1e-5);
    // |w| ≤ 2, ≤ 40 rows per token: float16 rounding (2^-11 relative) stays below 0.05.
    expectClose(out, referenceEmissions(spec32, b1, b2, fp, 40, 20), 0.05);
    // CRF scores are kept in float32 exactly.
    expect(s.transitions).toEqual(spec32.transitions);
    // weights given as float16 bits make the same file as float32 weights rounded by the writer
    const bits = Uint16Array.from(spec32.weights, (w) => toFloat16Bits(w));
    expect(Buffer.from(buildEmissionModel({ ...spec16, weights: bits })).equals(Buffer.from(bytes16))).toBe(true);
    expect(() => buildEmissionModel({ ...spec32, weights: bits })).toThrow(/weightsDtype float16/);
  });
});

describe('host lookup', () => {
  it('packs each token’s matching rows left, pads with the miss row, and sums them via emissionsForRows', async () => {
    const spec = randomSpec(14, 256, 6);
    const s = await open(spec);
    const numRows = spec.weights.length / 6;
    expect(s.numBuckets).toBe(256);
    expect(s.missRow).toBe(numRows);
    expect(s.buckets.length).toBe(2 * 257);
    const { b1, b2, fp } = randomInputs(spec, 30, 11, 15);
    const { rows, k } = matchingRows(s.buckets, b1, b2, fp, 30, 11);
    expect(rows.length).toBe(30 * k);
    const bucketOfRow = new Map(Array.from(spec.rows).flatMap((r, b) => (spec.fingerprints[b] ? [[r, b] as const] : [])));
    for (let t = 0; t < 30; t++) {
      const token = Array.from(rows.subarray(t * k, (t + 1) * k));
      const real = token.filter((r) => r !== numRows);
      // Real rows first, then only padding; every real row is the row of a bucket holding a fingerprint the token asked for.
      expect(token.slice(real.length).every((r) => r === numRows)).toBe(true);
      const asked = new Set(Array.from(fp.subarray(t * 11, (t + 1) * 11)));
      for (const r of real) expect(asked.has(spec.fingerprints[bucketOfRow.get(r)!])).toBe(true);
    }
    expect(rows.some((r) => r !== numRows)).toBe(true);
    expectClose(await s.emissionsForRows(rows, 30, k), referenceEmissions(spec, b1, b2, fp, 30, 11), 1e-5);
  });

  it('scores two row matrices of different widths in one call as two calls would', async () => {
    for (const weightsDtype of ['float32', 'float16'] as const) {
      const spec = randomSpec(23, 256, 6, { weightsDtype });
      const s = await open(spec);
      const a = randomInputs(spec, 30, 11, 5);
      const b = randomInputs(spec, 7, 3, 6);
      const ra = matchingRows(s.buckets, a.b1, a.b2, a.fp, 30, 11);
      const rb = matchingRows(s.buckets, b.b1, b.b2, b.fp, 7, 3);
      expect(ra.k).not.toBe(rb.k);
      const [ea, eb] = await s.emissionsForRowPair({ rows: ra.rows, n: 30, k: ra.k }, { rows: rb.rows, n: 7, k: rb.k });
      expect(ea).toEqual(await s.emissionsForRows(ra.rows, 30, ra.k));
      expect(eb).toEqual(await s.emissionsForRows(rb.rows, 7, rb.k));
      expectClose(eb, referenceEmissions(spec, b.b1, b.b2, b.fp, 7, 3), 1e-5);
      await s.release();
    }
  });

  it('adds the second row input only to this format’s graph, and pairs calls without it by two calls', async () => {
    const spec = randomSpec(29, 256, 6, { weightsDtype: 'float16' });
    const bytes = buildEmissionModel(spec);
    expect(readEmissionModel(bytes).pairedRows).toBe(true);
    // the same graph with its axes tensor renamed (a valid graph, not this format's): no second input
    const renamed = Uint8Array.from(bytes);
    const from = new TextEncoder().encode('axis1');
    let renames = 0;
    for (let i = 0; i + from.length <= renamed.length; i++) {
      if (from.every((c, j) => renamed[i + j] === c)) {
        renamed[i + 4] = 'X'.charCodeAt(0);
        renames++;
      }
    }
    expect(renames).toBe(2); // the initializer and the ReduceSum input
    const file = readEmissionModel(renamed);
    expect(file.pairedRows).toBe(false);
    const plain = await EmissionSession.open(file);
    sessions.push(plain);
    const paired = await open(bytes);
    const a = randomInputs(spec, 12, 9, 7);
    const b = randomInputs(spec, 5, 2, 8);
    const ra = matchingRows(plain.buckets, a.b1, a.b2, a.fp, 12, 9);
    const rb = matchingRows(plain.buckets, b.b1, b.b2, b.fp, 5, 2);
    const viaTwo = await plain.emissionsForRowPair({ rows: ra.rows, n: 12, k: ra.k }, { rows: rb.rows, n: 5, k: rb.k });
    const viaOne = await paired.emissionsForRowPair({ rows: ra.rows, n: 12, k: ra.k }, { rows: rb.rows, n: 5, k: rb.k });
    expect(viaTwo[0]).toEqual(viaOne[0]);
    expect(viaTwo[1]).toEqual(viaOne[1]);
    expectClose(viaTwo[1], referenceEmissions(spec, b.b1, b.b2, b.fp, 5, 2), 1e-5);
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

  it('runs as it is in onnxruntime, with only row_index fed, giving the scores EmissionSession gives', async () => {
    const spec = randomSpec(17, 512, 7, { weightsDtype: 'float16', tables: { extra: new Uint32Array([1, 2, 3]) }, metadata: { k: 'v' } });
    const bytes = buildEmissionModel(spec);
    const s = await open(bytes);
    const { b1, b2, fp } = randomInputs(spec, 25, 9, 18);
    const { rows, k } = matchingRows(s.buckets, b1, b2, fp, 25, 9);
    // the whole file: W is an input whose default is its initializer; the host tables are initializers no node reads
    const plain = await ort.InferenceSession.create(bytes, { ...EMISSION_SESSION_OPTIONS, logSeverityLevel: 3 });
    try {
      expect(plain.inputNames).toEqual(['row_index']);
      const rowIndex = new ort.Tensor('int32', rows, [25, k]);
      const out = await plain.run({ row_index: rowIndex });
      expectClose(out.emissions.data as Float32Array, await s.emissionsForRows(rows, 25, k), 0);
      expect(out.transitions.data).toEqual(spec.transitions);
      // what EmissionSession gives onnxruntime lacks the initializer: there W is a required input, fed from the file
      const runtime = await ort.InferenceSession.create(readEmissionModel(bytes).runtimeModel, EMISSION_SESSION_OPTIONS);
      expect(runtime.inputNames).toEqual(['row_index', 'W', 'row_index_b']);
      await runtime.release();
    } finally {
      await plain.release();
    }
  });

  it('gives onnxruntime only the graph: no metadata, weights or host tables', () => {
    const spec = randomSpec(19, 2048, 9, { weightsDtype: 'float16', tables: { words: new Uint32Array(5000) }, metadata: { big: 'x'.repeat(50_000) } });
    const bytes = buildEmissionModel(spec);
    const file = readEmissionModel(bytes);
    expect(file.metadata.big.length).toBe(50_000);
    expect([...file.tensors.keys()].sort()).toEqual(['W', 'axis1', 'buckets', 'crf_end', 'crf_start', 'crf_transitions', 'words']);
    const runtime = readOnnxModelInfo(file.runtimeModel);
    expect(runtime.metadata).toEqual({});
    expect(runtime.initializers.map((t) => t.name).sort()).toEqual(['axis1', 'crf_end', 'crf_start', 'crf_transitions']);
    expect(runtime.opsetVersion).toBe(17);
    expect(file.runtimeModel.length).toBeLessThan(2000);
  });

  it('aligns every raw_data, and the loaded tables are views of the file’s bytes (copies when the bytes are not aligned)', async () => {
    const spec = randomSpec(20, 300, 5, { weightsDtype: 'float16', tables: { a: new Uint8Array(3), b: new Uint16Array(5), c: new Uint32Array(7) } });
    const bytes = buildEmissionModel(spec);
    const offsets = rawDataOffsets(bytes);
    expect(offsets.size).toBe(9);
    for (const [name, at] of offsets) expect([name, at % RAW_DATA_ALIGNMENT]).toEqual([name, 0]);
    const s = await open(bytes);
    expect(s.buckets.buffer).toBe(bytes.buffer);
    // the same file one byte into a larger buffer: nothing is aligned, the loader copies and scores the same
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    const t = await open(shifted);
    expect(t.buckets.buffer).not.toBe(shifted.buffer);
    const { b1, b2, fp } = randomInputs(spec, 12, 7, 21);
    expectClose(await t.emissions(b1, b2, fp, 12, 7), await s.emissions(b1, b2, fp, 12, 7), 0);
  });

  it('aligns every raw_data whatever the sizes (a pad that lengthens a size prefix does not make it alternate)', () => {
    // label counts around a tensor crossing 128 bytes, graphs with 2- and 3-byte size prefixes (a 2-category BIO
    // model of 1.9 MB, 5 labels, failed before)
    for (let labels = 1; labels <= 12; labels++)
      for (const extra of [0, 300, 20_000, 300_000]) {
        for (const weightsDtype of ['float16', 'float32'] as const) {
          const bytes = buildEmissionModel(randomSpec(labels, 64, labels, { weightsDtype, tables: { x: new Uint8Array(extra) } }));
          for (const [name, at] of rawDataOffsets(bytes)) expect([labels, extra, weightsDtype, name, at % RAW_DATA_ALIGNMENT]).toEqual([labels, extra, weightsDtype, name, 0]);
        }
      }
  });

  it('carries host tables of each type, read back by name with their type checked', () => {
    const tables = { u8: Uint8Array.from([1, 2, 255]), u16: Uint16Array.from([65535, 7]), i32: Int32Array.from([-5, 9]), u32: Uint32Array.from([2 ** 32 - 1]), f32: Float32Array.from([1.5]) };
    const file = readEmissionModel(buildEmissionModel(randomSpec(22, 16, 2, { tables })));
    expect(tensorValues(file.tensors.get('u8'), 'u8', DataType.UINT8, Uint8Array)).toEqual(tables.u8);
    expect(tensorValues(file.tensors.get('u16'), 'u16', DataType.UINT16, Uint16Array)).toEqual(tables.u16);
    expect(tensorValues(file.tensors.get('i32'), 'i32', DataType.INT32, Int32Array)).toEqual(tables.i32);
    expect(tensorValues(file.tensors.get('u32'), 'u32', DataType.UINT32, Uint32Array, 1)).toEqual(tables.u32);
    expect(tensorValues(file.tensors.get('f32'), 'f32', DataType.FLOAT, Float32Array)).toEqual(tables.f32);
    expect(() => tensorValues(file.tensors.get('u16'), 'u16', DataType.UINT32, Uint32Array)).toThrow(/u16 has type 4/);
    expect(() => tensorValues(file.tensors.get('u32'), 'u32', DataType.UINT32, Uint32Array, 2)).toThrow(/not 2 values/);
    expect(() => tensorValues(file.tensors.get('nope'), 'nope', DataType.UINT32, Uint32Array)).toThrow(/nope is missing/);
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
    const spec = randomSpec(9, 64, 3, { weightsDtype: 'float16' });
    const rows = spec.weights.length / 3;
    const info = readOnnxModelInfo(buildEmissionModel(spec));
    expect(info.irVersion).toBe(8);
    expect(info.opsetVersion).toBe(17);
    expect(info.producerName).toBe('custom-ner');
    const byName = Object.fromEntries(info.initializers.map((t) => [t.name, t]));
    // Dense rows plus one all-zero row that misses point at; a (fingerprint, row) pair per bucket plus the miss entry.
    expect(rows).toBeLessThan(60);
    expect(byName.W).toMatchObject({ dataType: 10, dims: [rows + 1, 3], rawBytes: (rows + 1) * 3 * 2 });
    expect(byName.buckets).toMatchObject({ dataType: 6, dims: [65, 2] });
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
    const live = spec.fingerprints.findIndex((x) => x !== 0);
    const rows = spec.rows.slice();
    rows[live] = spec.weights.length / 3;
    expect(() => buildEmissionModel({ ...spec, rows })).toThrow(new RegExp(`rows\\[${live}\\]`));
    expect(() => buildEmissionModel({ ...spec, tables: { W: new Uint8Array(1) } })).toThrow(/'W' is taken/);
  });

  it('rejects a damaged file with a decode error, and a bucket pointing outside the weights before running it', async () => {
    const spec = randomSpec(12, 64, 3, { metadata: { k: 'v' } });
    const bytes = buildEmissionModel(spec);
    const truncated = bytes.subarray(0, bytes.length - 3);
    expect(() => readOnnxMetadata(truncated)).toThrow(ProtoDecodeError);
    await expect(EmissionSession.create(truncated)).rejects.toThrow();
    const damaged = bytes.slice();
    const table = readEmissionModel(damaged).tensors.get('buckets')!.raw;
    new DataView(table.buffer, table.byteOffset).setInt32(4, 1e6, true); // bucket 0's row
    await expect(EmissionSession.create(damaged)).rejects.toThrow(/bucket 0 points at row 1000000/);
  });

  it('refuses use after release', async () => {
    const s = await EmissionSession.create(buildEmissionModel(randomSpec(13, 16, 2)));
    await s.release();
    await s.release();
    await expect(s.emissions(new Int32Array(1), new Int32Array(1), new Int32Array(1), 1, 1)).rejects.toThrow(/release/);
  });
});

describe('float16 conversion', () => {
  it('converts every one of the 65,536 bit patterns to float32 exactly as fromFloat16Bits reads it', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const got = float16ToFloat32(all);
    for (let h = 0; h < 65536; h++) {
      const want = Math.fround(fromFloat16Bits(h));
      if (Number.isNaN(want)) expect(got[h]).toBeNaN();
      else expect(Object.is(got[h], want)).toBe(true);
    }
  });

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
