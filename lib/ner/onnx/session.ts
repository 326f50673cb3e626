// Runs the emission model with onnxruntime-node, plus a pure-TypeScript reference of the same computation.

import * as ort from 'onnxruntime-node';
import {
  BUCKETS,
  DataType,
  EMISSIONS_B,
  ROW_INDEX_B,
  WEIGHTS,
  readEmissionModel,
  tensorValues,
  type EmissionModelFile,
  type EmissionModelSpec,
  type RawTensor,
} from './export.js';
import { float16ToFloat32, float32ToFloat16 } from './float16.js';

/**
 * ORT session options: one intra-op thread so throughput is measured, and scaled, per process. The optimization level
 * makes no measurable difference to session creation now that the weights are an input (all, basic and disabled
 * within 5 ms of each other, best of 10 fresh processes, identical emissions); 'all' ran a few % faster per call.
 */
export const EMISSION_SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  executionProviders: ['cpu'],
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};

/** A loaded emission model: per-token label scores from ORT, the CRF scores and the bucket table read once at load. */
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
    /**
     * [(numBuckets + 1) * 2]: per bucket its stored fingerprint (0 = empty) and its weight row; the last pair is the
     * miss entry (fingerprint 0, the all-zero row). What `matchingRows` reads.
     */
    readonly buckets: Int32Array,
    /** The file's weights, fed to the graph's `W` input as they lie in the file's bytes. */
    private readonly weights: ort.Tensor,
    /** Every raw_data initializer of the file (host tables included), by name; views into the file's bytes. */
    readonly tensors: ReadonlyMap<string, RawTensor>,
    /** The graph's second row input, fed the miss row when a call has one batch (undefined: the graph has none). */
    private readonly idleRowsB: ort.Tensor | undefined,
  ) {}

  /** Number of hash buckets: callers map feature hashes into 0..numBuckets−1. */
  get numBuckets(): number {
    return this.buckets.length / 2 - 1;
  }

  /** The all-zero weight row: padding in `emissionsForRows`'s input. */
  get missRow(): number {
    return this.buckets[this.buckets.length - 1];
  }

  /**
   * Emission scores [n * numLabels] from `rows` [n * k], each token's matching weight rows, padded with `missRow`.
   * `matchingRows` builds such a matrix.
   */
  async emissionsForRows(rows: Int32Array, n: number, k: number): Promise<Float32Array> {
    if (!this.session) throw new Error('EmissionSession used after release()');
    const out = await this.session.run(singleFeeds(rowsTensor(rows, n, k, 'emissionsForRows'), this.weights, this.idleRowsB), ['emissions']);
    return out.emissions.data as Float32Array;
  }

  /**
   * `emissionsForRows` of two row matrices (of any widths) in one onnxruntime call: each call has a fixed cost
   * (~20–30 µs), and two batches of different widths in one matrix would pad the narrow rows to the wide ones.
   */
  async emissionsForRowPair(a: RowMatrix, b: RowMatrix): Promise<[Float32Array, Float32Array]> {
    if (!this.session) throw new Error('EmissionSession used after release()');
    if (!this.idleRowsB) return [await this.emissionsForRows(a.rows, a.n, a.k), await this.emissionsForRows(b.rows, b.n, b.k)];
    const out = await this.session.run(
      { row_index: rowsTensor(a.rows, a.n, a.k, 'emissionsForRowPair'), [ROW_INDEX_B]: rowsTensor(b.rows, b.n, b.k, 'emissionsForRowPair'), [WEIGHTS]: this.weights },
      ['emissions', EMISSIONS_B],
    );
    return [out.emissions.data as Float32Array, out[EMISSIONS_B].data as Float32Array];
  }

  /**
   * Loads a model written by `buildEmissionModel`. Rejects if the file is malformed or ORT cannot run it. The
   * session keeps views into `bytes` (weights, tables): the caller must not change them afterwards.
   */
  static async create(bytes: Uint8Array): Promise<EmissionSession> {
    return EmissionSession.open(readEmissionModel(bytes));
  }

  /** As `create`, from a file `readEmissionModel` has already read. */
  static async open(file: EmissionModelFile): Promise<EmissionSession> {
    const { tensors } = file;
    const w = tensors.get(WEIGHTS);
    const half = w?.dataType === DataType.FLOAT16;
    const weights = half
      ? tensorValues(w, 'weight table W', DataType.FLOAT16, Uint16Array)
      : tensorValues(w, 'weight table W', DataType.FLOAT, Float32Array);
    const dims = w!.dims;
    if (dims.length !== 2 || dims[0] < 1) throw new Error('weight table W is not [rows + 1, labels]');
    const numRows = dims[0] - 1;
    const b = tensors.get(BUCKETS);
    const buckets = tensorValues(b, 'bucket table', DataType.INT32, Int32Array);
    if (b!.dims.length !== 2 || b!.dims[1] !== 2 || b!.dims[0] < 2) throw new Error('bucket table is not [buckets + 1, 2]');
    // A bad row would only fail later inside ORT's Gather; the check reads pages the file read has touched already.
    for (let i = 1; i < buckets.length; i += 2) {
      if (!(buckets[i] >= 0 && buckets[i] <= numRows)) throw new Error(`bucket ${(i - 1) / 2} points at row ${buckets[i]}, not 0..${numRows}`);
    }
    if (buckets[buckets.length - 2] !== 0 || buckets[buckets.length - 1] !== numRows) throw new Error('bucket table lacks its miss entry');
    const weightsTensor = new ort.Tensor(half ? 'float16' : 'float32', weights, dims);
    const session = await ort.InferenceSession.create(file.runtimeModel, EMISSION_SESSION_OPTIONS);
    try {
      // One token that reads only the all-zero row: checks the graph runs with the weights, and yields the CRF scores.
      const probe = new ort.Tensor('int32', new Int32Array([numRows]), [1, 1]);
      const idleRowsB = file.pairedRows ? new ort.Tensor('int32', new Int32Array([numRows]), [1, 1]) : undefined;
      const out = await session.run(singleFeeds(probe, weightsTensor, idleRowsB), ['emissions', 'transitions', 'start', 'end']);
      const start = Float32Array.from(out.start.data as Float32Array);
      const end = Float32Array.from(out.end.data as Float32Array);
      const transitions = Float32Array.from(out.transitions.data as Float32Array);
      const emissions = out.emissions.data as Float32Array;
      for (const t of Object.values(out)) t.dispose();
      const L = start.length;
      if (L !== dims[1] || emissions.length !== L || emissions.some((x) => x !== 0)) throw new Error('the graph does not give the weight table’s scores');
      if (idleRowsB && numRows > 0) {
        // the second row input (added at load) must score as the first: the same row through both
        const row = new ort.Tensor('int32', new Int32Array([0]), [1, 1]);
        const both = await session.run({ row_index: row, [ROW_INDEX_B]: row, [WEIGHTS]: weightsTensor }, ['emissions', EMISSIONS_B]);
        const a = both.emissions.data as Float32Array;
        const b = both[EMISSIONS_B].data as Float32Array;
        const same = a.length === L && b.length === L && a.every((x, i) => x === b[i]);
        for (const t of Object.values(both)) t.dispose();
        if (!same) throw new Error('the second row input does not give the first one’s scores');
      }
      return new EmissionSession(session, file.metadata, L, transitions, start, end, buckets, weightsTensor, tensors, idleRowsB);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  /**
   * Emission scores for `n` tokens with `f` feature slots each: [n * numLabels], token-major. The three inputs are
   * [n * f] row-major; padding slots use fingerprint 0. Buckets outside 0..numBuckets−1 count as misses. Tokens are
   * independent: batch many sentences, even documents, into one call — each call costs ~20–30 µs of fixed overhead.
   */
  async emissions(bucket1: Int32Array, bucket2: Int32Array, fingerprint: Int32Array, n: number, f: number): Promise<Float32Array> {
    if (!this.session) throw new Error('EmissionSession used after release()');
    const size = n * f;
    if (bucket1.length < size || bucket2.length < size || fingerprint.length < size) {
      throw new RangeError(`emissions: inputs shorter than n * f = ${size}`);
    }
    if (f === 0) return new Float32Array(n * this.numLabels);
    const { rows, k } = matchingRows(this.buckets, bucket1, bucket2, fingerprint, n, f);
    return this.emissionsForRows(rows, n, k);
  }

  /** Frees the native session; the object is unusable afterwards. Safe to call twice. */
  async release(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (s) await s.release();
  }
}

/** A row matrix for `emissionsForRowPair`: `rows` [n * k] (or longer: the rest is ignored). */
export interface RowMatrix {
  rows: Int32Array;
  n: number;
  k: number;
}

/** The feeds of a call with one row matrix: the second row input, when the graph has one, gets the idle miss row. */
function singleFeeds(rowIndex: ort.Tensor, weights: ort.Tensor, idleRowsB: ort.Tensor | undefined): Record<string, ort.Tensor> {
  return idleRowsB ? { row_index: rowIndex, [ROW_INDEX_B]: idleRowsB, [WEIGHTS]: weights } : { row_index: rowIndex, [WEIGHTS]: weights };
}

function rowsTensor(rows: Int32Array, n: number, k: number, what: string): ort.Tensor {
  if (rows.length < n * k) throw new RangeError(`${what}: rows shorter than n * k = ${n * k}`);
  return new ort.Tensor('int32', rows.length === n * k ? rows : rows.subarray(0, n * k), [n, k]);
}

/**
 * The lookup rule of the bucket table: writes at out[c] the weight rows of buckets b1 and b2 (b2 only when it differs
 * from b1) that hold fingerprint `want`, and returns the new end. Two cells are written whatever matches (the caller
 * leaves one spare). Branch-free on purpose: the table reads are mostly cache misses, and with no data-dependent
 * branch the CPU overlaps them (about twice as fast as if/else on a table larger than the cache); a bucket's
 * fingerprint and row share a cache line. Fingerprint 0 is padding (stored 0 marks an empty bucket); an out-of-range
 * bucket reads undefined, which never matches (and the undefined row written for it is never counted).
 */
export function appendMatchingRows(buckets: Int32Array, b1: number, b2: number, want: number, out: Int32Array, c: number): number {
  const live = +(want !== 0);
  out[c] = buckets[2 * b1 + 1];
  c += +(buckets[2 * b1] === want) & live;
  out[c] = buckets[2 * b2 + 1];
  c += +(buckets[2 * b2] === want) & +(b2 !== b1) & live;
  return c;
}

/**
 * Per token, the weight rows of the slots whose bucket holds their fingerprint (bucket2 only when it differs from
 * bucket1), packed to the left of a [n, k] matrix padded with the miss row; k is the largest count in the batch.
 * `buckets` is `EmissionSession.buckets`: (fingerprint, row) pairs, the last one the miss entry.
 */
export function matchingRows(
  buckets: Int32Array,
  bucket1: Int32Array,
  bucket2: Int32Array,
  fingerprint: Int32Array,
  n: number,
  f: number,
): { rows: Int32Array; k: number } {
  const miss = buckets[buckets.length - 1];
  // Each slot adds at most two rows; one spare cell lets every slot write both candidates unconditionally.
  const width = 2 * f + 1;
  const packed = new Int32Array(n * width);
  const counts = new Int32Array(n);
  let k = 0;
  for (let t = 0; t < n; t++) {
    const start = t * width;
    let c = start;
    for (let i = t * f, stop = i + f; i < stop; i++) {
      c = appendMatchingRows(buckets, bucket1[i], bucket2[i], fingerprint[i], packed, c);
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
 * The emission scores `buildEmissionModel`'s file gives, in plain TypeScript (float32 accumulation); for tests and
 * for checking a trained model against its export. float16 specs use the rounded weights the file holds.
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
  const out = new Float32Array(n * L);
  const add = (t: number, b: number) => {
    const r = spec.rows[b];
    for (let l = 0; l < L; l++) out[t * L + l] += W[r * L + l];
  };
  for (let t = 0; t < n; t++) {
    for (let s = 0; s < f; s++) {
      const i = t * f + s;
      const b1 = bucket1[i];
      const b2 = bucket2[i];
      const want = fingerprint[i];
      if (want === 0) continue;
      if (fp[b1] === want) add(t, b1);
      if (b2 !== b1 && fp[b2] === want) add(t, b2);
    }
  }
  return out;
}
