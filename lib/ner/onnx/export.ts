// Writes the CRF emission model as an ONNX file (hand-rolled protobuf) and reads its metadata back without ORT.

import { float32ToFloat16 } from './float16.js';
import { ProtoWriter, decodeString, readFields, readPackedVarints } from './protobuf.js';

/** What `buildEmissionModel` needs: the hashed feature weights, the CRF transition scores and the file's metadata. */
export interface EmissionModelSpec {
  /** Number of hash buckets (callers map hashes into 0..numBuckets−1). */
  numBuckets: number;
  numLabels: number;
  /** [numBuckets * numLabels] row-major; empty buckets are all-zero rows. A Uint16Array is float16 bits. */
  weights: Float32Array | Uint16Array;
  /** [numBuckets]; 0 marks an empty bucket (callers never use fingerprint 0). */
  fingerprints: Int32Array;
  /** [numLabels * numLabels], from-label row, to-label column. */
  transitions: Float32Array;
  /** [numLabels] score of starting in a label. */
  start: Float32Array;
  /** [numLabels] score of ending in a label. */
  end: Float32Array;
  /** ModelProto.metadata_props: label set, tokenizer/feature settings, format version… */
  metadata: Record<string, string>;
  /** float16 halves the file; the graph casts to float32 after the lookup. Default float32. */
  weightsDtype?: 'float32' | 'float16';
  /**
   * Which candidate rows count. 'both' (default): every candidate whose stored fingerprint matches (bucket2 only when
   * it differs from bucket1). 'first': bucket1's row if it matches, else bucket2's if it matches — the same numbers
   * unless both candidates match, which with 2-choice hashing only a 32-bit fingerprint collision can cause; it looks
   * up half as many rows.
   */
  match?: 'both' | 'first';
  /**
   * How the graph sums the rows (graph lookup only). 'dense' (default) looks up a row for every slot (misses read an
   * all-zero row) and sums them; 'sparse' looks up only the matching rows (NonZero) and adds them per token with
   * ScatterND.
   */
  reduce?: 'dense' | 'sparse';
  /**
   * Where the fingerprint test runs. 'graph' (default): the graph takes `bucket1`, `bucket2`, `fingerprint` as above.
   * 'host': the graph takes `row_index` int32 [N, K] — the matching rows, K per token, padded with numBuckets (the
   * all-zero row) — and only sums those rows; it also outputs the fingerprint table (`fingerprints`, [numBuckets + 1])
   * so `EmissionSession` can do the test in TypeScript and feed it the rows. Same numbers, fewer ORT kernels.
   */
  lookup?: 'graph' | 'host';
}

/** ONNX IR version and default-domain opset the file targets. */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;
export const ONNX_PRODUCER = 'custom-ner';

/** Graph inputs (graph lookup; host lookup has the one input `row_index`) and outputs (host lookup adds `fingerprints`). */
export const EMISSION_INPUTS = ['bucket1', 'bucket2', 'fingerprint'] as const;
export const EMISSION_OUTPUTS = ['emissions', 'transitions', 'start', 'end'] as const;

// TensorProto.DataType values (onnx.proto).
const FLOAT = 1;
const INT32 = 6;
const INT64 = 7;
const FLOAT16 = 10;

// AttributeProto.AttributeType values (onnx.proto).
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_TENSOR = 4;

// Field numbers (onnx.proto).
const Model = { irVersion: 1, producerName: 2, producerVersion: 3, docString: 6, graph: 7, opsetImport: 8, metadataProps: 14 };
const OpsetId = { domain: 1, version: 2 };
const StringEntry = { key: 1, value: 2 };
const Graph = { node: 1, name: 2, initializer: 5, input: 11, output: 12 };
const Node = { input: 1, output: 2, name: 3, opType: 4, attribute: 5 };
const Attribute = { name: 1, f: 2, i: 3, s: 4, t: 5, type: 20 };
const Tensor = { dims: 1, dataType: 2, name: 8, rawData: 9 };
const ValueInfo = { name: 1, type: 2 };
const TypeProto = { tensorType: 1 };
const TypeTensor = { elemType: 1, shape: 2 };
const Shape = { dim: 1 };
const Dim = { value: 1, param: 2 };

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function tensor(name: string, dataType: number, dims: number[], raw: ArrayBufferView): ProtoWriter {
  const t = new ProtoWriter();
  if (dims.length > 0) t.packedVarints(Tensor.dims, dims);
  t.varint(Tensor.dataType, dataType);
  t.string(Tensor.name, name);
  t.bytes(Tensor.rawData, bytesOf(raw));
  return t;
}

type AttrValue = { int: number } | { float: number } | { string: string } | { tensor: ProtoWriter };

function node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}): ProtoWriter {
  const n = new ProtoWriter();
  for (const i of inputs) n.string(Node.input, i);
  for (const o of outputs) n.string(Node.output, o);
  n.string(Node.name, outputs[0]);
  n.string(Node.opType, opType);
  for (const [name, v] of Object.entries(attrs)) {
    const a = new ProtoWriter().string(Attribute.name, name);
    if ('int' in v) a.varint(Attribute.i, v.int).varint(Attribute.type, ATTR_INT);
    else if ('float' in v) a.float(Attribute.f, v.float).varint(Attribute.type, ATTR_FLOAT);
    else if ('string' in v) a.string(Attribute.s, v.string).varint(Attribute.type, ATTR_STRING);
    else a.message(Attribute.t, v.tensor).varint(Attribute.type, ATTR_TENSOR);
    n.message(Node.attribute, a);
  }
  return n;
}

function valueInfo(name: string, elemType: number, dims: Array<number | string>): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.varint(Dim.value, d);
    else dim.string(Dim.param, d);
    shape.message(Shape.dim, dim);
  }
  const tt = new ProtoWriter().varint(TypeTensor.elemType, elemType).message(TypeTensor.shape, shape);
  const type = new ProtoWriter().message(TypeProto.tensorType, tt);
  return new ProtoWriter().string(ValueInfo.name, name).message(ValueInfo.type, type);
}

function checkSpec(spec: EmissionModelSpec): void {
  const { numBuckets: b, numLabels: l } = spec;
  if (!Number.isInteger(b) || b < 1 || b > 2 ** 30) {
    throw new RangeError(`numBuckets must be an integer from 1 to 2^30, got ${b}`);
  }
  if (!Number.isInteger(l) || l < 1) throw new RangeError(`numLabels must be a positive integer, got ${l}`);
  const expect = (name: string, actual: number, wanted: number) => {
    if (actual !== wanted) throw new RangeError(`${name} has length ${actual}, expected ${wanted}`);
  };
  if (spec.lookup === 'host' && spec.match === 'first') {
    throw new RangeError("match 'first' applies to lookup 'graph' only; host lookup adds every matching candidate");
  }
  expect('weights', spec.weights.length, b * l);
  expect('fingerprints', spec.fingerprints.length, b);
  expect('transitions', spec.transitions.length, l * l);
  expect('start', spec.start.length, l);
  expect('end', spec.end.length, l);
}

/**
 * Builds the emission model as ONNX ModelProto bytes (IR 8, opset 17).
 *
 * Inputs `bucket1`, `bucket2`, `fingerprint`: int32 [N, F]. Output `emissions`: float32 [N, L], the sum over feature
 * slots of the weight row of each candidate bucket whose stored fingerprint equals the slot's fingerprint (bucket2
 * counts only when it differs from bucket1). Outputs `transitions` [L, L], `start` [L], `end` [L] repeat the CRF scores
 * so a session alone holds the whole model.
 *
 * With `lookup: 'host'` the graph instead takes `row_index` int32 [N, K] (rows already tested, see
 * `matchingRows`) and also outputs `fingerprints`; `EmissionSession` handles both kinds of file the same way.
 *
 * The tables get one extra row, index numBuckets: an all-zero weight row with fingerprint 0, which misses and
 * bucket2 == bucket1 slots are pointed at.
 */
export function buildEmissionModel(spec: EmissionModelSpec): Uint8Array {
  checkSpec(spec);
  if (!littleEndian) throw new Error('ONNX raw_data is little-endian; big-endian hosts are not supported');
  const B = spec.numBuckets;
  const L = spec.numLabels;
  const half = spec.weightsDtype === 'float16';
  const match = spec.match ?? 'both';
  const reduce = spec.reduce ?? 'dense';
  const lookup = spec.lookup ?? 'graph';

  const weights = half ? new Uint16Array((B + 1) * L) : new Float32Array((B + 1) * L);
  // a Uint16Array holds float16 bit patterns already (a caller that rounded to float16 itself)
  if (spec.weights instanceof Uint16Array) {
    if (!half) throw new RangeError('weights: float16 bits (Uint16Array) need weightsDtype float16');
    weights.set(spec.weights);
  } else if (half) weights.set(float32ToFloat16(spec.weights));
  else weights.set(spec.weights);
  const fpTable = new Int32Array(B + 1);
  fpTable.set(spec.fingerprints);

  const g = new ProtoWriter();
  const nodes: ProtoWriter[] = [];
  const initializers: ProtoWriter[] = [
    tensor('W', half ? FLOAT16 : FLOAT, [B + 1, L], weights),
    tensor('fp_table', INT32, [B + 1], fpTable),
    tensor('crf_transitions', FLOAT, [L, L], spec.transitions),
    tensor('crf_start', FLOAT, [L], spec.start),
    tensor('crf_end', FLOAT, [L], spec.end),
  ];

  // Front: `row_index` names, per looked-up slot, the weight row to add; misses point at the all-zero row `miss`.
  if (lookup === 'host') {
    // The caller packs the matching rows into the `row_index` input, using the table this output hands out.
    nodes.push(node('Identity', ['fp_table'], ['fingerprints']));
  } else if (match === 'both') {
    initializers.push(tensor('miss', INT32, [], new Int32Array([B])));
    // A slot whose two candidates coincide must count once: send its second candidate to the miss row.
    nodes.push(node('Equal', ['bucket1', 'bucket2'], ['same_bucket']));
    nodes.push(node('Where', ['same_bucket', 'miss', 'bucket2'], ['bucket2_distinct']));
    nodes.push(node('Concat', ['bucket1', 'bucket2_distinct'], ['candidates'], { axis: { int: 1 } }));
    nodes.push(node('Concat', ['fingerprint', 'fingerprint'], ['fingerprint2'], { axis: { int: 1 } }));
    nodes.push(node('Gather', ['fp_table', 'candidates'], ['stored_fp'], { axis: { int: 0 } }));
    nodes.push(node('Equal', ['stored_fp', 'fingerprint2'], ['hit']));
    nodes.push(node('Where', ['hit', 'candidates', 'miss'], ['row_index']));
  } else {
    initializers.push(tensor('miss', INT32, [], new Int32Array([B])));
    // bucket2 == bucket1 needs no test here: if that bucket matches, the first candidate already wins.
    nodes.push(node('Gather', ['fp_table', 'bucket1'], ['stored_fp1'], { axis: { int: 0 } }));
    nodes.push(node('Gather', ['fp_table', 'bucket2'], ['stored_fp2'], { axis: { int: 0 } }));
    nodes.push(node('Equal', ['stored_fp1', 'fingerprint'], ['hit1']));
    nodes.push(node('Equal', ['stored_fp2', 'fingerprint'], ['hit2']));
    nodes.push(node('Where', ['hit2', 'bucket2', 'miss'], ['row_index2']));
    nodes.push(node('Where', ['hit1', 'bucket1', 'row_index2'], ['row_index']));
    if (reduce === 'sparse') nodes.push(node('Or', ['hit1', 'hit2'], ['hit']));
  }

  const rowsOut = half ? 'rows16' : 'rows';
  const castRows = () => {
    if (half) nodes.push(node('Cast', ['rows16'], ['rows'], { to: { int: FLOAT } }));
  };
  initializers.push(tensor('axis1', INT64, [1], new BigInt64Array([1n])));
  if (reduce === 'dense' || lookup === 'host') {
    nodes.push(node('Gather', ['W', 'row_index'], [rowsOut], { axis: { int: 0 } }));
    castRows();
    nodes.push(node('ReduceSum', ['rows', 'axis1'], ['emissions'], { keepdims: { int: 0 } }));
  } else {
    initializers.push(tensor('flat_shape', INT64, [1], new BigInt64Array([-1n])));
    initializers.push(tensor('num_labels', INT64, [1], new BigInt64Array([BigInt(L)])));
    nodes.push(node('Reshape', ['hit', 'flat_shape'], ['hit_flat']));
    nodes.push(node('Reshape', ['row_index', 'flat_shape'], ['row_index_flat']));
    nodes.push(node('NonZero', ['hit_flat'], ['hit_pos2d']));
    nodes.push(node('Reshape', ['hit_pos2d', 'flat_shape'], ['hit_pos']));
    nodes.push(node('Gather', ['row_index_flat', 'hit_pos'], ['hit_row'], { axis: { int: 0 } }));
    nodes.push(node('Gather', ['W', 'hit_row'], [rowsOut], { axis: { int: 0 } }));
    castRows();
    nodes.push(node('Shape', ['row_index'], ['slots'], { start: { int: 1 }, end: { int: 2 } }));
    nodes.push(node('Div', ['hit_pos', 'slots'], ['hit_token']));
    nodes.push(node('Unsqueeze', ['hit_token', 'axis1'], ['hit_token_index']));
    nodes.push(node('Shape', ['row_index'], ['tokens'], { start: { int: 0 }, end: { int: 1 } }));
    nodes.push(node('Concat', ['tokens', 'num_labels'], ['out_shape'], { axis: { int: 0 } }));
    const zero = tensor('zero', FLOAT, [1], new Float32Array([0]));
    nodes.push(node('ConstantOfShape', ['out_shape'], ['zeros'], { value: { tensor: zero } }));
    nodes.push(node('ScatterND', ['zeros', 'hit_token_index', 'rows'], ['emissions'], { reduction: { string: 'add' } }));
  }
  nodes.push(node('Identity', ['crf_transitions'], ['transitions']));
  nodes.push(node('Identity', ['crf_start'], ['start']));
  nodes.push(node('Identity', ['crf_end'], ['end']));

  for (const n of nodes) g.message(Graph.node, n);
  g.string(Graph.name, 'ner_emissions');
  for (const t of initializers) g.message(Graph.initializer, t);
  if (lookup === 'host') g.message(Graph.input, valueInfo('row_index', INT32, ['N', 'K']));
  else for (const name of EMISSION_INPUTS) g.message(Graph.input, valueInfo(name, INT32, ['N', 'F']));
  g.message(Graph.output, valueInfo('emissions', FLOAT, ['N', L]));
  g.message(Graph.output, valueInfo('transitions', FLOAT, [L, L]));
  g.message(Graph.output, valueInfo('start', FLOAT, [L]));
  g.message(Graph.output, valueInfo('end', FLOAT, [L]));
  if (lookup === 'host') g.message(Graph.output, valueInfo('fingerprints', INT32, [B + 1]));

  const m = new ProtoWriter();
  m.varint(Model.irVersion, ONNX_IR_VERSION);
  m.string(Model.producerName, ONNX_PRODUCER);
  m.string(Model.producerVersion, '1');
  m.message(Model.opsetImport, new ProtoWriter().string(OpsetId.domain, '').varint(OpsetId.version, ONNX_OPSET));
  m.message(Model.graph, g);
  // Sorted keys: same metadata object contents → byte-identical file, whatever the insertion order.
  for (const key of Object.keys(spec.metadata).sort()) {
    m.message(Model.metadataProps, new ProtoWriter().string(StringEntry.key, key).string(StringEntry.value, spec.metadata[key]));
  }
  return m.finish();
}

/** One initializer's name, type and shape, as stored in the file. */
export interface OnnxInitializerInfo {
  name: string;
  /** TensorProto.DataType (1 float, 6 int32, 7 int64, 10 float16…). */
  dataType: number;
  dims: number[];
  /** Size of raw_data in bytes (0 when the values use a typed field instead). */
  rawBytes: number;
}

/** What `readOnnxModelInfo` finds in a ModelProto without running it. */
export interface OnnxModelInfo {
  irVersion: number;
  producerName: string;
  /** Default-domain opset version, if imported. */
  opsetVersion: number | undefined;
  metadata: Record<string, string>;
  initializers: OnnxInitializerInfo[];
}

function readStringEntry(bytes: Uint8Array): [string, string] {
  let key = '';
  let value = '';
  for (const e of readFields(bytes)) {
    if (e.field === StringEntry.key && e.bytes) key = decodeString(e.bytes);
    else if (e.field === StringEntry.value && e.bytes) value = decodeString(e.bytes);
  }
  return [key, value];
}

function readTensorInfo(bytes: Uint8Array): OnnxInitializerInfo {
  const t: OnnxInitializerInfo = { name: '', dataType: 0, dims: [], rawBytes: 0 };
  for (const f of readFields(bytes)) {
    if (f.field === Tensor.dims) t.dims.push(...readPackedVarints(f));
    else if (f.field === Tensor.dataType && f.value !== undefined) t.dataType = Number(f.value);
    else if (f.field === Tensor.name && f.bytes) t.name = decodeString(f.bytes);
    else if (f.field === Tensor.rawData && f.bytes) t.rawBytes = f.bytes.length;
  }
  return t;
}

/** Reads the header, metadata_props and initializer shapes of an ONNX file; throws ProtoDecodeError if malformed. */
export function readOnnxModelInfo(bytes: Uint8Array): OnnxModelInfo {
  const info: OnnxModelInfo = { irVersion: 0, producerName: '', opsetVersion: undefined, metadata: {}, initializers: [] };
  const metadata: Array<[string, string]> = [];
  for (const f of readFields(bytes)) {
    if (f.field === Model.irVersion && f.value !== undefined) info.irVersion = Number(f.value);
    else if (f.field === Model.producerName && f.bytes) info.producerName = decodeString(f.bytes);
    else if (f.field === Model.metadataProps && f.bytes) metadata.push(readStringEntry(f.bytes));
    else if (f.field === Model.opsetImport && f.bytes) {
      let domain = '';
      let version: number | undefined;
      for (const e of readFields(f.bytes)) {
        if (e.field === OpsetId.domain && e.bytes) domain = decodeString(e.bytes);
        else if (e.field === OpsetId.version && e.value !== undefined) version = Number(e.value);
      }
      if (domain === '' || domain === 'ai.onnx') info.opsetVersion = version;
    } else if (f.field === Model.graph && f.bytes) {
      for (const gf of readFields(f.bytes)) {
        if (gf.field === Graph.initializer && gf.bytes) info.initializers.push(readTensorInfo(gf.bytes));
      }
    }
  }
  // fromEntries defines own properties, so a key such as "__proto__" round-trips as data.
  info.metadata = Object.fromEntries(metadata);
  return info;
}

/**
 * Finds one initializer of an ONNX file by name, without ORT: its type, shape and a view (not a copy) of its raw_data;
 * undefined if absent or not stored as raw_data. Throws ProtoDecodeError if the file is malformed.
 */
export function readOnnxInitializer(
  bytes: Uint8Array,
  name: string,
): { dataType: number; dims: number[]; raw: Uint8Array } | undefined {
  for (const f of readFields(bytes)) {
    if (f.field !== Model.graph || !f.bytes) continue;
    for (const gf of readFields(f.bytes)) {
      if (gf.field !== Graph.initializer || !gf.bytes) continue;
      let tensorName = '';
      let dataType = 0;
      const dims: number[] = [];
      let raw: Uint8Array | undefined;
      for (const tf of readFields(gf.bytes)) {
        if (tf.field === Tensor.name && tf.bytes) tensorName = decodeString(tf.bytes);
        else if (tf.field === Tensor.dims) dims.push(...readPackedVarints(tf));
        else if (tf.field === Tensor.dataType && tf.value !== undefined) dataType = Number(tf.value);
        else if (tf.field === Tensor.rawData && tf.bytes) raw = tf.bytes;
      }
      if (tensorName === name) return raw ? { dataType, dims, raw } : undefined;
    }
  }
  return undefined;
}

/** Reads ModelProto.metadata_props of an ONNX file without ORT; throws ProtoDecodeError if malformed. */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const metadata: Array<[string, string]> = [];
  // Only the top level is walked: the graph (and its weights) is skipped over by length, not parsed.
  for (const f of readFields(bytes)) {
    if (f.field === Model.metadataProps && f.bytes) metadata.push(readStringEntry(f.bytes));
  }
  return Object.fromEntries(metadata);
}
