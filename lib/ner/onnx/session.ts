// Runs the emission model with onnxruntime-node, plus a pure-TypeScript reference of the same computation.

import * as ort from 'onnxruntime-node';
import { readOnnxInitializer, readOnnxMetadata, type EmissionModelSpec } from './export.js';
import { float16ToFloat32, float32ToFloat16 } from './float16.js';

/** ORT session options: one intra-op thread so throughput is measured, and scaled, per process. */
export const EMISSION_SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};

/** A loaded emission model: per-token label scores from ORT, and the CRF scores read once at load. */
export class EmissionSession {
  private constructor(
    private session: ort.InferenceSession | undefined,
    /** ModelProto.metadata_props. */
    readonly metadata: Record<string, string>,
    readonly numLabels: number,
    /** [L * L], from-label row, to-label column. */
    readonly transitions: Float32Array,
    /** [L] score of starting in a label. */
    readonly start: Float32Array,
    /** [L] score of ending in a label. */
    readonly end: Float32Array,
    /** Host lookup only: the fingerprint table, [numBuckets + 1], last entry the miss row's 0. */
    private readonly fingerprintTable?: Int32Array,
  ) {}

  /** Where the fingerprint test runs for this file: in the graph, or here in TypeScript (see `matchingRows`). */
  get lookup(): 'graph' | 'host' {
    return this.fingerprintTable ? 'host' : 'graph';
  }

  /**
   * Host lookup only (else undefined): the stored fingerprint per bucket, [numBuckets + 1]; the last index is the
   * all-zero miss row. Lets a caller test its features while hashing them and call `emissionsForRows` directly.
   */
  get fingerprints(): Int32Array | undefined {
    return this.fingerprintTable;
  }

  /**
   * Host lookup only: emission scores [n * numLabels] from `rows` [n * k], each token's matching rows (bucket
   * indexes), padded with the miss row `fingerprints.length - 1`. `matchingRows` builds such a matrix.
   */
  async emissionsForRows(rows: Int32Array, n: number, k: number): Promise<Float32Array> {
    if (!this.session) throw new Error('EmissionSession used after release()');
    if (!this.fingerprintTable) throw new Error('emissionsForRows needs a model exported with lookup: host');
    if (rows.length < n * k) throw new RangeError(`emissionsForRows: rows shorter than n * k = ${n * k}`);
    const data = rows.length === n * k ? rows : rows.subarray(0, n * k);
    const out = await this.session.run({ row_index: new ort.Tensor('int32', data, [n, k]) }, ['emissions']);
    return out.emissions.data as Float32Array;
  }

  /** Loads a model written by `buildEmissionModel`. Rejects if ORT cannot load it. */
  static async create(bytes: Uint8Array): Promise<EmissionSession> {
    const metadata = readOnnxMetadata(bytes);
    const session = await ort.InferenceSession.create(bytes, EMISSION_SESSION_OPTIONS);
    try {
      const host = session.inputNames.includes('row_index');
      // An empty batch yields the CRF scores without touching the weights.
      const empty = new ort.Tensor('int32', new Int32Array(0), [0, 1]);
      const feeds: Record<string, ort.Tensor> = host
        ? { row_index: empty }
        : { bucket1: empty, bucket2: empty, fingerprint: empty };
      const out = await session.run(feeds, ['transitions', 'start', 'end']);
      const start = Float32Array.from(out.start.data as Float32Array);
      const end = Float32Array.from(out.end.data as Float32Array);
      const transitions = Float32Array.from(out.transitions.data as Float32Array);
      for (const t of Object.values(out)) t.dispose();
      // The fingerprint table is copied straight from the file: cheaper at load than fetching the graph's output.
      let fingerprints: Int32Array | undefined;
      if (host) {
        const table = readOnnxInitializer(bytes, 'fp_table');
        if (!table || table.dataType !== 6 || table.raw.length % 4 !== 0) throw new Error('model file lacks its int32 fp_table');
        fingerprints = new Int32Array(table.raw.length / 4);
        new Uint8Array(fingerprints.buffer).set(table.raw);
      }
      return new EmissionSession(session, metadata, start.length, transitions, start, end, fingerprints);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  /**
   * Emission scores for `n` tokens with `f` feature slots each: [n * numLabels], token-major. The three inputs are
   * [n * f] row-major; padding slots use fingerprint 0 and bucket 0. Buckets must be < numBuckets (a graph-lookup
   * file rejects others; host lookup counts them as misses). Tokens are independent: batch many sentences, even
   * documents, into one call — each call costs ~20–30 µs of fixed overhead.
   */
  async emissions(bucket1: Int32Array, bucket2: Int32Array, fingerprint: Int32Array, n: number, f: number): Promise<Float32Array> {
    if (!this.session) throw new Error('EmissionSession used after release()');
    const size = n * f;
    if (bucket1.length < size || bucket2.length < size || fingerprint.length < size) {
      throw new RangeError(`emissions: inputs shorter than n * f = ${size}`);
    }
    // No feature slots: nothing to add (and the sparse graph would divide by the zero slot count).
    if (f === 0) return new Float32Array(n * this.numLabels);
    const view = (a: Int32Array) => (a.length === size ? a : a.subarray(0, size));
    if (this.fingerprintTable) {
      const { rows, k } = matchingRows(this.fingerprintTable, bucket1, bucket2, fingerprint, n, f);
      return this.emissionsForRows(rows, n, k);
    }
    const dims = [n, f];
    const out = await this.session.run(
      {
        bucket1: new ort.Tensor('int32', view(bucket1), dims),
        bucket2: new ort.Tensor('int32', view(bucket2), dims),
        fingerprint: new ort.Tensor('int32', view(fingerprint), dims),
      },
      ['emissions'],
    );
    return out.emissions.data as Float32Array;
  }

  /** Frees the native session; the object is unusable afterwards. Safe to call twice. */
  async release(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (s) await s.release();
  }
}

/**
 * For host lookup: per token, the rows whose stored fingerprint matches a slot's (bucket2 only when it differs from
 * bucket1), packed to the left of a [n, k] matrix padded with the miss row; k is the largest count in the batch.
 */
export function matchingRows(
  table: Int32Array,
  bucket1: Int32Array,
  bucket2: Int32Array,
  fingerprint: Int32Array,
  n: number,
  f: number,
): { rows: Int32Array; k: number } {
  const miss = table.length - 1;
  // Each slot adds at most two rows; one spare cell lets every slot write both candidates unconditionally.
  const width = 2 * f + 1;
  const packed = new Int32Array(n * width);
  const counts = new Int32Array(n);
  let k = 0;
  for (let t = 0; t < n; t++) {
    const start = t * width;
    let c = start;
    for (let i = t * f, stop = i + f; i < stop; i++) {
      const want = fingerprint[i];
      const b1 = bucket1[i];
      const b2 = bucket2[i];
      // Branch-free on purpose: the table reads are mostly cache misses, and with no data-dependent branch the CPU
      // overlaps them (about twice as fast as if/else on a table larger than the cache). Fingerprint 0 is padding
      // (stored 0 marks an empty, all-zero row); an out-of-range bucket reads undefined, which never matches.
      const live = +(want !== 0);
      const hit1 = +(table[b1] === want) & live;
      const hit2 = +(table[b2] === want) & +(b2 !== b1) & live;
      packed[c] = b1;
      c += hit1;
      packed[c] = b2;
      c += hit2;
    }
    const count = c - start;
    counts[t] = count;
    if (count > k) k = count;
  }
  const rows = new Int32Array(n * k);
  for (let t = 0; t < n; t++) {
    const from = t * width;
    const to = t * k;
    const count = counts[t];
    for (let j = 0; j < count; j++) rows[to + j] = packed[from + j];
    for (let j = count; j < k; j++) rows[to + j] = miss;
  }
  return { rows, k };
}

/**
 * The emission scores `buildEmissionModel`'s graph computes, in plain TypeScript (float32 accumulation); for tests
 * and for checking a trained model against its export. float16 specs use the rounded weights the file holds.
 */
export function referenceEmissions(
  spec: EmissionModelSpec,
  bucket1: Int32Array,
  bucket2: Int32Array,
  fingerprint: Int32Array,
  n: number,
  f: number,
): Float32Array {
  const L = spec.numLabels;
  const W =
    spec.weights instanceof Uint16Array
      ? float16ToFloat32(spec.weights)
      : spec.weightsDtype === 'float16'
        ? float16ToFloat32(float32ToFloat16(spec.weights))
        : spec.weights;
  const fp = spec.fingerprints;
  const first = spec.match === 'first';
  const out = new Float32Array(n * L);
  for (let t = 0; t < n; t++) {
    for (let s = 0; s < f; s++) {
      const i = t * f + s;
      const b1 = bucket1[i];
      const b2 = bucket2[i];
      const want = fingerprint[i];
      const hit1 = fp[b1] === want;
      if (hit1) for (let l = 0; l < L; l++) out[t * L + l] += W[b1 * L + l];
      if (first && hit1) continue;
      if (b2 !== b1 && fp[b2] === want) for (let l = 0; l < L; l++) out[t * L + l] += W[b2 * L + l];
    }
  }
  return out;
}
