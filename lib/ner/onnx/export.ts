// Writes the CRF emission model as an ONNX file (hand-rolled protobuf) and reads it back without ORT.

import { float32ToFloat16 } from './float16.js';
import { ProtoDecodeError, ProtoWriter, WireType, decodeString, readFields, readPackedVarints } from './protobuf.js';

/** Typed arrays a file can carry as host-side tables (stored as raw_data initializers the graph does not read). */
export type TableArray = Uint8Array | Uint16Array | Int32Array | Uint32Array | Float32Array;

/** What `buildEmissionModel` needs: the feature weights, their hash table, the CRF scores and the file's metadata. */
export interface EmissionModelSpec {
  /** Number of hash buckets (callers map hashes into 0..numBuckets−1). */
  numBuckets: number;
  numLabels: number;
  /**
   * [numRows * numLabels] row-major, one row per stored feature (dense: no empty rows). A Uint16Array is float16
   * bits. The file appends one all-zero row, index numRows, that misses and padding point at.
   */
  weights: Float32Array | Uint16Array;
  /** [numBuckets]: the fingerprint stored in each bucket; 0 marks an empty bucket (callers never use fingerprint 0). */
  fingerprints: Int32Array;
  /** [numBuckets]: the weight row of each bucket's feature, 0..numRows−1 (ignored for an empty bucket). */
  rows: Int32Array;
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
   * Host-side tables (word clusters, entity lists…), by name: stored as raw_data initializers the graph does not
   * read, so the file alone holds them and a loader can use them in place. Names must not clash with the graph's.
   */
  tables?: Record<string, TableArray>;
}

/** ONNX IR version and default-domain opset the file targets. */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;
export const ONNX_PRODUCER = 'custom-ner';

/**
 * Graph inputs and outputs. `W` is an input with a default (its initializer): the file runs as is with only
 * `row_index` fed, and `EmissionSession` feeds the file's own bytes so onnxruntime need not copy the weights.
 */
export const EMISSION_INPUTS = ['row_index', 'W'] as const;
export const EMISSION_OUTPUTS = ['emissions', 'transitions', 'start', 'end'] as const;
/**
 * The runtime graph's second row input and its scores (see `readEmissionModel`): the same lookup-and-sum as
 * `row_index` → `emissions`, so that one onnxruntime call scores two batches of different widths.
 */
export const ROW_INDEX_B = 'row_index_b';
export const EMISSIONS_B = 'emissions_b';
/** Initializer names of the weights and of the bucket table ([numBuckets + 1, 2] int32: fingerprint, row). */
export const WEIGHTS = 'W';
export const BUCKETS = 'buckets';

// TensorProto.DataType values (onnx.proto).
const FLOAT = 1;
const UINT8 = 2;
const UINT16 = 4;
const INT32 = 6;
const INT64 = 7;
const FLOAT16 = 10;
const UINT32 = 12;

// AttributeProto.AttributeType values (onnx.proto).
const ATTR_INT = 2;

// Field numbers (onnx.proto).
const Model = { irVersion: 1, producerName: 2, producerVersion: 3, docString: 6, graph: 7, opsetImport: 8, metadataProps: 14 };
const OpsetId = { domain: 1, version: 2 };
const StringEntry = { key: 1, value: 2 };
const Graph = { node: 1, name: 2, initializer: 5, input: 11, output: 12 };
const Node = { input: 1, output: 2, name: 3, opType: 4, attribute: 5 };
const Attribute = { name: 1, i: 3, type: 20 };
const Tensor = { dims: 1, dataType: 2, name: 8, rawData: 9, docString: 12 };
const ValueInfo = { name: 1, type: 2 };
const TypeProto = { tensorType: 1 };
const TypeTensor = { elemType: 1, shape: 2 };
const Shape = { dim: 1 };
const Dim = { value: 1, param: 2 };

/** Every raw_data starts at a multiple of this offset in the file, so a loader can view it as a typed array. */
export const RAW_DATA_ALIGNMENT = 8;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function tableType(a: TableArray): number {
  if (a instanceof Uint8Array) return UINT8;
  if (a instanceof Uint16Array) return UINT16;
  if (a instanceof Int32Array) return INT32;
  if (a instanceof Uint32Array) return UINT32;
  return FLOAT;
}

/**
 * `pad` > 0 inserts a doc_string before raw_data to move it by `pad` bytes (2 to 9: tag, length, pad − 2 spaces).
 * raw_data is `raw`, in order, kept by reference (see `ProtoWriter.offsetOf`).
 */
function tensor(name: string, dataType: number, dims: number[], raw: readonly Uint8Array[], pad = 0): ProtoWriter {
  const t = new ProtoWriter();
  if (dims.length > 0) t.packedVarints(Tensor.dims, dims);
  t.varint(Tensor.dataType, dataType);
  t.string(Tensor.name, name);
  if (pad > 0) t.string(Tensor.docString, ' '.repeat(pad - 2));
  t.bytesParts(Tensor.rawData, raw);
  return t;
}

function node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, number> = {}): ProtoWriter {
  const n = new ProtoWriter();
  for (const i of inputs) n.string(Node.input, i);
  for (const o of outputs) n.string(Node.output, o);
  n.string(Node.name, outputs[0]);
  n.string(Node.opType, opType);
  for (const [name, v] of Object.entries(attrs)) {
    n.message(Node.attribute, new ProtoWriter().string(Attribute.name, name).varint(Attribute.i, v).varint(Attribute.type, ATTR_INT));
  }
  return n;
}

/**
 * The emission nodes for one row input: Gather the weight rows `rowInput` names (→ `rows{suffix}`, by way of
 * `rows16{suffix}` and a Cast when the weights are float16), then ReduceSum over the rows of each token (→ `output`).
 */
function lookupAndSum(rowInput: string, output: string, suffix: string, half: boolean): ProtoWriter[] {
  const rows = `rows${suffix}`;
  const gathered = half ? `rows16${suffix}` : rows;
  return [
    node('Gather', [WEIGHTS, rowInput], [gathered], { axis: 0 }),
    ...(half ? [node('Cast', [gathered], [rows], { to: FLOAT })] : []),
    node('ReduceSum', [rows, 'axis1'], [output], { keepdims: 0 }),
  ];
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

function checkSpec(spec: EmissionModelSpec): number {
  const { numBuckets: b, numLabels: l } = spec;
  if (!Number.isInteger(b) || b < 1 || b > 2 ** 30) {
    throw new RangeError(`numBuckets must be an integer from 1 to 2^30, got ${b}`);
  }
  if (!Number.isInteger(l) || l < 1) throw new RangeError(`numLabels must be a positive integer, got ${l}`);
  const expect = (name: string, actual: number, wanted: number) => {
    if (actual !== wanted) throw new RangeError(`${name} has length ${actual}, expected ${wanted}`);
  };
  const numRows = spec.weights.length / l;
  if (!Number.isInteger(numRows) || numRows >= 2 ** 31 - 1) throw new RangeError(`weights has length ${spec.weights.length}, not a multiple of numLabels ${l}`);
  expect('fingerprints', spec.fingerprints.length, b);
  expect('rows', spec.rows.length, b);
  for (let i = 0; i < b; i++) {
    if (spec.fingerprints[i] !== 0 && !(spec.rows[i] >= 0 && spec.rows[i] < numRows)) {
      throw new RangeError(`rows[${i}] = ${spec.rows[i]} is not a weight row (0..${numRows - 1})`);
    }
  }
  expect('transitions', spec.transitions.length, l * l);
  expect('start', spec.start.length, l);
  expect('end', spec.end.length, l);
  const graphNames = new Set<string>([WEIGHTS, BUCKETS, 'crf_transitions', 'crf_start', 'crf_end', 'axis1']);
  for (const name of Object.keys(spec.tables ?? {})) if (graphNames.has(name)) throw new RangeError(`table name '${name}' is taken by the graph`);
  return numRows;
}

/**
 * Builds the emission model as ONNX ModelProto bytes (IR 8, opset 17).
 *
 * Input `row_index`: int32 [N, K], per token the weight rows of its matching features, padded with the all-zero row
 * (`matchingRows` builds it from the bucket table). Output `emissions`: float32 [N, L], the sum of those rows.
 * Outputs `transitions` [L, L], `start` [L], `end` [L] repeat the CRF scores so a session alone holds the whole model.
 *
 * `W` is stored dense, [numRows + 1, L] (the last row all zeros), and is also a graph input whose default is that
 * initializer. The bucket table `buckets` (int32 [numBuckets + 1, 2]: fingerprint and weight row per bucket, the last
 * pair the miss entry 0 → numRows) and `spec.tables` are initializers no node reads: data for the host. Every
 * raw_data is aligned to RAW_DATA_ALIGNMENT bytes in the file. Same spec → same bytes.
 */
export function buildEmissionModel(spec: EmissionModelSpec): Uint8Array {
  const R = checkSpec(spec);
  if (!littleEndian) throw new Error('ONNX raw_data is little-endian; big-endian hosts are not supported');
  const B = spec.numBuckets;
  const L = spec.numLabels;
  const half = spec.weightsDtype === 'float16';

  // W is the given rows then one all-zero row, written as two parts: float16 bits (a Uint16Array: a caller that
  // rounded to float16 itself) go to the file as they are, not copied into a new table first
  let weights: Uint8Array[];
  if (spec.weights instanceof Uint16Array) {
    if (!half) throw new RangeError('weights: float16 bits (Uint16Array) need weightsDtype float16');
    weights = [bytesOf(spec.weights), new Uint8Array(2 * L)];
  } else weights = [bytesOf(half ? float32ToFloat16(spec.weights) : spec.weights), new Uint8Array((half ? 2 : 4) * L)];
  const buckets = new Int32Array((B + 1) * 2);
  for (let i = 0; i < B; i++) {
    const fp = spec.fingerprints[i];
    buckets[2 * i] = fp;
    buckets[2 * i + 1] = fp === 0 ? R : spec.rows[i];
  }
  buckets[2 * B + 1] = R;

  const tensors: Array<{ name: string; dataType: number; dims: number[]; raw: Uint8Array[] }> = [
    { name: 'crf_transitions', dataType: FLOAT, dims: [L, L], raw: [bytesOf(spec.transitions)] },
    { name: 'crf_start', dataType: FLOAT, dims: [L], raw: [bytesOf(spec.start)] },
    { name: 'crf_end', dataType: FLOAT, dims: [L], raw: [bytesOf(spec.end)] },
    { name: 'axis1', dataType: INT64, dims: [1], raw: [bytesOf(new BigInt64Array([1n]))] },
    { name: WEIGHTS, dataType: half ? FLOAT16 : FLOAT, dims: [R + 1, L], raw: weights },
    { name: BUCKETS, dataType: INT32, dims: [B + 1, 2], raw: [bytesOf(buckets)] },
  ];
  const tables = spec.tables ?? {};
  for (const name of Object.keys(tables).sort()) {
    const a = tables[name];
    tensors.push({ name, dataType: tableType(a), dims: [a.length], raw: [bytesOf(a)] });
  }

  const nodes = [
    ...lookupAndSum('row_index', 'emissions', '', half),
    node('Identity', ['crf_transitions'], ['transitions']),
    node('Identity', ['crf_start'], ['start']),
    node('Identity', ['crf_end'], ['end']),
  ];

  const build = (pads: number[]): ProtoWriter => {
    const g = new ProtoWriter();
    for (const n of nodes) g.message(Graph.node, n);
    g.string(Graph.name, 'ner_emissions');
    tensors.forEach((t, i) => g.message(Graph.initializer, tensor(t.name, t.dataType, t.dims, t.raw, pads[i])));
    g.message(Graph.input, valueInfo('row_index', INT32, ['N', 'K']));
    g.message(Graph.input, valueInfo(WEIGHTS, half ? FLOAT16 : FLOAT, [R + 1, L]));
    g.message(Graph.output, valueInfo('emissions', FLOAT, ['N', L]));
    g.message(Graph.output, valueInfo('transitions', FLOAT, [L, L]));
    g.message(Graph.output, valueInfo('start', FLOAT, [L]));
    g.message(Graph.output, valueInfo('end', FLOAT, [L]));

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
    return m;
  };

  // Pads each tensor so its raw_data lands on an aligned offset. A pad moves every later tensor (and can lengthen the
  // graph's size prefix), so build, measure, adjust, until all line up; two or three rounds in practice. A round
  // only lays the message out (the tensors' bytes are referenced, not copied): the file is written once, at the end.
  const pads = tensors.map(() => 0);
  for (let round = 0; round < 8; round++) {
    const message = build(pads);
    let shift = 0;
    let aligned = true;
    tensors.forEach((t, i) => {
      const misfit = (message.offsetOf(t.raw[0]) + shift) % RAW_DATA_ALIGNMENT;
      if (misfit === 0) return;
      aligned = false;
      // smallest pad (0 or 2..9) that moves this raw_data to the next aligned offset, given the earlier changes
      const want = (pads[i] + RAW_DATA_ALIGNMENT - misfit) % RAW_DATA_ALIGNMENT;
      let next = want === 0 ? 0 : want === 1 ? RAW_DATA_ALIGNMENT + 1 : want;
      // A pad can lengthen the size prefix of the tensor (or of a message around it) by a byte, moving the data one
      // byte more than the pad: never go back below a pad already tried, or the two pads would alternate for ever
      // (a 2-category BIO model, 1.9 MB, did); go up by whole alignments instead.
      while (next < pads[i]) next += RAW_DATA_ALIGNMENT;
      shift += next - pads[i];
      pads[i] = next;
    });
    if (aligned) return message.finish();
  }
  throw new Error('buildEmissionModel: could not align the tensors');
}

/** One initializer's type, shape and raw_data: a view into the file's bytes, not a copy. */
export interface RawTensor {
  /** TensorProto.DataType (1 float, 2 uint8, 4 uint16, 6 int32, 7 int64, 10 float16, 12 uint32…). */
  dataType: number;
  dims: number[];
  raw: Uint8Array;
}

function readRawTensor(bytes: Uint8Array): [string, RawTensor] | undefined {
  let name = '';
  let dataType = 0;
  const dims: number[] = [];
  let raw: Uint8Array | undefined;
  for (const tf of readFields(bytes)) {
    if (tf.field === Tensor.name && tf.bytes) name = decodeString(tf.bytes);
    else if (tf.field === Tensor.dims) dims.push(...readPackedVarints(tf));
    else if (tf.field === Tensor.dataType && tf.value !== undefined) dataType = Number(tf.value);
    else if (tf.field === Tensor.rawData && tf.bytes) raw = tf.bytes;
  }
  return raw ? [name, { dataType, dims, raw }] : undefined;
}

type TypedArrayOf<T> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };

/**
 * A raw tensor's values as a typed array: a view of the file's bytes when aligned (no copy), else a copy. Throws if
 * the tensor's type or element count is not the expected one.
 */
export function tensorValues<T>(t: RawTensor | undefined, what: string, dataType: number, Ctor: TypedArrayOf<T>, count?: number): T {
  if (!t) throw new Error(`${what} is missing`);
  const size = Ctor.BYTES_PER_ELEMENT;
  const elements = t.dims.reduce((a, d) => a * d, 1);
  if (t.dataType !== dataType || t.raw.length !== elements * size || (count !== undefined && elements !== count)) {
    throw new Error(`${what} has type ${t.dataType} and ${t.raw.length} bytes, not ${count ?? elements} values of type ${dataType}`);
  }
  if (!littleEndian) throw new Error('ONNX raw_data is little-endian; big-endian hosts are not supported');
  const raw = t.raw.byteOffset % size === 0 ? t.raw : t.raw.slice();
  return new Ctor(raw.buffer, raw.byteOffset, elements);
}

/** TensorProto.DataType values `tensorValues` callers need. */
export const DataType = { FLOAT, UINT8, UINT16, INT32, FLOAT16, UINT32 } as const;

/** A model file split the way `EmissionSession` uses it. */
export interface EmissionModelFile {
  metadata: Record<string, string>;
  /** Every initializer stored as raw_data, by name: views into the file's bytes. */
  tensors: Map<string, RawTensor>;
  /**
   * What onnxruntime is given: the ModelProto without metadata and without the initializers no node reads or that
   * are graph inputs (fed by the host), so the weights and host tables are neither parsed nor copied by it. Small.
   * When the file's graph is this format's (`row_index` → `emissions` through `W`), the runtime graph also has a
   * second row input, `ROW_INDEX_B` → `EMISSIONS_B`, the same lookup and sum: one call scores two batches whose rows
   * hold different numbers of weight rows, without padding the narrow one to the wide one's width.
   */
  runtimeModel: Uint8Array;
  /** The runtime graph has `ROW_INDEX_B` (required when present). */
  pairedRows: boolean;
}

/** Reads a model file in one pass; throws ProtoDecodeError if it is malformed. Keeps views into `bytes`. */
export function readEmissionModel(bytes: Uint8Array): EmissionModelFile {
  const metadata: Array<[string, string]> = [];
  const tensors = new Map<string, RawTensor>();
  const m = new ProtoWriter();
  let paired = false;
  for (const f of readFields(bytes)) {
    if (f.field === Model.metadataProps && f.bytes) {
      metadata.push(readStringEntry(f.bytes));
      continue;
    }
    if (f.field !== Model.graph || !f.bytes) {
      if (f.bytes) m.bytes(f.field, f.bytes);
      else if (f.wire === WireType.Varint) m.varint(f.field, f.value!);
      else throw new ProtoDecodeError(`unexpected ModelProto field ${f.field}`);
      continue;
    }
    const fields = [...readFields(f.bytes)];
    const used = new Set<string>();
    const inputs = new Set<string>();
    const nodes: GraphNode[] = [];
    for (const gf of fields) {
      if (gf.field === Graph.node && gf.bytes) {
        const n: GraphNode = { opType: '', inputs: [], outputs: [] };
        for (const nf of readFields(gf.bytes)) {
          if (!nf.bytes) continue;
          if (nf.field === Node.input) n.inputs.push(decodeString(nf.bytes));
          else if (nf.field === Node.output) n.outputs.push(decodeString(nf.bytes));
          else if (nf.field === Node.opType) n.opType = decodeString(nf.bytes);
        }
        for (const i of n.inputs) used.add(i);
        nodes.push(n);
      } else if (gf.field === Graph.input && gf.bytes) {
        for (const vf of readFields(gf.bytes)) if (vf.field === ValueInfo.name && vf.bytes) inputs.add(decodeString(vf.bytes));
      }
    }
    const g = new ProtoWriter();
    for (const gf of fields) {
      if (gf.field === Graph.initializer && gf.bytes) {
        const t = readRawTensor(gf.bytes);
        if (t) tensors.set(t[0], t[1]);
        if (t && (!used.has(t[0]) || inputs.has(t[0]))) continue;
      }
      if (gf.bytes) g.bytes(gf.field, gf.bytes);
      else if (gf.wire === WireType.Varint) g.varint(gf.field, gf.value!);
      else throw new ProtoDecodeError(`unexpected GraphProto field ${gf.field}`);
    }
    paired = isEmissionGraph(nodes, inputs, used, tensors);
    if (paired) addSecondRowInput(g, tensors);
    m.message(Model.graph, g);
  }
  return { metadata: Object.fromEntries(metadata), tensors, runtimeModel: m.finish(), pairedRows: paired };
}

interface GraphNode {
  opType: string;
  inputs: string[];
  outputs: string[];
}

/**
 * Whether a file's graph is this format's emission graph: `row_index` → Gather(W) → (Cast →) ReduceSum(axis1) →
 * `emissions`, `axis1` a kept initializer, W float or float16 [rows, labels], and none of the second input's names
 * taken. Only then does the runtime graph get the second row input.
 */
function isEmissionGraph(nodes: GraphNode[], inputs: ReadonlySet<string>, used: ReadonlySet<string>, tensors: ReadonlyMap<string, RawTensor>): boolean {
  const w = tensors.get(WEIGHTS);
  if (!inputs.has('row_index') || !inputs.has(WEIGHTS) || !w || w.dims.length !== 2) return false;
  if (w.dataType !== FLOAT && w.dataType !== FLOAT16) return false;
  if (!tensors.has('axis1') || !used.has('axis1') || inputs.has('axis1')) return false;
  const taken = new Set([...inputs, ...nodes.flatMap((n) => [...n.inputs, ...n.outputs])]);
  if ([ROW_INDEX_B, 'rows_b', 'rows16_b', EMISSIONS_B].some((name) => taken.has(name))) return false;
  const producer = (out: string) => nodes.find((n) => n.outputs.includes(out));
  const sum = producer('emissions');
  if (!sum || sum.opType !== 'ReduceSum' || sum.inputs.length !== 2 || sum.inputs[1] !== 'axis1') return false;
  let rows = producer(sum.inputs[0]);
  if (rows?.opType === 'Cast' && w.dataType === FLOAT16) rows = producer(rows.inputs[0]);
  return rows?.opType === 'Gather' && rows.inputs[0] === WEIGHTS && rows.inputs[1] === 'row_index';
}

/**
 * Appends `ROW_INDEX_B` → Gather (→ Cast) → ReduceSum → `EMISSIONS_B` to a runtime graph that `isEmissionGraph`
 * accepted. The nodes read only `W` and `axis1`, so they come after the file's nodes.
 */
function addSecondRowInput(g: ProtoWriter, tensors: ReadonlyMap<string, RawTensor>): void {
  const w = tensors.get(WEIGHTS)!;
  const half = w.dataType === FLOAT16;
  for (const n of lookupAndSum(ROW_INDEX_B, EMISSIONS_B, '_b', half)) g.message(Graph.node, n);
  g.message(Graph.input, valueInfo(ROW_INDEX_B, INT32, ['NB', 'KB']));
  g.message(Graph.output, valueInfo(EMISSIONS_B, FLOAT, ['NB', w.dims[1]]));
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

/** Reads ModelProto.metadata_props of an ONNX file without ORT; throws ProtoDecodeError if malformed. */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const metadata: Array<[string, string]> = [];
  // Only the top level is walked: the graph (and its weights) is skipped over by length, not parsed.
  for (const f of readFields(bytes)) {
    if (f.field === Model.metadataProps && f.bytes) metadata.push(readStringEntry(f.bytes));
  }
  return Object.fromEntries(metadata);
}
